"""The cabinet bot, end to end: real python-telegram-bot, real webhook view, fake Bot API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking_site.bookings import Status
from cabinets.models import CabinetBooking, SlotHold
from equipment.models import EquipmentBooking
from tests.conftest import MSK
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(transactional_db):
    return with_week(CabinetFactory(name="Кабинет 1"))


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


@pytest.fixture
def ben_cab(user_factory):
    return user_factory(1002, bot="cabinet", first_name="Ben")


def at(hour, minute=0, day=24):
    return datetime(2026, 11, day, hour, minute, tzinfo=MSK)


def choose_slot(user, cabinet="Кабинет 1", day="24", slot="10:00"):
    user.send("/start")
    user.send("/book")
    user.press(cabinet)
    user.press(day)
    return user.press(slot)


def test_it_books_a_cabinet_with_equipment_by_button_presses(ann_cab, room, bot_api):
    ItemFactory(name="УЗИ", quantity=1)
    choose_slot(ann_cab)
    durations = ann_cab.labels()
    assert durations[:3] == ["30 min", "1 h", "1 h 30 min"]
    assert "3 h 30 min" not in durations  # lunch at 13:00 cuts the run
    ann_cab.press("1 h 30 min")
    ann_cab.press("УЗИ")
    ann_cab.send("Anna Smirnova")
    ann_cab.share_contact("+79991234567")
    calls = ann_cab.press("✅ Confirm")
    booking = CabinetBooking.objects.get()
    assert (booking.starts_at, booking.ends_at, booking.status) == (at(10), at(11, 30), Status.PENDING)
    assert EquipmentBooking.objects.get().cabinet_booking == booking
    assert f"request #{booking.pk} is created" in said(calls)
    assert not SlotHold.objects.exists()


def test_it_shows_only_free_slots_and_no_lunch(ann_cab, room):
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    labels = ann_cab.labels()
    assert "09:00" in labels and "12:30" in labels and "14:00" in labels
    assert "13:00" not in labels and "13:30" not in labels


def test_a_held_slot_is_not_offered_to_a_second_user_until_the_hold_expires(ann_cab, ben_cab, room, clock):
    choose_slot(ann_cab)
    assert SlotHold.objects.get().starts_at == at(10)
    ben_cab.send("/book")
    ben_cab.press("Кабинет 1")
    ben_cab.press("24")
    assert "10:00" not in ben_cab.labels()
    calls = ben_cab.press_data("w:slot:1000", ben_cab.find("09:00")[1])
    assert "just been taken" in said(calls)
    clock.shift(timedelta(minutes=11))
    ben_cab.send("/book")
    ben_cab.press("Кабинет 1")
    ben_cab.press("24")
    assert "10:00" in ben_cab.labels()
    ben_cab.press("10:00")
    assert SlotHold.objects.get(holder__telegram_id=ben_cab.id).starts_at == at(10)
