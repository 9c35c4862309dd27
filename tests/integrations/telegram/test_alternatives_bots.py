"""A refusal in the bots shows the nearest alternatives as buttons; one tap fills the alternative in and
jumps to Confirm, and Confirm books it. Through the real webhook and the fake Bot API."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.models import Dialog
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_equipment_bot import book_for, book_until_name

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_day_taken_before_confirm_offers_other_dates_and_one_tap_books_one(ann, transactional_db):
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    book_until_name(ann)  # 1 December, a single day
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    book_for(ecg, date(2026, 12, 1))  # someone else was faster
    calls = ann.press("✅ Confirm")
    assert "Free nearby" in said(calls)
    labels = [label for label in ann.labels() if label.startswith("📅")]
    assert [label[2:12] for label in labels] == ["30.11.2026", "02.12.2026", "29.11.2026"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in calls[-1].buttons)
    assert Dialog.objects.get(bot="equipment").state == "alternatives"
    calls = ann.press(labels[1])
    assert "Please check the request" in said(calls) and "Anna Smirnova" in said(calls)
    ann.press("✅ Confirm")
    mine = EquipmentBooking.objects.get(client_name="Anna Smirnova")
    assert (mine.item, mine.start_date, mine.end_date) == (ecg, date(2026, 12, 2), date(2026, 12, 2))


def test_back_from_the_alternatives_returns_to_the_calendar(ann, transactional_db):
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    book_until_name(ann)
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    book_for(ecg, date(2026, 12, 1))
    ann.press("✅ Confirm")
    assert "Choose the first day" in said(ann.press("⬅️ Back"))


def test_a_stale_alternative_button_is_refused(ann, transactional_db):
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    book_until_name(ann)
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    book_for(ecg, date(2026, 12, 1))
    ann.press("✅ Confirm")
    _button, message_id = ann.find("📅")
    assert "out of date" in said(ann.press_data("w:alt:9", message_id))


def test_a_slot_taken_before_confirm_offers_nearby_windows_and_one_tap_books_one(user_factory, clock,
                                                                                transactional_db):
    room = with_week(CabinetFactory(name="Кабинет 1"))
    ann, ben = user_factory(1001, bot="cabinet"), user_factory(1002, bot="cabinet", first_name="Ben")
    for user in (ann, ben):
        user.send("/start")
        user.send("/book")
        user.press("Кабинет 1")
        user.press("24")
        user.press("10:00")
        if user is ann:
            user.press("1 h")
            user.send("Anna Smirnova")
            user.send("+79991234567")
            user.press("Skip")  # the birthday question
            clock.shift(timedelta(minutes=11))  # Ann's hold lapses while she hesitates
        else:
            user.press("30 min")
    calls = ann.press("✅ Confirm")
    assert "just been taken" in said(calls)
    labels = [label for label in ann.labels() if label.startswith("🕐")]
    assert labels and "10:30" in labels[0] and "Кабинет 1" in labels[0]
    calls = ann.press(labels[0])
    assert "Please check the request" in said(calls)
    ann.press("✅ Confirm")
    mine = CabinetBooking.objects.get(client_name="Anna Smirnova")
    assert (mine.cabinet, mine.starts_at, mine.duration_minutes) == (
        room, datetime(2026, 11, 24, 10, 30, tzinfo=MSK), 60)
    assert NOW < mine.starts_at
