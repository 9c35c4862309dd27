"""The services grid reads a fixed handful of queries, whatever the number of days, specialists, cabinets and
appointments: the same count for a small clinic over two days and a busy one over a month."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cabinets.models import Holiday
from specialists.availability import service_days, service_with_lines
from specialists.models import Service, ServiceEquipment
from tests import factories
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at, specialist

pytestmark = pytest.mark.django_db
# The calendar (the specialists' hours, days off and appointments, holidays and the cabinets' closures: one
# UNION), the allowed cabinets with their schedules, the cabinets' occupants, and the equipment's usage; the
# service comes with its equipment lines before (service_with_lines).
BUDGET = 4


def clinic(*, specialists: int, cabinets: int, appointments_per_day: int, days: int, book):
    rooms = [factories.with_week(factories.CabinetFactory(sort_order=n), opens=time(8), closes=time(20))
             for n in range(cabinets)]
    people = [specialist(f"Врач {n}", {d: [(time(9), time(13)), (time(14), time(18))] for d in range(6)})
              for n in range(specialists)]
    service = Service.objects.create(name=f"Приём {specialists}", duration_minutes=60)
    service.specialists.set(people)
    service.cabinets.set(rooms)
    ServiceEquipment.objects.create(service=service, item=factories.ItemFactory(quantity=50), units=1)
    Holiday.objects.get_or_create(date=TUE + timedelta(days=3))
    factories.closure(rooms[0], TUE + timedelta(days=1), time(15), time(16))
    for offset in range(min(days, 6)):
        day = TUE + timedelta(days=offset)
        if day.weekday() > 5 or offset == 3:
            continue
        for n in range(appointments_per_day):
            book(service, at(day, 9 + n % 4), specialist=people[n % specialists], cabinet=rooms[n % cabinets])
    return service


def queries_for(service, days: int) -> tuple[int, list]:
    service = service_with_lines(service.pk)
    with CaptureQueriesContext(connection) as captured:
        result = service_days(service=service, start_date=TUE, end_date=TUE + timedelta(days=days - 1), now=NOW)
    return len(captured.captured_queries), result


def test_the_grid_takes_the_same_few_queries_for_two_days_or_a_month_of_a_busy_clinic(book):
    small = clinic(specialists=1, cabinets=1, appointments_per_day=1, days=2, book=book)
    large = clinic(specialists=12, cabinets=8, appointments_per_day=8, days=28, book=book)
    few, small_days = queries_for(small, 2)
    many, large_days = queries_for(large, 28)
    assert few == many <= BUDGET, (few, many)
    assert len(small_days) == 2 and len(large_days) == 28
    assert sum(len(day.slots) for day in large_days) > 20 * 12
    assert large_days[3].reason == "holiday"


def test_a_service_without_equipment_skips_the_equipment_queries(book):
    service = clinic(specialists=3, cabinets=2, appointments_per_day=2, days=7, book=book)
    service.equipment_lines.all().delete()
    count, _days = queries_for(service, 7)
    assert count == BUDGET - 1
