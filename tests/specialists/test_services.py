"""Booking a service: the specialist, a cabinet and the equipment in one step, or a clear refusal."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking, MaintenanceWindow
from kernel.channels import Actor
from kernel.errors import BookingError
from specialists.models import DayOff, ServiceEquipment
from specialists.rules import check_within_hours
from tests import factories
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at, specialist

pytestmark = pytest.mark.django_db


def refusal(call) -> BookingError:
    with pytest.raises(BookingError) as refused:
        call()
    return refused.value


def test_an_appointment_is_a_cabinet_booking_naming_its_service_and_specialist(ultrasound, anna, rooms, book):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=2)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    appointment = book(ultrasound, at(TUE, 10), specialist=anna)
    assert (appointment.service, appointment.specialist, appointment.cabinet) == (ultrasound, anna, rooms[0])
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=60)
    assert list(EquipmentBooking.objects.filter(cabinet_booking=appointment).values_list("item", "units")) == [
        (scanner.pk, 1)]


def test_a_specialist_with_an_appointment_is_busy_in_every_cabinet(ultrasound, anna, rooms, book):
    book(ultrasound, at(TUE, 10), specialist=anna, cabinet=rooms[0])
    assert refusal(lambda: book(ultrasound, at(TUE, 10, 30), specialist=anna, cabinet=rooms[1])).code \
        == "specialist_busy"
    assert book(ultrasound, at(TUE, 11), specialist=anna, cabinet=rooms[1]).specialist == anna


def test_times_outside_the_hours_or_across_the_break_are_refused(ultrasound, anna, book):
    assert refusal(lambda: book(ultrasound, at(TUE, 12, 30), specialist=anna)).code == "outside_hours"
    assert refusal(lambda: book(ultrasound, at(TUE, 8), specialist=anna)).code == "outside_hours"
    assert refusal(lambda: book(ultrasound, at(TUE, 17, 30), specialist=anna)).code == "outside_hours"
    error = refusal(lambda: book(ultrasound, at(TUE, 13), specialist=anna))
    assert error.code == "outside_hours" and error.details["hours"] == [["09:00", "13:00"], ["14:00", "18:00"]]


def test_a_day_off_is_refused_as_a_day_off(ultrasound, anna, book):
    DayOff.objects.create(specialist=anna, from_date=TUE, to_date=TUE)
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna)).code == "day_off"


def test_the_rules_alone_refuse_outside_the_hours(anna):
    check_within_hours(anna, at(TUE, 9), at(TUE, 13))
    with pytest.raises(BookingError) as refused:
        check_within_hours(anna, at(TUE, 12), at(TUE, 14))
    assert refused.value.code == "outside_hours"
    with pytest.raises(BookingError) as refused:
        check_within_hours(anna, at(TUE + timedelta(days=4), 10), at(TUE + timedelta(days=4), 11))  # Saturday
    assert refused.value.code == "day_off"


def test_a_holiday_is_closed(ultrasound, book):
    factories.holiday(TUE)
    assert refusal(lambda: book(ultrasound, at(TUE, 10))).code == "closed"


def test_the_cabinet_must_be_one_the_service_may_use(ultrasound, rooms, anna, book):
    ultrasound.cabinets.set([rooms[1]])
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna, cabinet=rooms[0])).code == "invalid"
    assert book(ultrasound, at(TUE, 10), specialist=anna).cabinet == rooms[1]


def test_a_taken_cabinet_is_slot_taken_when_no_allowed_cabinet_is_left(ultrasound, rooms, anna, boris, book):
    ultrasound.cabinets.set([rooms[0]])
    book(ultrasound, at(TUE, 11), specialist=anna)
    assert refusal(lambda: book(ultrasound, at(TUE, 11), specialist=boris)).code == "slot_taken"


def test_a_closed_cabinet_is_closed(ultrasound, rooms, book):
    ultrasound.cabinets.set([rooms[0]])
    factories.closure(rooms[0], TUE)
    assert refusal(lambda: book(ultrasound, at(TUE, 11))).code == "closed"


def test_equipment_out_refuses_with_no_capacity_and_books_nothing(ultrasound, anna, book):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    MaintenanceWindow.objects.create(item=scanner, units=1, start_date=TUE, end_date=TUE, reason="Поверка",
                                     created_at=NOW)
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna)).code == "no_capacity"
    assert not CabinetBooking.objects.exists()


def test_any_specialist_is_the_one_with_fewest_booked_minutes_then_the_lowest_id(ultrasound, anna, boris, book):
    # Both free at 11:00 and neither booked: the lowest id.
    first = book(ultrasound, at(TUE, 11))
    assert first.specialist == min(anna, boris, key=lambda s: s.pk)
    # Now the first one has 60 booked minutes that day: the other one is chosen, in the next free cabinet.
    second = book(ultrasound, at(TUE, 11))
    assert second.specialist == max(anna, boris, key=lambda s: s.pk)
    assert (first.cabinet.sort_order, second.cabinet.sort_order) == (1, 2)
    # Everyone of the service is busy at 11:30.
    assert refusal(lambda: book(ultrasound, at(TUE, 11, 30))).code == "specialist_busy"


def test_any_specialist_prefers_the_less_booked_one_whatever_their_ids(ultrasound, anna, boris, book):
    for hour in (14, 15):
        book(ultrasound, at(TUE, hour), specialist=anna if anna.pk < boris.pk else boris)
    lighter = boris if anna.pk < boris.pk else anna
    assert book(ultrasound, at(TUE, 10)).specialist == lighter


def test_any_specialist_at_a_time_only_one_of_them_works_books_that_one(ultrasound, anna, boris, book):
    assert book(ultrasound, at(TUE, 9)).specialist == anna
    assert book(ultrasound, at(TUE, 18)).specialist == boris
    assert refusal(lambda: book(ultrasound, at(TUE, 19))).code == "outside_hours"


def test_the_same_request_twice_gives_the_same_choice(ultrasound, anna, boris, rooms, book, staff):
    night = specialist("Вера Ночная", {1: [(time(9), time(18))]})
    ultrasound.specialists.add(night)
    chosen = book(ultrasound, at(TUE, 12))
    cabinet_booking_cancel(booking=chosen, actor=Actor.staff(staff), now=NOW)
    again = book(ultrasound, at(TUE, 12))
    assert (again.specialist, again.cabinet) == (chosen.specialist, chosen.cabinet)


def test_an_inactive_service_or_a_specialist_who_does_not_perform_it_is_refused(ultrasound, anna, book):
    stranger = specialist("Глеб Хирург", {1: [(time(9), time(18))]})
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=stranger)).code == "invalid"
    anna.is_active = False
    anna.save()
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna)).code == "inactive"
    assert book(ultrasound, at(TUE, 10)).specialist.name == "Борис Иванов"  # "any" leaves her out
    anna.is_active = True
    anna.save()
    ultrasound.is_active = False
    ultrasound.save()
    assert refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna)).code == "inactive"


def test_a_start_off_the_grid_is_not_a_slot(ultrasound, anna, book):
    assert refusal(lambda: book(ultrasound, at(TUE, 10, 15), specialist=anna)).code == "not_a_slot"


def test_the_refusals_speak_russian_by_default_and_english_on_request(ultrasound, anna, book):
    from django.utils import translation

    book(ultrasound, at(TUE, 10), specialist=anna)
    with translation.override("ru"):
        assert str(refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna))) == \
            "У специалиста Анна Смирнова уже есть запись 24.11.2026 в 10:00."
    with translation.override("en"):
        assert str(refusal(lambda: book(ultrasound, at(TUE, 10), specialist=anna))) == \
            "Анна Смирнова already has an appointment at 10:00 on 24.11.2026."
        assert str(BookingError("outside_hours")) == "The specialist does not work at that time."


def test_a_time_too_soon_or_past_is_refused_by_the_cabinets_own_rules(ultrasound, anna, book):
    today = NOW.date()  # Monday, 10:00 now: bookable from 11:00
    assert refusal(lambda: book(ultrasound, at(today, 10, 30), specialist=anna)).code == "too_soon"
    assert refusal(lambda: book(ultrasound, at(today, 9))).code == "date_in_past"
    assert book(ultrasound, at(today, 11), specialist=anna).specialist == anna


def test_on_the_day_clocks_go_forward_an_hour_through_the_gap_is_refused(settings, db, book):
    from zoneinfo import ZoneInfo

    from specialists.models import Service

    settings.TIME_ZONE = "Europe/Berlin"
    berlin, sunday = ZoneInfo("Europe/Berlin"), date(2027, 3, 28)
    factories.with_week(factories.CabinetFactory(name="Ночной кабинет"), opens=time(0), closes=time(6), lunch=None)
    night = specialist("Ночной врач", {6: [(time(1), time(5))]})
    service = Service.objects.create(name="Ночная процедура", duration_minutes=60)
    service.specialists.set([night])
    now = at(date(2027, 3, 15), 10, tz=berlin)
    assert refusal(lambda: book(service, at(sunday, 1, 30, tz=berlin), now=now)).code == "not_a_slot"
    appointment = book(service, at(sunday, 3, tz=berlin), now=now)
    assert appointment.ends_at - appointment.starts_at == timedelta(hours=1)
    assert f"{appointment.ends_at.astimezone(berlin):%H:%M}" == "04:00"
