"""The equipment bot, end to end: real python-telegram-bot, real webhook view, fake Bot API."""

from __future__ import annotations

from datetime import date

import pytest

from booking_site.bookings import Status
from equipment.models import EquipmentBooking
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


def book_until_name(user, item_label="ЭКГ", start="1", end=None, units=None):
    user.send("/start")
    user.send("📋 Book")
    user.press(item_label)
    user.press("›")  # December
    user.press(start)
    if end is None:
        user.press("Single day")
    else:
        user.press(end)
    if units is not None:
        user.press(units)


def test_it_greets_a_new_user_with_a_main_menu_whose_first_button_is_book(ann):
    calls = ann.send("/start")
    assert calls[-1].method == "sendMessage"
    assert "Welcome" in calls[-1].text
    assert calls[-1].keys[0] == "📋 Book"
    assert set(calls[-1].keys) >= {"📊 My bookings", "ℹ️ Help", "🔔 Reminders"}


def test_it_books_a_single_day_by_button_presses(ann, ecg, bot_api):
    book_until_name(ann, units="2")
    ann.send("Anna Smirnova")
    ann.send("8 (999) 123-45-67")
    calls = ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    assert (booking.item, booking.start_date, booking.end_date, booking.units) == (ecg, date(2026, 12, 1),
                                                                                  date(2026, 12, 1), 2)
    assert booking.status == Status.PENDING
    assert booking.client_phone == "+79991234567"
    assert f"request #{booking.pk} is created" in said(calls)
