"""From a free-text request to the wizards' ground: the catalogue read from the database, the dialog data and
service arguments a complete parse gives (and a booking made with them through the same service), the card of
what was understood and the question for what is missing, in Russian and English."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from integrations.freetext import CABINET, EQUIPMENT, Entry, parse
from integrations.freetext.booking import (
    NotReady,
    cabinet_dialog,
    card_text,
    catalogue,
    daypart_window,
    equipment_dialog,
    question,
    service_arguments,
)
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def clinic():
    two = factories.with_week(factories.CabinetFactory(name="Кабинет №2", number="102", sort_order=1))
    one = factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="101", sort_order=0))
    closed = factories.CabinetFactory(name="Кабинет №9", number="109", is_active=False)
    philips = factories.ItemFactory(name="Аппарат Philips HD11", quantity=3)
    reserved = factories.ItemFactory(name="Лазер Fotona", permanently_reserved=True)
    return SimpleNamespace(one=one, two=two, closed=closed, philips=philips, reserved=reserved)


def read(text, *, for_manager=False, now=NOW):
    return parse(text, now=now, catalogue=catalogue(for_manager=for_manager), language="ru")


def test_the_catalogue_holds_active_cabinets_with_their_room_numbers_and_what_a_client_may_book(clinic):
    assert catalogue() == [Entry(CABINET, clinic.one.pk, "Кабинет №1", ("101",)),
                           Entry(CABINET, clinic.two.pk, "Кабинет №2", ("102",)),
                           Entry(EQUIPMENT, clinic.philips.pk, "Аппарат Philips HD11")]
    assert Entry(EQUIPMENT, clinic.reserved.pk, "Лазер Fotona") in catalogue(for_manager=True)


def test_a_cabinet_request_becomes_the_wizard_data_and_a_booking_through_the_same_service(clinic, alice):
    result = read("завтра в 15:00 кабинет 2 на час")
    assert cabinet_dialog(result) == {"cabinet": clinic.two.pk, "day": "2026-11-24", "slot": "1500", "minutes": 60,
                                      "item": 0}
    booking = cabinet_booking_create(**service_arguments(result), client_name="Ольга Смирнова",
                                     client_phone="+79990001122", actor=Actor.telegram(alice), channel=Channel.BOT,
                                     now=NOW)
    assert (booking.cabinet, booking.starts_at, booking.ends_at) == (
        clinic.two, datetime(2026, 11, 24, 15, tzinfo=MSK), datetime(2026, 11, 24, 16, tzinfo=MSK))


def test_a_room_number_and_an_item_named_with_the_cabinet_go_into_the_booking(clinic, alice):
    result = read("кабинет 101 с Филипсом послезавтра с 10 до 11:30")
    arguments = service_arguments(result)
    assert arguments["cabinet"] == clinic.one and arguments["equipment"] == [(clinic.philips, 1)]
    booking = cabinet_booking_create(**arguments, client_name="Ольга Смирнова", client_phone="+79990001122",
                                     actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    assert [line.item for line in booking.equipment_bookings.all()] == [clinic.philips]
    assert booking.ends_at == datetime(2026, 11, 25, 11, 30, tzinfo=MSK)


def test_two_units_of_an_item_with_a_cabinet_are_booked_by_the_service_not_the_one_unit_wizard(clinic, alice):
    result = read("кабинет 2 завтра в 10 на час с 2 аппаратами Philips")
    with pytest.raises(NotReady, match="units"):
        cabinet_dialog(result)
    arguments = service_arguments(result)
    assert arguments["equipment"] == [(clinic.philips, 2)]
    booking = cabinet_booking_create(**arguments, client_name="Ольга Смирнова", client_phone="+79990001122",
                                     actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    assert [(line.item, line.units) for line in booking.equipment_bookings.all()] == [(clinic.philips, 2)]
    with translation.override("ru"):
        assert card_text(result, catalogue()).endswith("🛠 Аппарат Philips HD11 × 2")


def test_an_equipment_request_books_its_units_for_its_days(clinic, alice):
    result = read("2 аппарата Philips с 10 по 12 декабря")
    assert equipment_dialog(result) == {"item": clinic.philips.pk, "start": "2026-12-10", "end": "2026-12-12",
                                        "units": 2}
    booking = equipment_booking_create(**service_arguments(result), client_name="Ольга Смирнова",
                                       client_phone="+79990001122", actor=Actor.telegram(alice),
                                       channel=Channel.BOT, now=NOW)
    assert (booking.item, booking.start_date, booking.end_date, booking.units) == (
        clinic.philips, date(2026, 12, 10), date(2026, 12, 12), 2)


def test_a_reserved_item_is_not_in_a_client_catalogue_so_it_is_never_booked_by_a_client(clinic):
    assert read("Fotona завтра").ids == ()
    assert read("Fotona завтра", for_manager=True).ids == (clinic.reserved.pk,)


def test_an_incomplete_request_or_one_whose_cabinet_went_is_not_ready(clinic):
    with pytest.raises(NotReady, match="resource"):
        service_arguments(read("кабинет завтра в 15:00 на час"))
    with pytest.raises(NotReady, match="time"):
        service_arguments(read("кабинет 2 завтра после обеда на час"))
    result = read("кабинет 2 завтра в 15:00 на час")
    clinic.two.is_active = False
    clinic.two.save()
    with pytest.raises(NotReady, match="resource"):
        service_arguments(result)


def test_a_number_left_unread_keeps_the_request_from_being_booked(clinic):
    result = read("кабинет 2 завтра в 15:00 на час 17")
    assert result.missing == () and not result.complete
    with pytest.raises(NotReady):
        cabinet_dialog(result)
    with translation.override("ru"):
        assert question(result, catalogue()) == "Не понял «17». Напишите, пожалуйста, запрос ещё раз."


def test_the_card_shows_what_was_understood_in_the_readers_language(clinic):
    result = read("кабинет 2 с Филипсом завтра в 15:00 на полтора часа")
    with translation.override("ru"):
        assert card_text(result, catalogue()) == (
            "Вот что я понял:\n🚪 Кабинет №2\n📅 24.11.2026 15:00–16:30\n⏱ 1 ч 30 мин\n🛠 Аппарат Philips HD11")
    with translation.override("en"):
        assert card_text(result, catalogue()).startswith("This is what I understood:\n🚪 Кабинет №2\n")
    equipment = read("2 аппарата Philips с 10 по 12 декабря")
    with translation.override("ru"):
        assert card_text(equipment, catalogue()) == (
            "Вот что я понял:\n🏢 Аппарат Philips HD11 × 2\n📅 10.12.2026 – 12.12.2026")


def test_each_missing_field_gets_its_own_question(clinic):
    entries = catalogue()
    with translation.override("ru"):
        assert question(read("кабинет завтра в 15:00 на час"), entries) == "Какой кабинет: Кабинет №1, Кабинет №2?"
        assert question(read("кабинет 7 завтра"), entries) == "Такого кабинета нет. Какой кабинет вам нужен?"
        assert question(read("УЗИ в пятницу после обеда"), entries).startswith("Не нашёл «узи»")
        assert question(read("Philips на 3 дня"), entries).startswith("На какие даты?")
        assert question(read("кабинет 2 в 15:00 на час"), entries).startswith("На какой день?")
        assert question(read("кабинет 2 в пятницу после обеда на час"), entries) == (
            "В какое время после обеда (12:00–17:00)?")
        assert question(read("кабинет 2 завтра в 15:00"), entries).startswith("На сколько?")
        assert question(read("кабинет 2 завтра в 15:00 на час"), entries) is None
    with translation.override("en"):
        assert question(read("кабинет 2 в пятницу утром на час"), entries) == (
            "At what time in the morning (08:00–12:00)?")


def test_after_lunch_gives_the_afternoon_of_that_day_to_offer_free_times_from(clinic):
    result = read("кабинет 2 в пятницу после обеда на 2 часа")
    assert daypart_window(result) == (datetime(2026, 11, 27, 12, tzinfo=MSK), datetime(2026, 11, 27, 17, tzinfo=MSK))
    assert daypart_window(read("кабинет 2 в пятницу в 15:00 на час")) is None


def test_a_cabinet_with_some_equipment_asks_which_item(clinic):
    factories.ItemFactory(name="Аппарат Mindray DC-70")
    result = read("кабинет 2 с аппаратом завтра в 10 на час")
    assert result.missing == ("equipment",)
    with pytest.raises(NotReady):
        service_arguments(result)
    with translation.override("ru"):
        assert question(result, catalogue()) == "Какое оборудование: Аппарат Philips HD11, Аппарат Mindray DC-70?"
        assert card_text(result, catalogue()).endswith("🛠 ?")
