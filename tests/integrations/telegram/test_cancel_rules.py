"""Both bots ask the resources' rules whether a booking can be cancelled: a whole-day equipment booking
begins at EQUIPMENT_DAY_STARTS (09:00 in Moscow) on its first day, the client may cancel until then, and a
manager may cancel at any time. The Cancel button is shown exactly when the cancel would be accepted."""

from __future__ import annotations

import pytest

from accounts.models import TelegramAccount
from cabinets.services import cabinet_booking_approve, cabinet_booking_create
from equipment.services import equipment_booking_approve, equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from tests.clock import TUE, at
from tests.conftest import NOW
from tests.factories import ItemFactory, StaffUserFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)

CANCEL = "❌ Cancel"


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)



def labels(calls) -> list[str]:
    return [button["text"] for call in calls for button in call.buttons]


def account_of(user) -> TelegramAccount:
    user.send("/start")
    return TelegramAccount.objects.get(telegram_id=user.id)


def equipment_for(user, item, *, approved: bool = False):
    booking = equipment_booking_create(item=item, start_date=TUE, end_date=TUE, units=1, client_name="Пётр Иванов",
                                       client_phone="+79990000000", actor=Actor.telegram(account_of(user)),
                                       channel=Channel.BOT, now=NOW)
    if approved:
        booking = equipment_booking_approve(booking=booking, actor=Actor.staff(StaffUserFactory()), now=NOW)
    return booking


def cabinet_for(user, cabinet):
    booking = cabinet_booking_create(cabinet=cabinet, starts_at=at(TUE, 10), duration_minutes=60,
                                     client_name="Пётр Иванов",
                                     client_phone="+79990000000", actor=Actor.telegram(account_of(user)),
                                     channel=Channel.BOT, now=NOW)
    return cabinet_booking_approve(booking=booking, actor=Actor.staff(StaffUserFactory()), now=NOW)


def test_at_half_past_eight_on_the_first_day_the_client_still_cancels_in_the_equipment_bot(ann, ecg, clock):
    mine = equipment_for(ann, ecg)
    clock.move_to(at(TUE, 8, 30), tick=False)
    calls = ann.send("📊 My bookings")
    assert f"Booking {mine.reference}" in said(calls)
    assert CANCEL in labels(calls)
    ann.press(CANCEL)
    calls = ann.press("Yes, cancel it")
    assert f"Booking {mine.reference} is cancelled" in said(calls)
    mine.refresh_from_db()
    assert mine.status == Status.CANCELLED


def test_at_half_past_nine_the_client_has_no_cancel_button_and_a_forged_one_is_refused(ann, ecg, clock):
    mine = equipment_for(ann, ecg, approved=True)
    clock.move_to(at(TUE, 9, 30), tick=False)
    calls = ann.send("📊 My bookings")
    assert f"Booking {mine.reference}" in said(calls) and CANCEL not in labels(calls)
    assert "can no longer be cancelled" in said(ann.press_data(f"eq:cancel:{mine.pk}", 1))
    assert "can no longer be cancelled" in said(ann.press_data(f"eq:cxy:{mine.pk}", 1))
    mine.refresh_from_db()
    assert mine.status == Status.APPROVED


def test_a_manager_cancels_a_started_equipment_booking_in_the_bot(ann, boss, ecg, clock):
    theirs = equipment_for(ann, ecg, approved=True)
    account_of(boss)
    clock.move_to(at(TUE, 12), tick=False)
    boss.press_data(f"eq:open:{theirs.pk}", 1)
    assert CANCEL in boss.labels()
    assert "Cancel this booking?" in said(boss.press(CANCEL))
    calls = boss.press("Yes, cancel it")
    assert f"Booking {theirs.reference} is cancelled" in said(calls)
    theirs.refresh_from_db()
    assert theirs.status == Status.CANCELLED


def test_a_manager_cancels_a_started_cabinet_booking_in_the_bot(ann, boss, cabinet, clock):
    theirs = cabinet_for(ann.on("cabinet"), cabinet)
    manager = boss.on("cabinet")
    account_of(manager)
    clock.move_to(at(TUE, 10, 30), tick=False)
    manager.press_data(f"cab:open:{theirs.pk}", 1)
    assert CANCEL in manager.labels()
    manager.press(CANCEL)
    manager.press("Yes, cancel it")
    theirs.refresh_from_db()
    assert theirs.status == Status.CANCELLED


def test_after_the_start_the_client_cannot_cancel_a_cabinet_booking_in_the_bot(ann, cabinet, clock):
    client = ann.on("cabinet")
    mine = cabinet_for(client, cabinet)
    clock.move_to(at(TUE, 9, 59), tick=False)
    assert CANCEL in labels(client.send("📊 My bookings"))
    clock.move_to(at(TUE, 10, 1), tick=False)
    calls = client.send("📊 My bookings")
    assert f"Booking {mine.reference}" in said(calls) and CANCEL not in labels(calls)
    assert "can no longer be cancelled" in said(client.press_data(f"cab:cxy:{mine.pk}", 1))
    mine.refresh_from_db()
    assert mine.status == Status.APPROVED


def test_an_approval_sent_after_the_start_carries_no_cancel_button_and_one_sent_before_does(ann, ecg, clock,
                                                                                             bot_api):
    early, late = equipment_for(ann, ecg), equipment_for(ann, ecg)
    manager = Actor.staff(StaffUserFactory())
    clock.move_to(at(TUE, 8, 30), tick=False)
    equipment_booking_approve(booking=early, actor=manager, now=at(TUE, 8, 30))
    clock.move_to(at(TUE, 9, 30), tick=False)
    equipment_booking_approve(booking=late, actor=manager, now=at(TUE, 9, 30))
    to_ann = bot_api.of("sendMessage", chat_id=1001)
    early_news = [c for c in to_ann if early.reference in c.text and c.buttons][-1]
    late_news = [c for c in to_ann if late.reference in c.text and c.buttons][-1]
    assert CANCEL in [button["text"] for button in early_news.buttons]
    assert CANCEL not in [button["text"] for button in late_news.buttons]
