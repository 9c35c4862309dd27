"""The database's own guards for appointments, whatever code writes them: a service always with a specialist,
and on PostgreSQL never two overlapping live appointments of one specialist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking
from kernel.channels import Actor
from specialists.availability import service_days
from specialists.models import ServiceEquipment
from tests import factories
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db


def raw_appointment(service, specialist, cabinet, starts_at, status="approved") -> CabinetBooking:
    return CabinetBooking.objects.create(
        cabinet=cabinet, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), service=service,
        specialist=specialist, client_name="Иван Петров", client_phone="+79990000000", status=status,
        created_at=NOW, updated_at=NOW)


def test_a_service_without_a_specialist_is_refused_by_the_database(ultrasound, rooms):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_appointment(ultrasound, None, rooms[0], at(TUE, 10))


@pytest.mark.postgres
def test_overlapping_live_appointments_of_one_specialist_are_refused_by_the_database(ultrasound, anna, rooms):
    raw_appointment(ultrasound, anna, rooms[0], at(TUE, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_appointment(ultrasound, anna, rooms[1], at(TUE, 10, 30))
    raw_appointment(ultrasound, anna, rooms[1], at(TUE, 11))  # touching is not overlapping
    raw_appointment(ultrasound, anna, rooms[1], at(TUE, 10, 30), status="cancelled")  # only live ones count


def test_cancelling_frees_the_specialist_the_cabinet_and_the_equipment(ultrasound, anna, rooms, book, staff):
    ultrasound.specialists.set([anna])
    ultrasound.cabinets.set([rooms[0]])
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    appointment = book(ultrasound, at(TUE, 10))

    def offered():
        (day,) = service_days(service=ultrasound, start_date=TUE, end_date=TUE, now=NOW)
        return {f"{slot.starts_at:%H:%M}" for slot in day.slots}

    assert "10:00" not in offered()
    cabinet_booking_cancel(booking=appointment, actor=Actor.staff(staff), now=NOW)
    assert "10:00" in offered()
    assert not EquipmentBooking.objects.filter(status__in=("pending", "approved")).exists()
    assert book(ultrasound, at(TUE, 10)).specialist == anna
