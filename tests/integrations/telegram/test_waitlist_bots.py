"""The waitlist in both bots, end to end through the fake Bot API: Join the waitlist on a refusal, waits in My
bookings with Leave, and the offer message with Book and No, thanks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from cabinets.waitlist import cabinet_waits_sweep
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from equipment.waitlist import equipment_wait_join
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.waitlist.models import Wait
from tests.conftest import NOW
from tests.factories import CabinetFactory, ItemFactory, with_week
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_cabinet_bot import choose_slot

pytestmark = pytest.mark.django_db(transaction=True)
DAY = date(2026, 12, 1)


@pytest.fixture
def holter(transactional_db):
    return ItemFactory(name="Холтер", quantity=1)


def refused_at_confirm(user, item):
    """The user picks 1 December; someone else takes the last unit before they press Confirm."""
    user.send("/start")
    user.send("📋 Book")
    user.press(item.name)
    user.press("›")
    user.press("1")
    user.press("Single day")
    user.send("Anna Smirnova")
    user.send("+7 999 123 45 67")
    user.press("Skip")  # the birthday question
    taken = equipment_booking_create(item=item, start_date=DAY, end_date=DAY, units=1, client_name="Пётр Иванов",
                                     client_phone="+79990000000", actor=Actor.system(), channel=Channel.ADMIN,
                                     now=NOW)
    return taken, user.press("✅ Confirm")


def test_equipment_join_list_book(ann, holter, bot_api):
    taken, calls = refused_at_confirm(ann, holter)
    assert "not enough free units" in said(calls)
    calls = ann.press("🕒 Join the waitlist")
    assert "You are on the waitlist, number 1 in line" in said(calls)
    wait = Wait.objects.get()
    assert (wait.resource_type, wait.resource_id, wait.start_date, wait.end_date, wait.units, wait.status) == (
        "equipment", holter.pk, DAY, DAY, 1, "waiting")
    assert wait.client_phone == "+79991234567"

    calls = ann.send("📊 My bookings")
    assert "Number 1 in line" in said(calls) and "Холтер" in said(calls)
    assert "Leave the waitlist" in ann.labels()

    equipment_booking_cancel(booking=taken, actor=Actor.system(), now=NOW)
    offer = bot_api.of(chat_id=ann.id)[-1]
    assert "held for you until 23.11.2026 10:30" in offer.text
    assert [b["text"] for b in offer.buttons] == ["📋 Book", "No, thanks"]

    calls = ann.press("📋 Book")
    booking = EquipmentBooking.objects.get(requester__telegram_id=ann.id)
    assert (booking.status, booking.start_date, booking.units) == (Status.PENDING, DAY, 1)
    assert f"request {booking.reference} is created" in said(calls)
    assert Wait.objects.get().status == Wait.Status.BOOKED
    assert "out of date" not in said(ann.press("📋 Book"))  # pressing again shows the same booking
    assert EquipmentBooking.objects.filter(requester__telegram_id=ann.id).count() == 1


def test_equipment_no_thanks_passes_the_offer_to_the_next_waiter(ann, ben, holter, bot_api):
    taken, _calls = refused_at_confirm(ann, holter)
    ann.press("🕒 Join the waitlist")
    ben.send("/start")
    ben.send("📋 Book")
    ben.press("Холтер")
    ben.press("›")
    assert "1" not in ben.labels()  # the full day cannot be picked
    # Ben cannot pick the full day, so he joins through the service, second in line.
    equipment_wait_join(item=holter, start_date=DAY, units=1, client_name="Ben Brown", client_phone="+79990001111",
                        actor=Actor.telegram(TelegramAccount.objects.get(telegram_id=ben.id)), channel=Channel.BOT,
                        now=NOW)
    equipment_booking_cancel(booking=taken, actor=Actor.system(), now=NOW)
    assert "held for you" in ann.last_text()
    calls = ann.press("No, thanks")
    assert "passes to the next person" in said(calls)
    assert "held for you" in ben.last_text()
    assert [b["text"] for b in bot_api.of(chat_id=ben.id)[-1].buttons] == ["📋 Book", "No, thanks"]


def test_equipment_leave_the_waitlist_from_my_bookings(ann, holter):
    refused_at_confirm(ann, holter)
    ann.press("🕒 Join the waitlist")
    ann.send("📊 My bookings")
    calls = ann.press("Leave the waitlist")
    assert "You have left the waitlist" in said(calls)
    assert Wait.objects.get().status == Wait.Status.CANCELLED
    assert "in line" not in said(ann.send("📊 My bookings"))


def test_a_join_button_from_a_finished_dialog_is_out_of_date(ann, holter):
    refused_at_confirm(ann, holter)
    button, message_id = ann.find("🕒 Join the waitlist")
    ann.send("/start")
    assert "out of date" in said(ann.press_data(button["callback_data"], message_id))
    assert not Wait.objects.exists()


def test_in_russian_the_waitlist_buttons_are_translated(user_factory, holter):
    ivan = user_factory(1003, first_name="Иван", language="ru")
    ivan.send("/start")
    ivan.send("📋 Создать заявку")
    ivan.press("Холтер")
    ivan.press("›")
    ivan.press("1")
    ivan.press("Один день")
    ivan.send("Иван Петров")
    ivan.send("+7 999 123 45 67")
    ivan.press("Пропустить")  # the birthday question
    equipment_booking_create(item=holter, start_date=DAY, end_date=DAY, units=1, client_name="Пётр Иванов",
                             client_phone="+79990000000", actor=Actor.system(), channel=Channel.ADMIN, now=NOW)
    ivan.press("✅ Подтвердить")
    calls = ivan.press("🕒 Встать в лист ожидания")
    assert "Вы в листе ожидания" in said(calls)


@pytest.fixture
def room(transactional_db):
    return with_week(CabinetFactory(name="Кабинет 1"))


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


@pytest.fixture
def ben_cab(user_factory):
    return user_factory(1002, bot="cabinet", first_name="Ben")


def test_cabinet_join_list_offer_book(ann_cab, ben_cab, room, clock, bot_api):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    clock.shift(timedelta(minutes=11))  # Ann's hold lapses and Ben books 10:00
    choose_slot(ben_cab)
    ben_cab.press("30 min")
    ben_cab.send("Ben Brown")
    ben_cab.send("+79990001111")
    ben_cab.press("Skip")  # the birthday question
    ben_cab.press("✅ Confirm")
    calls = ann_cab.press("✅ Confirm")
    assert "just been taken" in said(calls)
    calls = ann_cab.press("🕒 Join the waitlist")
    assert "number 1 in line" in said(calls)
    wait = Wait.objects.get()
    assert (wait.resource_id, wait.duration_minutes) == (room.pk, 60)
    calls = ann_cab.send("📊 My bookings")
    assert "Number 1 in line" in said(calls) and "10:00–11:00" in said(calls)

    bens = CabinetBooking.objects.get()
    ben_cab.press_data(f"cab:cxy:{bens.pk}", 1)
    assert CabinetBooking.objects.get().status == Status.CANCELLED
    offer = bot_api.of(chat_id=ann_cab.id)[-1]
    assert "held for you" in offer.text and "10:00–11:00" in offer.text
    calls = ann_cab.press("📋 Book")
    booking = CabinetBooking.objects.get(requester__telegram_id=ann_cab.id)
    assert (booking.status, booking.duration_minutes) == (Status.PENDING, 60)
    assert f"request {booking.reference} is created" in said(calls)


def test_cabinet_no_thanks_and_leave(ann_cab, ben_cab, room, clock, bot_api):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    clock.shift(timedelta(minutes=11))
    choose_slot(ben_cab)
    ben_cab.press("1 h")  # Ben only holds 10:00–11:00
    ann_cab.press("✅ Confirm")
    ann_cab.press("🕒 Join the waitlist")
    clock.shift(timedelta(minutes=11))  # Ben's hold lapses: the sweep offers the window to Ann
    cabinet_waits_sweep(now=NOW + timedelta(minutes=22))
    assert "held for you" in ann_cab.last_text()
    calls = ann_cab.press("No, thanks")
    assert "passes to the next person" in said(calls)
    assert Wait.objects.get().status == Wait.Status.DECLINED


def test_cabinet_leave_the_waitlist_from_my_bookings(ann_cab, ben_cab, room, clock):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    clock.shift(timedelta(minutes=11))
    choose_slot(ben_cab)
    ben_cab.press("1 h")
    ann_cab.press("✅ Confirm")
    ann_cab.press("🕒 Join the waitlist")
    ann_cab.send("📊 My bookings")
    calls = ann_cab.press("Leave the waitlist")
    assert "You have left the waitlist" in said(calls)
    assert Wait.objects.get().status == Wait.Status.CANCELLED
