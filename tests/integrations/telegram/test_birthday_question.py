"""Both bots ask a client's birthday once, after the phone, with a Skip button, and never again once it is given
or skipped (the client record remembers, whichever bot asked)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accounts.models import Client
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_equipment_bot import book_until_name


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=5)


@pytest.fixture
def room(transactional_db):
    return with_week(CabinetFactory(name="Кабинет 1"))


def up_to_the_birthday(user, *, start="1", phone="+79991234567"):
    book_until_name(user, start=start, units="1")
    user.send("Anna Smirnova")
    return user.send(phone)


def test_a_new_client_is_asked_after_the_phone_and_the_birthday_reaches_the_card_and_the_client(ann, ecg):
    calls = up_to_the_birthday(ann)
    assert "Enter your date of birth" in said(calls)
    assert "Skip" in ann.labels()

    calls = ann.send("17.05.1990")
    assert "Please check the request" in said(calls) and "🎂 17.05.1990" in said(calls)
    ann.press("✅ Confirm")

    booking = EquipmentBooking.objects.get()
    assert booking.client.birthday == date(1990, 5, 17)
    assert booking.client.telegram_account.telegram_id == ann.id


def test_a_client_who_gave_it_is_not_asked_again_in_either_bot(ann, ecg, room, clock):
    up_to_the_birthday(ann)
    ann.send("1990-05-17")
    ann.press("✅ Confirm")
    clock.shift(timedelta(minutes=1))  # twenty updates a minute is the flood limit

    ann_cab = ann.on("cabinet")
    ann_cab.send("/book")
    for label in ("Кабинет 1", "24", "10:00", "1 h", "No equipment"):
        ann_cab.press(label)
    ann_cab.send("Anna Smirnova")
    calls = ann_cab.send("+79991234567")
    assert "Please check the request" in said(calls) and "date of birth" not in said(calls)
    ann_cab.press("✅ Confirm")
    assert CabinetBooking.objects.get().client_id == EquipmentBooking.objects.get().client_id


def test_a_skipped_question_is_not_asked_again_and_leaves_no_birthday(ann, ecg, clock):
    up_to_the_birthday(ann)
    calls = ann.press("Skip")
    assert "Please check the request" in said(calls) and "🎂" not in said(calls)
    ann.press("✅ Confirm")
    clock.shift(timedelta(minutes=1))

    calls = up_to_the_birthday(ann, start="2")
    assert "Please check the request" in said(calls)
    client = Client.objects.get()
    assert client.birthday is None and client.birthday_asked_at is not None


def test_another_phone_in_the_same_dialog_is_a_client_of_its_own_and_is_asked(ann, ecg):
    up_to_the_birthday(ann)
    ann.send("17.05.1990")
    ann.press("⬅️ Back")
    ann.press("⬅️ Back")
    calls = ann.send("+79990000002")
    assert "date of birth" in said(calls)
    ann.press("Skip")
    ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    assert booking.client_phone == "+79990000002" and booking.client.birthday is None


@pytest.mark.parametrize(("typed", "answer"), [
    ("yesterday", "for example 17.05.1990"),
    ("31.02.1990", "for example 17.05.1990"),
    ("01.01.2027", "cannot be in the future"),
    ("01.01.1890", "1900 or later"),
])
def test_a_date_that_cannot_be_a_birthday_is_refused_and_the_question_stays(ann, ecg, typed, answer):
    up_to_the_birthday(ann)
    calls = ann.send(typed)
    assert answer in said(calls)
    calls = ann.send("17.05.1990")
    assert "Please check the request" in said(calls)


def test_a_manager_booking_by_phone_is_asked_the_clients_birthday_and_not_linked_to_the_manager(boss, ecg):
    calls = up_to_the_birthday(boss)
    assert "Enter the client's date of birth" in said(calls)
    ann_says = boss.send("03.03.1985")
    assert "approved at once" in said(ann_says)
    boss.press("✅ Confirm")
    client = Client.objects.get()
    assert client.birthday == date(1985, 3, 3) and client.telegram_account is None


def test_in_russian_the_skip_button_and_the_question_are_translated(user_factory, ecg):
    ivan = user_factory(1003, first_name="Иван", language="ru")
    ivan.send("📋 Создать заявку")
    ivan.press("ЭКГ")
    ivan.press("›")
    ivan.press("1")
    ivan.press("Один день")
    ivan.press("1")
    ivan.send("Иван Петров")
    calls = ivan.send("+79991234567")
    assert "дату рождения" in said(calls)
    ivan.press("Пропустить")
    ivan.press("✅ Подтвердить")
    assert EquipmentBooking.objects.count() == 1
