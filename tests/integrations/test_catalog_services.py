"""`load_catalog --services`: specialists with their hours and days off, services with their specialists,
cabinets and equipment; idempotent, every problem named, refused where it would strand appointments."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cabinets.models import Cabinet
from kernel.channels import Actor, Channel
from specialists.models import DayOff, Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests.conftest import NOW
from tests.integrations.test_catalog import load, refused
from tests.integrations.test_catalog import write as write

pytestmark = pytest.mark.django_db

CABINETS = """
cabinets:
  - {id: 1, name: "Кабинет №1", default_schedule: {start_time: "08:00", end_time: "20:00"}}
  - {id: 2, name: "Кабинет №2", default_schedule: {start_time: "08:00", end_time: "20:00"}}
"""
ITEMS = """
items:
  - {id: 5, name: "УЗИ-сканер", total_quantity: 1}
"""
SERVICES = """
specialists:
  - id: 1
    name: "Анна Смирнова"
    telegram_id: 700001
    hours:
      tue: ["09:00-13:00", "14:00-18:00"]
      wed: ["12:00-20:00"]
    days_off: ["2026-12-31", {from: "2027-01-01", to: "2027-01-08"}]
  - id: 2
    name: "Борис Иванов"
    hours: {tue: ["10:00-19:00"]}
services:
  - id: 1
    name: "УЗИ брюшной полости"
    category: "Диагностика"
    duration_minutes: 60
    price: "2500.00"
    specialists: [1, 2]
    cabinets: [2]
    equipment: [{item_id: 5, units: 1}]
  - {id: 2, name: "Консультация", duration_minutes: 30, specialists: [2]}
"""


def load_all(write, services=SERVICES) -> str:
    return load("--cabinets", write("cabinets.yaml", CABINETS), "--items", write("items.yaml", ITEMS),
                "--services", write("services.yaml", services))


def test_the_services_file_loads_specialists_hours_days_off_and_services(write):
    out = load_all(write)
    anna = Specialist.objects.get(catalog_id=1)
    assert anna.name == "Анна Смирнова" and anna.telegram_id == 700001
    assert sorted(WorkingHours.objects.filter(specialist=anna).values_list("weekday", "start", "end")) == [
        (1, time(9), time(13)), (1, time(14), time(18)), (2, time(12), time(20))]
    assert sorted(DayOff.objects.filter(specialist=anna).values_list("from_date", "to_date")) == [
        (date(2026, 12, 31), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 1, 8))]
    ultrasound = Service.objects.get(catalog_id=1)
    assert ultrasound.price == Decimal("2500.00") and ultrasound.duration_minutes == 60
    assert sorted(p.catalog_id for p in ultrasound.specialists.all()) == [1, 2]
    assert [c.name for c in ultrasound.cabinets.all()] == ["Кабинет №2"]
    assert [(line.item.name, line.units) for line in ultrasound.equipment_lines.all()] == [("УЗИ-сканер", 1)]
    assert "Specialists: 2 created" in out and "Services: 2 created" in out


def test_loading_the_same_file_again_changes_nothing(write):
    load_all(write)
    again = load_all(write)
    assert "Specialists: 0 created, 0 updated, 2 unchanged" in again
    assert "Services: 0 created, 0 updated, 2 unchanged" in again
    assert WorkingHours.objects.count() == 4 and Service.objects.count() == 2


def test_a_changed_file_updates_in_place(write):
    load_all(write)
    out = load_all(write, SERVICES.replace('price: "2500.00"', 'price: "2700.00"').replace(
        'wed: ["12:00-20:00"]', 'wed: ["12:00-19:00"]'))
    assert Service.objects.get(catalog_id=1).price == Decimal("2700.00")
    assert WorkingHours.objects.get(specialist__catalog_id=1, weekday=2).end == time(19)
    assert "Анна Смирнова (hours)" in out and "УЗИ брюшной полости (price)" in out


@pytest.mark.parametrize(("change", "problem"), [
    ('duration_minutes: 60', 'duration_minutes: 45'),
    ('specialists: [1, 2]', 'specialists: [1, 9]'),
    ('tue: ["09:00-13:00", "14:00-18:00"]', 'tue: ["09:00-13:00", "12:00-18:00"]'),
    ('tue: ["09:00-13:00", "14:00-18:00"]', 'tue: ["09:15-13:00"]'),
    ('price: "2500.00"', 'price: "-1"'),
    ('cabinets: [2]', 'cabinets: [7]'),
    ('equipment: [{item_id: 5, units: 1}]', 'equipment: [{item_id: 6, units: 1}]'),
    ('category: "Диагностика"', 'colour: "red"'),
])
def test_a_bad_file_is_refused_as_a_whole_naming_the_entry(write, change, problem):
    message = refused("--cabinets", write("cabinets.yaml", CABINETS), "--items", write("items.yaml", ITEMS),
                      "--services", write("services.yaml", SERVICES.replace(change, problem)))
    assert "services.yaml is refused" in message
    assert not Specialist.objects.exists() and not Service.objects.exists()


def test_new_hours_that_would_strand_an_appointment_are_refused_naming_it(write, staff, frozen):
    load_all(write)
    starts = datetime(2026, 11, 24, 15, tzinfo=ZoneInfo("Europe/Moscow"))  # a Tuesday, within Анна's hours
    booking = appointment_create(
        service=Service.objects.get(catalog_id=1), specialist=Specialist.objects.get(catalog_id=1),
        starts_at=starts, client_name="Мария Петрова", client_phone="89990000000", actor=Actor.staff(staff),
        channel=Channel.ADMIN, now=NOW)
    message = refused("--cabinets", write("cabinets.yaml", CABINETS), "--items", write("items.yaml", ITEMS),
                      "--services", write("services.yaml", SERVICES.replace('"14:00-18:00"', '"14:00-15:00"')))
    assert booking.reference in message
    assert WorkingHours.objects.get(specialist__catalog_id=1, weekday=1, start=time(14)).end == time(18)


def test_seed_demo_loads_three_specialists_and_four_services():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert Specialist.objects.count() == 3 and Service.objects.count() == 4
    assert Cabinet.objects.count() == 2
