"""Booking by free text in both bots, through the real webhook and the fake Bot API: a typed request becomes
the card of what was understood; only what is missing is asked (with the wizard's keyboards); Confirm books
through the wizard's own services and refusals; nothing is booked before Confirm."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from integrations.freetext import AFTERNOON
from integrations.freetext.times import DAYPARTS
from integrations.models import Dialog
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_equipment_bot import book_for

pytestmark = pytest.mark.django_db(transaction=True)

TOMORROW = date(2026, 11, 24)


@pytest.fixture
def rooms(transactional_db):
    return [with_week(CabinetFactory(name=f"Кабинет {n}", number=str(n), sort_order=n)) for n in (1, 2)]


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", language="ru")


def taken(room, starts_at, minutes=60):
    return cabinet_booking_create(cabinet=room, starts_at=starts_at, duration_minutes=minutes,
                                  client_name="Пётр Иванов", client_phone="+79990000000", actor=Actor.system(),
                                  channel=Channel.BOT, now=NOW)


def test_a_cabinet_request_in_free_text_shows_the_card_and_confirm_books_those_times(ann_cab, rooms):
    ann_cab.send("/start")
    calls = ann_cab.send("завтра в 15:00 кабинет 2 на час")
    card = said(calls)
    assert "Кабинет 2" in card and "15:00–16:00" in card
    assert not CabinetBooking.objects.exists()  # nothing without Confirm
    ann_cab.press("✅")
    ann_cab.send("Анна Смирнова")  # no earlier booking: the wizard asks for the name and phone
    ann_cab.send("+79991234567")
    ann_cab.press("Пропустить")  # the birthday question
    calls = ann_cab.press("✅")
    booking = CabinetBooking.objects.get()
    assert booking.cabinet == rooms[1]
    assert (booking.starts_at, booking.ends_at) == (datetime(2026, 11, 24, 15, tzinfo=MSK),
                                                    datetime(2026, 11, 24, 16, tzinfo=MSK))
    assert booking.client_name == "Анна Смирнова" and booking.reference in said(calls)


def test_a_returning_client_books_from_the_card_with_the_name_and_phone_of_last_time(ann_cab, rooms):
    taken(rooms[0], datetime(2026, 11, 25, 10, tzinfo=MSK))  # another client's booking stays theirs
    ann_cab.send("/start")
    ann_cab.send("завтра в 10:00 кабинет 1 на 30 минут")
    ann_cab.press("✅")
    ann_cab.send("Анна Смирнова")
    ann_cab.send("+79991234567")
    ann_cab.press("Пропустить")  # the birthday question
    ann_cab.press("✅")
    calls = ann_cab.send("cabinet 2 tomorrow 11:30 for 90 minutes")
    assert "Анна Смирнова" in said(calls)
    calls = ann_cab.press("✅")
    second = CabinetBooking.objects.get(cabinet=rooms[1])
    assert (second.starts_at, second.duration_minutes) == (datetime(2026, 11, 24, 11, 30, tzinfo=MSK), 90)
    assert second.client_phone == "+79991234567" and second.reference in said(calls)


def test_two_cabinets_that_fit_are_offered_as_buttons_and_the_pick_shows_the_card(ann_cab, rooms):
    ann_cab.send("/start")
    calls = ann_cab.send("кабинет завтра в 15:00 на час")
    assert "Какой кабинет" in said(calls)
    assert {"Кабинет 1", "Кабинет 2"} <= set(ann_cab.labels())
    calls = ann_cab.press("Кабинет 1")
    assert "Кабинет 1" in said(calls) and "15:00–16:00" in said(calls)
    assert Dialog.objects.get(bot="cabinet").state == "ftcard"
    assert not CabinetBooking.objects.exists()


def test_after_lunch_offers_the_afternoons_free_start_times(ann_cab, rooms):
    taken(rooms[1], datetime(2026, 11, 24, 15, tzinfo=MSK))
    ann_cab.send("/start")
    ann_cab.send("кабинет 2 завтра после обеда на час")
    times = [label for label in ann_cab.labels() if label[:2].isdigit()]
    first, last = DAYPARTS[AFTERNOON]
    assert times and all(f"{first:%H:%M}" <= label < f"{last:%H:%M}" for label in times)
    assert "15:00" not in times and "14:00" in times and "13:00" not in times  # taken; lunch
    calls = ann_cab.press("16:00")
    assert "16:00–17:00" in said(calls)


def test_a_time_taken_before_confirm_is_refused_with_alternatives_as_the_wizard_does(ann_cab, rooms, clock):
    ann_cab.send("/start")
    ann_cab.send("завтра в 15:00 кабинет 2 на час")
    taken(rooms[1], datetime(2026, 11, 24, 15, tzinfo=MSK))  # someone else was faster
    calls = ann_cab.press("✅")  # the window is held for the name and phone steps: refused at once
    assert "Free nearby" in said(calls) or "рядом" in said(calls)
    assert Dialog.objects.get(bot="cabinet").state == "alternatives"
    assert any(label.startswith("🕐") for label in ann_cab.labels())
    assert CabinetBooking.objects.count() == 1


def test_a_returning_clients_confirm_on_the_card_is_refused_with_alternatives_and_one_tap_books_one(ann_cab, rooms):
    ann_cab.send("завтра в 10:00 кабинет 1 на 30 минут")
    ann_cab.press("✅")
    ann_cab.send("Анна Смирнова")
    ann_cab.send("+79991234567")
    ann_cab.press("Пропустить")  # the birthday question
    ann_cab.press("✅")
    ann_cab.send("завтра в 15:00 кабинет 2 на час")
    taken(rooms[1], datetime(2026, 11, 24, 15, tzinfo=MSK))
    calls = ann_cab.press("✅")
    assert "рядом" in said(calls) and CabinetBooking.objects.filter(client_name="Анна Смирнова").count() == 1
    alternatives = [label for label in ann_cab.labels() if label.startswith("🕐")]
    assert alternatives
    calls = ann_cab.press(alternatives[0])
    ann_cab.press("✅")
    assert CabinetBooking.objects.filter(client_name="Анна Смирнова").count() == 2


def test_a_message_with_nothing_to_book_in_it_gets_short_help_and_the_menu(ann_cab, rooms):
    ann_cab.send("/start")
    calls = ann_cab.send("как дела у котика")
    text = said(calls)
    assert "Кабинет 1" in text  # an example with a real cabinet's name
    assert calls[-1].markup and "keyboard" in calls[-1].markup
    assert not Dialog.objects.filter(bot="cabinet").exclude(state="").exists()


def test_change_opens_the_wizard_calendar_with_the_cabinet_chosen(ann_cab, rooms):
    ann_cab.send("/start")
    ann_cab.send("завтра в 15:00 кабинет 2 на час")
    ann_cab.press("✏️")
    dialog = Dialog.objects.get(bot="cabinet")
    assert dialog.state == "date" and dialog.data["cabinet"] == rooms[1].pk


def test_only_the_day_is_asked_when_the_day_is_missing(user_factory, rooms):
    ann = user_factory(1003, bot="cabinet", language="en")
    calls = ann.send("cabinet 2 at 15:00 for an hour")
    assert "For which day" in said(calls)
    calls = ann.press("24")
    assert "15:00–16:00" in said(calls) and not CabinetBooking.objects.exists()
    assert Dialog.objects.get(bot="cabinet").state == "ftcard"


def test_only_the_lengths_that_fit_are_offered_when_the_length_is_missing(user_factory, rooms):
    taken(rooms[1], datetime(2026, 11, 24, 16, tzinfo=MSK))
    ann = user_factory(1003, bot="cabinet", language="en")
    calls = ann.send("cabinet 2 tomorrow at 15:00")
    assert "For how long" in said(calls)
    assert ann.labels()[:2] == ["30 min", "1 h"] and "1 h 30 min" not in ann.labels()
    calls = ann.press("1 h")
    assert "15:00–16:00" in said(calls)


def test_a_message_typed_at_the_card_corrects_what_it_names(ann_cab, rooms):
    ann_cab.send("завтра в 15:00 кабинет 2 на час")
    calls = ann_cab.send("в 17:00")
    assert "17:00–18:00" in said(calls) and "Кабинет 2" in said(calls)
    ann_cab.press("✅")
    ann_cab.send("Анна Смирнова")
    ann_cab.send("+79991234567")
    ann_cab.press("Пропустить")  # the birthday question
    ann_cab.press("✅")
    assert CabinetBooking.objects.get().starts_at == datetime(2026, 11, 24, 17, tzinfo=MSK)


# --- The equipment bot --------------------------------------------------------------------------------------------

def test_an_equipment_request_in_free_text_books_the_units_and_days_it_names(user_factory, transactional_db):
    philips = ItemFactory(name="Philips HeartStart", quantity=3)
    ItemFactory(name="ЭКГ аппарат", quantity=1)
    ann = user_factory(1001, bot="equipment")
    ann.send("/start")
    calls = ann.send("2 аппарата Philips с 10 по 12 декабря")
    card = said(calls)
    assert "Philips HeartStart × 2" in card and "10.12" in card
    assert not EquipmentBooking.objects.exists()
    ann.press("✅")
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    calls = ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    assert (booking.item, booking.start_date, booking.end_date, booking.units) == (
        philips, date(2026, 12, 10), date(2026, 12, 12), 2)
    assert booking.reference in said(calls)


def test_an_equipment_day_taken_before_confirm_offers_other_dates(user_factory, transactional_db):
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    ann = user_factory(1001, bot="equipment")
    ann.send("/start")
    ann.send("ЭКГ 1 декабря")
    book_for(ecg, date(2026, 12, 1))
    ann.press("✅")
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    calls = ann.press("✅ Confirm")
    assert "Free nearby" in said(calls)
    assert [label[2:12] for label in ann.labels() if label.startswith("📅")][:1] == ["30.11.2026"]
    assert EquipmentBooking.objects.count() == 1


def test_two_items_that_fit_are_offered_and_dates_not_understood_go_to_the_wizards_calendar(user_factory,
                                                                                          transactional_db):
    ItemFactory(name="Philips HeartStart", quantity=2)
    ItemFactory(name="Philips Affiniti", quantity=1)
    ann = user_factory(1001, bot="equipment")
    calls = ann.send("Philips")
    assert "Which equipment" in said(calls)
    assert {"Philips HeartStart", "Philips Affiniti"} <= set(ann.labels())
    calls = ann.press("Philips Affiniti")
    assert "Choose the first day" in said(calls)
    assert Dialog.objects.get(bot="equipment").state == "start"
    assert not EquipmentBooking.objects.exists()
