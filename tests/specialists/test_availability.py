"""The services grid: a time is offered when a specialist of the service works the whole hour and is free,
an allowed cabinet is free, and the equipment is there; a day without times says why."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from equipment.models import MaintenanceWindow
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from specialists.availability import service_days
from specialists.models import DayOff, ServiceEquipment
from tests import factories
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at, specialist

pytestmark = pytest.mark.django_db


def day_of(service, day=TUE, *, who=None, now=NOW):
    (result,) = service_days(service=service, start_date=day, end_date=day, now=now, specialist=who)
    return result


def times(service_day) -> list[str]:
    return [f"{slot.starts_at:%H:%M}" for slot in service_day.slots]


def test_a_specialist_is_offered_around_their_lunch_break_but_never_across_it(ultrasound, anna):
    tuesday = day_of(ultrasound, who=anna)
    assert tuesday.reason is None
    assert times(tuesday) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
                              "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]
    assert all(slot.specialist_ids == [anna.pk] for slot in tuesday.slots)


def test_each_time_names_every_free_specialist(ultrasound, anna, boris, rooms):
    tuesday = day_of(ultrasound)
    by_time = {f"{slot.starts_at:%H:%M}": slot for slot in tuesday.slots}
    assert by_time["09:00"].specialist_ids == [anna.pk]
    assert by_time["12:30"].specialist_ids == [boris.pk]  # Анна's hour would run into her break
    assert by_time["11:00"].specialist_ids == [anna.pk, boris.pk]
    assert by_time["18:00"].specialist_ids == [boris.pk]
    assert "18:30" not in by_time  # Борис stops at 19:00
    assert tuesday.as_dict()["slots"][0] == {"starts_at": by_time["09:00"].starts_at.isoformat(),
                                             "specialist_ids": [anna.pk]}


def test_a_day_off_removes_the_specialist_and_says_so_when_no_one_is_left(ultrasound, anna, boris):
    DayOff.objects.create(specialist=anna, from_date=TUE, to_date=TUE + timedelta(days=2), note="Отпуск")
    assert day_of(ultrasound, who=anna).reason == "day_off"
    assert day_of(ultrasound, who=anna).slots == []
    assert all(slot.specialist_ids == [boris.pk] for slot in day_of(ultrasound).slots)
    DayOff.objects.create(specialist=boris, from_date=TUE, to_date=TUE)
    assert day_of(ultrasound).reason == "day_off"


def test_a_weekend_without_hours_is_a_day_off_though_the_cabinets_are_open(ultrasound):
    saturday = date(2026, 11, 28)
    assert day_of(ultrasound, saturday).reason == "day_off"


def test_a_clinic_holiday_offers_nothing(ultrasound):
    factories.holiday(TUE, "День клиники")
    assert day_of(ultrasound).reason == "holiday" and day_of(ultrasound).slots == []


def test_a_service_whose_only_cabinet_is_closed_that_day_is_closed(ultrasound, rooms):
    ultrasound.cabinets.set([rooms[0]])
    factories.closure(rooms[0], TUE)
    assert day_of(ultrasound).reason == "closed"
    factories.closure(rooms[1], TUE + timedelta(days=1))  # not allowed for the service: no effect
    assert day_of(ultrasound, TUE + timedelta(days=1)).reason is None


def test_a_cabinet_whose_slots_are_off_the_appointment_grid_offers_nothing(ultrasound, rooms, anna):
    quarter_past = factories.with_week(factories.CabinetFactory(name="Кабинет 9:15"), opens=time(9, 15),
                                       closes=time(17, 15), lunch=None)
    ultrasound.cabinets.set([quarter_past])
    assert day_of(ultrasound).slots == []


def test_a_partial_closure_of_the_only_cabinet_removes_its_hours(ultrasound, rooms):
    ultrasound.cabinets.set([rooms[0]])
    factories.closure(rooms[0], TUE, time(11), time(15))
    offered = times(day_of(ultrasound))
    assert "10:00" in offered and "10:30" not in offered and "14:30" not in offered and "15:00" in offered


def test_an_appointment_in_any_cabinet_keeps_its_specialist_busy(ultrasound, anna, rooms, book):
    book(ultrasound, at(TUE, 10), specialist=anna, cabinet=rooms[1])
    offered = times(day_of(ultrasound, who=anna))
    assert "09:00" in offered and "09:30" not in offered and "10:00" not in offered and "10:30" not in offered
    assert "11:00" in offered
    # The other cabinet is still free, and Борис still works then.
    assert {slot.specialist_ids[0] for slot in day_of(ultrasound).slots if f"{slot.starts_at:%H:%M}" == "10:00"} \
        == {ultrasound.specialists.get(name__startswith="Борис").pk}


def test_a_fully_booked_day_says_booked(ultrasound, anna, rooms, book):
    ultrasound.specialists.set([anna])
    for hour in (9, 10, 11, 12, 14, 15, 16, 17):
        book(ultrasound, at(TUE, hour), specialist=anna)
    assert day_of(ultrasound).reason == "booked"


def test_equipment_out_of_service_makes_the_times_unavailable_with_no_capacity(ultrasound, staff):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    assert day_of(ultrasound).reason is None
    MaintenanceWindow.objects.create(item=scanner, units=1, start_date=TUE, end_date=TUE, reason="Поверка",
                                     created_at=NOW)
    assert day_of(ultrasound).reason == "no_capacity"
    assert day_of(ultrasound, TUE + timedelta(days=1)).reason is None


def test_equipment_booked_for_the_whole_day_elsewhere_is_no_capacity_too(ultrasound, staff):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    equipment_booking_create(item=scanner, start_date=TUE, client_name="Иван Петров", client_phone="89990000001",
                             actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    assert day_of(ultrasound).reason == "no_capacity"


def test_the_lead_time_and_the_horizon_come_from_the_cabinets(ultrasound):
    today = day_of(ultrasound, NOW.date())  # 10:00 now, bookable from 11:00
    assert times(today)[0] == "11:00"
    assert day_of(ultrasound, NOW.date() + timedelta(days=60)).slots == []


def test_the_range_is_at_most_31_days():
    with pytest.raises(BookingError) as refused:
        service_days(service=None, start_date=TUE, end_date=TUE + timedelta(days=31), now=NOW)
    assert refused.value.code == "range_too_long"


def test_on_the_day_clocks_go_forward_the_missing_hour_is_never_offered(settings, db):
    settings.TIME_ZONE = "Europe/Berlin"
    from zoneinfo import ZoneInfo

    from specialists.models import Service

    berlin = ZoneInfo("Europe/Berlin")
    sunday, week_before = date(2027, 3, 28), date(2027, 3, 21)
    factories.with_week(factories.CabinetFactory(name="Ночной кабинет"), opens=time(0), closes=time(6), lunch=None)
    night = specialist("Ночной врач", {6: [(time(1), time(5))]})
    service = Service.objects.create(name="Ночная процедура", duration_minutes=60)
    service.specialists.set([night])
    now = at(date(2027, 3, 15), 10, tz=berlin)

    ordinary = day_of(service, week_before, now=now)
    assert times(ordinary) == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"]
    dst = day_of(service, sunday, now=now)
    # 02:00–03:00 does not exist; an hour from 01:00 or 01:30 would run through it.
    assert [f"{s.starts_at.astimezone(berlin):%H:%M}" for s in dst.slots] == ["03:00", "03:30", "04:00"]
    assert all((s.starts_at.utcoffset().total_seconds() == 7200) for s in dst.slots)
