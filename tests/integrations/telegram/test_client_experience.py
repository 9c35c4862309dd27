"""What a returning client notices in the bots: their name and phone offered from their last booking, and
references (E-3, C-3) that say which kind of booking a number belongs to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_equipment_bot import book_until_name

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


@pytest.fixture
def room(transactional_db):
    return with_week(CabinetFactory(name="Кабинет 1"))


def book_equipment_once(user, name="Anna Smirnova", phone="8 (999) 123-45-67"):
    book_until_name(user, units="1")
    user.send(name)
    user.send(phone)
    user.press("Skip")  # the birthday question
    return user.press("✅ Confirm")


def test_a_returning_client_books_again_with_two_taps_instead_of_typing(ann, ecg, clock):
    book_equipment_once(ann)
    clock.shift(timedelta(minutes=1))  # twenty updates a minute is the flood limit
    book_until_name(ann, start="2", units="1")
    assert "tap the one you gave last time" in ann.last_text()
    calls = ann.press("👤 Anna Smirnova")
    [phone_screen] = [c for c in calls if c.method == "sendMessage"]
    assert "Tap the phone number you gave last time" in phone_screen.text
    assert phone_screen.keys[0] == "+7 999 123-45-67"  # one tap sends it like a typed number
    calls = ann.send(phone_screen.keys[0])
    assert "Please check the request" in said(calls) and "Anna Smirnova" in said(calls)
    ann.press("✅ Confirm")
    latest = EquipmentBooking.objects.order_by("-pk").first()
    assert (latest.client_name, latest.client_phone) == ("Anna Smirnova", "+79991234567")
    assert EquipmentBooking.objects.count() == 2


def test_the_cabinet_bot_offers_what_was_given_in_the_equipment_bot(ann, ecg, room):
    book_equipment_once(ann, name="Anna Smirnova")
    ann_cab = ann.on("cabinet")
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    ann_cab.press("10:00")
    ann_cab.press("1 h")
    ann_cab.press("No equipment")
    assert "👤 Anna Smirnova" in ann_cab.labels()


def test_a_first_time_client_is_simply_asked(ann, ecg):
    book_until_name(ann, units="1")
    assert "Enter your full name:" in ann.last_text()
    assert not [label for label in ann.labels() if label.startswith("👤")]
    calls = ann.send("Anna Smirnova")
    assert [c.keys for c in calls if c.method == "sendMessage"][-1][0] == "📱 Share my phone"


def test_a_manager_is_not_offered_the_last_clients_details(boss, ecg):
    book_equipment_once(boss, name="Client One")
    book_until_name(boss, start="2", units="1")
    assert "Enter the client's full name:" in boss.last_text()
    assert not [label for label in boss.labels() if label.startswith("👤")]


def test_confirmations_and_manager_requests_carry_the_reference(ann, boss, ecg, bot_api):
    calls = book_equipment_once(ann)
    booking = EquipmentBooking.objects.get()
    assert f"Your request E-{booking.pk} is created" in said(calls)
    assert f"#{booking.pk}" not in said(calls)
    to_manager = bot_api.of("sendMessage", chat_id=9001)[-1].text
    assert f"New request E-{booking.pk}" in to_manager and f"Booking E-{booking.pk}" in to_manager


def test_cancel_booking_takes_the_reference_the_bot_shows(user_factory, room):
    ann_cab = user_factory(1001, bot="cabinet", first_name="Ann")
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    ann_cab.press("10:00")
    ann_cab.press("1 h")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    ann_cab.press("✅ Confirm")
    booking = CabinetBooking.objects.get()
    assert "Cancel this booking?" in said(ann_cab.send(f"/cancel_booking C-{booking.pk}"))
    assert "Cancel this booking?" in said(ann_cab.send(f"/cancel_booking c-{booking.pk}"))
    assert "not found" in said(ann_cab.send(f"/cancel_booking E-{booking.pk}"))
    assert "for example /cancel_booking C-12" in said(ann_cab.send("/cancel_booking X-Y"))


def test_the_help_names_a_booking_by_its_reference(user_factory, room):
    ann_cab = user_factory(1001, bot="cabinet", first_name="Ann")
    text = said(ann_cab.send("/help"))
    assert "/cancel_booking C-12 — cancel one of your bookings" in text and "<id>" not in text
