"""Requests nobody decides: after APPROVAL_REMIND_MINUTES the managers get the request again, once, with
its Approve/Reject buttons (counted in /metrics); after APPROVAL_EXPIRE_HOURS (when set) it is cancelled as
"not decided in time" and the client is told. Through the periodic task, with the fake Bot API."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import close_old_connections

from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create, equipment_bookings_remind_undecided
from integrations.tasks import approvals_follow_up_task
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, ItemFactory, TelegramAccountFactory, with_week

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ann_account(transactional_db):
    return TelegramAccountFactory(telegram_id=1001, username="ann", first_name="Ann", language_code="en")


@pytest.fixture
def request_of_ann(ann_account, bot_api):
    item = ItemFactory(name="ЭКГ аппарат", quantity=2)
    return equipment_booking_create(item=item, start_date=date(2026, 11, 30), client_name="Anna Smirnova",
                                    client_phone="+79991234567", actor=Actor.telegram(ann_account),
                                    channel=Channel.BOT, now=NOW)


def run_task_at(clock, moment: datetime):
    clock.move_to(moment, tick=False)
    return approvals_follow_up_task.apply().get()


def reminders_to(bot_api, chat_id: int) -> list:
    return [c for c in bot_api.of("sendMessage", chat_id=chat_id) if "still waiting for a decision" in c.text]


def metric(client, name: str) -> float:
    for line in client.get("/metrics").content.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_an_undecided_request_is_announced_again_once_with_its_buttons(boss, request_of_ann, bot_api, clock,
                                                                       client):
    counted = metric(client, 'booking_approval_reminders_total{resource_type="equipment"}')
    assert run_task_at(clock, NOW + timedelta(minutes=59))["equipment_reminded"] == 0
    assert reminders_to(bot_api, boss.id) == []

    assert run_task_at(clock, NOW + timedelta(minutes=61))["equipment_reminded"] == 1
    [reminder] = reminders_to(bot_api, boss.id)
    assert f"Request {request_of_ann.reference} is still waiting for a decision (1 h 1 min)" in reminder.text
    assert "Anna Smirnova" in reminder.text
    assert [b["callback_data"] for b in reminder.buttons] == [f"eq:ap:{request_of_ann.pk}",
                                                              f"eq:rj:{request_of_ann.pk}"]
    assert metric(client, 'booking_approval_reminders_total{resource_type="equipment"}') == counted + 1

    assert run_task_at(clock, NOW + timedelta(hours=5))["equipment_reminded"] == 0
    assert len(reminders_to(bot_api, boss.id)) == 1

    boss.press_data(reminder.buttons[0]["callback_data"], reminder.message_id)
    request_of_ann.refresh_from_db()
    assert request_of_ann.status == Status.APPROVED
    assert f"Your booking {request_of_ann.reference} is approved" in bot_api.of("sendMessage", chat_id=1001)[-1].text


def test_overlapping_runs_announce_a_request_only_once(boss, request_of_ann, bot_api, clock):
    clock.move_to(NOW + timedelta(hours=2), tick=False)
    counts, barrier = [], threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            counts.append(equipment_bookings_remind_undecided(now=NOW + timedelta(hours=2)))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts) == 1
    assert len(reminders_to(bot_api, boss.id)) == 1


def test_a_decided_request_is_not_announced_again(boss, request_of_ann, bot_api, clock):
    boss.press("✅ Approve")
    assert run_task_at(clock, NOW + timedelta(hours=2))["equipment_reminded"] == 0
    assert reminders_to(bot_api, boss.id) == []


def test_a_cabinet_request_is_announced_again_in_the_cabinet_bot(boss, ann_account, bot_api, clock):
    cabinet = with_week(CabinetFactory(name="Кабинет 2"))
    booking = cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 25, 10, 0, tzinfo=MSK),
                                     duration_minutes=60, client_name="Anna Smirnova", client_phone="+79991234567",
                                     actor=Actor.telegram(ann_account), channel=Channel.BOT, now=NOW)
    assert run_task_at(clock, NOW + timedelta(minutes=90))["cabinet_reminded"] == 1
    [reminder] = reminders_to(bot_api, boss.id)
    assert reminder.token.startswith("2222:")  # the cabinet bot
    assert [b["callback_data"] for b in reminder.buttons] == [f"cab:ap:{booking.pk}", f"cab:rj:{booking.pk}"]


def test_with_a_deadline_a_request_waiting_too_long_is_cancelled_and_the_client_told(
        boss, request_of_ann, bot_api, clock, settings):
    settings.APPROVAL_EXPIRE_HOURS = 3
    assert run_task_at(clock, NOW + timedelta(hours=2, minutes=59))["equipment_expired"] == 0
    assert run_task_at(clock, NOW + timedelta(hours=3))["equipment_expired"] == 1
    booking = EquipmentBooking.objects.get(pk=request_of_ann.pk)
    assert (booking.status, booking.status_reason) == (Status.CANCELLED, "not decided in time")
    told = bot_api.of("sendMessage", chat_id=1001)[-1].text
    assert f"Your request {booking.reference} was not confirmed in time and is cancelled" in told


def test_without_a_deadline_a_request_waits_until_its_start(boss, request_of_ann, bot_api, clock):
    assert run_task_at(clock, NOW + timedelta(days=6))["equipment_expired"] == 0
    assert EquipmentBooking.objects.get(pk=request_of_ann.pk).status == Status.PENDING
    # 30 November (its first day) begins in Moscow at 21:00 UTC on the 29th.
    assert run_task_at(clock, datetime(2026, 11, 30, 0, 1, tzinfo=MSK))["equipment_expired"] == 1


def test_reminders_can_be_switched_off(boss, request_of_ann, bot_api, clock, settings):
    settings.APPROVAL_REMIND_MINUTES = 0
    assert run_task_at(clock, NOW + timedelta(hours=3))["equipment_reminded"] == 0
    assert reminders_to(bot_api, boss.id) == []


def test_the_waiting_time_is_real_time_across_a_dst_change(boss, ann_account, bot_api, clock, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    asked = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)  # clocks jump from 02:00 to 03:00 half an hour later
    clock.move_to(asked, tick=False)
    booking = equipment_booking_create(item=ItemFactory(name="ЭКГ аппарат"), start_date=date(2026, 4, 6),
                                       client_name="Anna Smirnova", client_phone="+79991234567",
                                       actor=Actor.telegram(ann_account), channel=Channel.BOT, now=asked)
    # 03:29 on the wall clock is only 59 minutes later: not yet.
    assert run_task_at(clock, datetime(2026, 3, 29, 3, 29, tzinfo=berlin))["equipment_reminded"] == 0
    assert run_task_at(clock, datetime(2026, 3, 29, 3, 31, tzinfo=berlin))["equipment_reminded"] == 1
    [reminder] = reminders_to(bot_api, boss.id)
    assert f"Request {booking.reference} is still waiting for a decision (1 h 1 min)" in reminder.text
