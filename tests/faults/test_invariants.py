"""The invariants every fault test ends with find what they claim to: a unit resting for the item's
turnaround days and a unit out of service in a maintenance window count as used, like a booked one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from equipment.models import EquipmentBooking, MaintenanceWindow
from tests.factories import ItemFactory
from tests.faults.invariants import violations

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
DAY = date(2026, 12, 1)


def booked(item, start: date, end: date | None = None, units: int = 1, status: str = "approved"):
    """Written straight to the table, past the services' checks, as a fault might leave it."""
    now = timezone.now()
    return EquipmentBooking.objects.create(item=item, units=units, start_date=start, end_date=end or start,
                                           status=status, client_name="Ольга", client_phone="+79990000000",
                                           created_at=now, updated_at=now)


def overbooked():
    with connection.cursor() as cursor:
        return [(item_id, day, units, quantity) for item_id, day, units, quantity
                in violations(cursor)["overbooked item days"]]


def test_a_booking_inside_the_previous_ones_turnaround_is_an_overbooked_day():
    item = ItemFactory(quantity=1, turnaround_days=2)
    booked(item, DAY)
    booked(item, DAY + timedelta(days=2))  # the unit still rests on DAY+1 and DAY+2

    assert overbooked() == [(item.pk, DAY + timedelta(days=2), 2, 1)]


def test_a_booking_after_the_turnaround_is_fine_and_cancelled_ones_hold_nothing():
    item = ItemFactory(quantity=1, turnaround_days=2)
    booked(item, DAY)
    booked(item, DAY + timedelta(days=3))
    booked(item, DAY + timedelta(days=1), status="cancelled")

    assert overbooked() == []


def test_a_booking_on_a_day_the_unit_is_out_of_service_is_an_overbooked_day():
    item = ItemFactory(quantity=2)
    MaintenanceWindow.objects.create(item=item, units=1, start_date=DAY, end_date=DAY + timedelta(days=1),
                                     reason="Поверка")
    booked(item, DAY)  # 1 in maintenance + 1 booked = 2: fine
    booked(item, DAY + timedelta(days=1), units=2)  # 1 + 2 > 2

    assert overbooked() == [(item.pk, DAY + timedelta(days=1), 3, 2)]
