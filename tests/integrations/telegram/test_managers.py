"""Managers in both bots: new requests with Approve/Reject, decisions told to the client, stale and forged
decisions, lists, the blocklist and bookings made by phone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from integrations.models import Delivery
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, TelegramAccountFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


@pytest.fixture
def boss2(user_factory, transactional_db):
    TelegramAccountFactory(telegram_id=9002, username="boss2", first_name="Oleg", is_manager=True,
                           language_code="en")
    return user_factory(9002, first_name="Oleg")


def request_equipment(user, name="Anna Smirnova"):
    user.send("📋 Book")
    user.press("ЭКГ")
    user.press("›")
    user.press("1")
    user.press("Single day")
    user.press("1")
    user.send(name)
    user.send("+79991234567")
    user.press("Skip")  # the birthday question
    user.press("✅ Confirm")
    return EquipmentBooking.objects.latest("pk")


def test_a_new_request_reaches_every_manager_with_approve_and_reject(ann, boss, boss2, ecg, bot_api):
    booking = request_equipment(ann)
    for manager in (boss, boss2):
        message = bot_api.of("sendMessage", chat_id=manager.id)[-1]
        assert f"New request {booking.reference}" in message.text
        assert "Anna Smirnova" in message.text and "+7 999 123-45-67" in message.text
        assert [b["callback_data"] for b in message.buttons] == [f"eq:ap:{booking.pk}", f"eq:rj:{booking.pk}"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_approving_tells_the_client(ann, boss, ecg, bot_api):
    booking = request_equipment(ann)
    calls = boss.press("✅ Approve")
    assert f"Booking {booking.reference} is approved" in said(calls)
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
    to_client = bot_api.of("sendMessage", chat_id=ann.id)[-1]
    assert f"Your booking {booking.reference} is approved" in to_client.text
    assert [b["callback_data"] for b in to_client.buttons] == [f"eq:open:{booking.pk}", f"eq:cancel:{booking.pk}"]


def test_rejecting_asks_for_a_reason_and_tells_the_client(ann, boss, ecg, bot_api):
    booking = request_equipment(ann)
    calls = boss.press("❌ Reject")
    assert "Why is request" in said(calls)
    booking.refresh_from_db()
    assert booking.status == Status.PENDING
    boss.send("Аппарат на обслуживании")
    booking.refresh_from_db()
    assert (booking.status, booking.status_reason) == (Status.REJECTED, "Аппарат на обслуживании")
    to_client = bot_api.of("sendMessage", chat_id=ann.id)[-1]
    assert f"Your request {booking.reference} is rejected" in to_client.text
    assert "Аппарат на обслуживании" in to_client.text


def test_a_second_manager_is_told_it_was_already_decided(ann, boss, boss2, ecg):
    booking = request_equipment(ann)
    boss.press("✅ Approve")
    calls = boss2.press("❌ Reject")
    assert "already approved" in said(calls) and "@user9001" in said(calls)
    calls = boss2.press("✅ Approve")
    assert "already approved" in said(calls)
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by) == (Status.APPROVED, "telegram:@user9001")


def test_a_forged_manager_button_from_a_client_is_politely_refused(ann, ben, ecg, bot_api):
    booking = request_equipment(ann)
    for data in (f"eq:ap:{booking.pk}", f"eq:rj:{booking.pk}", f"eq:rjn:{booking.pk}"):
        calls = ben.press_data(data, 5)
        assert said(calls) == "Sorry, only managers can do this."
    booking.refresh_from_db()
    assert booking.status == Status.PENDING
    assert "only managers" in said(ben.send("/pending"))


def test_pending_today_and_tomorrow_lists(ann, boss, ecg, clock):
    booking = request_equipment(ann)
    calls = boss.send("/pending")
    assert f"Booking {booking.reference}" in said(calls)
    assert calls[-1].buttons[0]["callback_data"] == f"eq:ap:{booking.pk}"
    assert "No bookings on 23.11.2026" in said(boss.send("/today"))
    clock.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=MSK), tick=False)
    assert f"{booking.reference} ЭКГ аппарат" in said(boss.send("/tomorrow"))


def test_managers_block_and_unblock_users(ann, boss, ecg):
    ann.send("/start")
    assert "is blocked" in said(boss.send(f"/block {ann.id} spam"))
    assert TelegramAccount.objects.get(telegram_id=ann.id).is_blocked
    assert "blocked" in said(ann.send("📋 Book"))
    assert "Usage" in said(boss.send("/block nobody"))
    assert "is unblocked" in said(boss.send(f"/unblock {ann.id}"))
    assert "Choose the equipment" in said(ann.send("📋 Book"))


def test_a_manager_books_by_phone_and_it_is_approved_at_once(boss, ecg, bot_api):
    booking = request_equipment(boss, name="Client By Phone")
    assert booking.status == Status.APPROVED
    assert booking.client_name == "Client By Phone"
    assert not Delivery.objects.exists()  # nothing to decide, nobody to notify


def test_managers_listed_in_settings_get_requests_before_they_ever_wrote(ann, ecg, bot_api, settings):
    settings.MANAGERS = [9100]
    booking = request_equipment(ann)
    told = bot_api.of("sendMessage", chat_id=9100)[-1].text
    assert f"🆕 Новая заявка {booking.reference}" in told  # Russian by default


def test_a_notification_that_fails_stays_pending_for_the_retrying_worker(ann, boss, ecg, bot_api):
    bot_api.failing_chats.add(boss.id)
    request_equipment(ann)
    delivery = Delivery.objects.get(chat_id=boss.id)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)


def test_cabinet_requests_are_decided_in_the_cabinet_bot(user_factory, boss, bot_api):
    with_week(CabinetFactory(name="Кабинет 1"))
    client = user_factory(1001, bot="cabinet")
    manager = boss.on("cabinet")
    client.send("/book")
    client.press("Кабинет 1")
    client.press("24")
    client.press("10:00")
    client.press("1 h")
    client.send("Anna Smirnova")
    client.send("+79991234567")
    client.press("Skip")  # the birthday question
    client.press("✅ Confirm")
    booking = CabinetBooking.objects.get()
    assert bot_api.of("sendMessage", chat_id=boss.id)[-1].buttons[0]["callback_data"] == f"cab:ap:{booking.pk}"
    manager.press("✅ Approve")
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED
    to_client = bot_api.of("sendMessage", chat_id=client.id)[-1]
    assert to_client.token == "2222:cabinet-token"
    assert f"Your booking {booking.reference} is approved" in to_client.text
    assert date(2026, 11, 24).strftime("%d.%m.%Y") in to_client.text and "10:00–11:00" in to_client.text
    assert "10:00–11:00 | Кабинет 1 | Anna Smirnova" in said(manager.send("/tomorrow"))


def test_a_booking_made_in_the_admin_is_shown_to_the_managers(boss, ecg, bot_api, staff):
    booking = equipment_booking_create(item=ecg, start_date=date(2026, 11, 25), client_name="Client By Phone",
                                       client_phone="+79991234567", actor=Actor.staff(staff),
                                       channel=Channel.ADMIN, now=NOW)
    message = bot_api.of("sendMessage", chat_id=boss.id)[-1]
    assert f"New booking {booking.reference}" in message.text and "Client By Phone" in message.text
    assert not message.buttons  # approved already: nothing to decide


def test_a_manager_phone_booking_is_shown_to_the_other_managers_only(boss, boss2, ecg, bot_api):
    booking = request_equipment(boss, name="Client By Phone")
    assert f"New booking {booking.reference}" in bot_api.of("sendMessage", chat_id=boss2.id)[-1].text
    assert not [c for c in bot_api.of("sendMessage", chat_id=boss.id) if f"New booking {booking.reference}" in c.text]


def test_a_client_cancelling_their_own_booking_is_told_to_the_managers(ann, boss, ecg, bot_api):
    booking = request_equipment(ann)
    account = TelegramAccount.objects.get(telegram_id=ann.id)
    equipment_booking_cancel(booking=booking, actor=Actor.telegram(account), now=NOW, channel=Channel.BOT)
    assert f"The client cancelled booking {booking.reference}" in bot_api.of("sendMessage", chat_id=boss.id)[-1].text
