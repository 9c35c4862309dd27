"""Reminders go out REMINDER_HOURS_BEFORE before an approved booking starts, once, to the user who booked."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking
from integrations.delivery import deliveries_send_due
from integrations.models import Delivery
from integrations.reminders import reminders_send_due
from kernel.channels import Actor
from tests.clock import at
from tests.jobs.conftest import approved_cabinet_booking, approved_equipment_booking
from tests.jobs.fakebot import BAD_GATEWAY

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 11, 25)


def send(pacer, moment):
    return deliveries_send_due(budget_seconds=10, linger_seconds=1.5, clock=lambda: moment, pacer=pacer)


@pytest.fixture
def wednesday_slot(cabinet, alice, staff, now):
    """Alice's approved cabinet booking on Wednesday 11:00-12:00, made on Monday 10:00."""
    return approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff, starts_at=at(WEDNESDAY, 11),
                                    now=now)


def test_a_cabinet_reminder_waits_until_24_hours_before_the_slot(bot_api, wednesday_slot, pacer):
    assert reminders_send_due(now=at(WEDNESDAY, 10, 59) - timedelta(days=1)) == []

    due_at = at(WEDNESDAY, 11) - timedelta(days=1)
    queued = reminders_send_due(now=due_at)
    send(pacer, due_at)

    assert len(queued) == 1
    [call] = bot_api.delivered
    assert call.token == "222:cabinet" and call.method == "sendMessage"
    assert call.chat_id == 1001
    assert f"{wednesday_slot.reference}" in call.data["text"] and "25.11.2026 11:00–12:00" in call.data["text"]
    buttons = [button["callback_data"] for row in call.markup["inline_keyboard"] for button in row]
    assert buttons == [f"cab:come:{wednesday_slot.pk}", f"cab:cancel:{wednesday_slot.pk}"]
    wednesday_slot.refresh_from_db()
    assert wednesday_slot.reminder_sent_at == due_at


def test_an_equipment_reminder_counts_from_the_clinic_opening_of_the_first_day(
        bot_api, item, alice, staff, now, pacer, settings):
    settings.EQUIPMENT_DAY_STARTS = "09:00"
    booking = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=WEDNESDAY,
                                         end_date=date(2026, 11, 26), units=2, now=now)

    assert reminders_send_due(now=at(date(2026, 11, 24), 8, 59)) == []
    reminders_send_due(now=at(date(2026, 11, 24), 9, 0))
    send(pacer, at(date(2026, 11, 24), 9, 0))

    [call] = bot_api.delivered
    assert call.token == "111:equipment"
    assert "25.11.2026 – 26.11.2026" in call.data["text"] and "× 2" in call.data["text"]
    buttons = [button["callback_data"] for row in call.markup["inline_keyboard"] for button in row]
    assert buttons == [f"eq:come:{booking.pk}", f"eq:cancel:{booking.pk}"]


def test_it_speaks_the_users_language(bot_api, cabinet, bob, staff, now, pacer):
    bob.language_code = "en"
    bob.save(update_fields=["language_code"])
    approved_cabinet_booking(cabinet=cabinet, account=bob, staff=staff, starts_at=at(WEDNESDAY, 15), now=now)

    reminders_send_due(now=at(WEDNESDAY, 15) - timedelta(hours=23))
    send(pacer, at(WEDNESDAY, 15) - timedelta(hours=23))

    [call] = bot_api.delivered
    assert call.data["text"].startswith("⏰ Reminder: booking C-")
    assert [b["text"] for b in call.markup["inline_keyboard"][0]] == ["✅ I will come", "Cancel"]


def test_a_user_who_turned_reminders_off_gets_none(bot_api, wednesday_slot, alice):
    alice.reminders_enabled = False
    alice.save(update_fields=["reminders_enabled"])

    assert reminders_send_due(now=at(WEDNESDAY, 10)) == []
    assert not Delivery.objects.exists()


def test_it_never_reminds_twice_across_sweeps_retries_and_restarted_workers(bot_api, wednesday_slot, pacer):
    due_at = at(WEDNESDAY, 11) - timedelta(days=1)
    bot_api.answer(BAD_GATEWAY)

    first = reminders_send_due(now=due_at)
    send(pacer, due_at)  # Telegram fails the first attempt
    again = reminders_send_due(now=due_at + timedelta(minutes=5))  # the next beat run, or a restarted worker
    later = due_at + timedelta(minutes=10)
    send(pacer, later)
    reminders_send_due(now=later)
    send(pacer, later + timedelta(minutes=5))

    assert len(first) == 1 and again == []
    assert [call.status for call in bot_api.calls] == [502, 200]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_booking_made_after_its_reminder_time_gets_no_reminder(bot_api, cabinet, alice, staff):
    made = at(WEDNESDAY, 11) - timedelta(hours=20)  # Tuesday 15:00, for Wednesday 11:00
    approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff, starts_at=at(WEDNESDAY, 11), now=made)

    assert reminders_send_due(now=made + timedelta(minutes=5)) == []
    assert reminders_send_due(now=at(WEDNESDAY, 10, 30)) == []


def test_a_cancelled_booking_gets_no_reminder(bot_api, wednesday_slot, alice, now):
    cabinet_booking_cancel(booking=wednesday_slot, actor=Actor.telegram(alice), now=now + timedelta(hours=1))

    assert reminders_send_due(now=at(WEDNESDAY, 10)) == []


def test_a_reminder_not_yet_sent_is_withdrawn_when_the_booking_is_cancelled(
        bot_api, wednesday_slot, alice, pacer, django_capture_on_commit_callbacks):
    due_at = at(WEDNESDAY, 11) - timedelta(days=1)
    reminders_send_due(now=due_at)
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_booking_cancel(booking=wednesday_slot, actor=Actor.telegram(alice), now=due_at + timedelta(minutes=1))

    send(pacer, due_at + timedelta(minutes=2))

    assert bot_api.calls == []
    assert Delivery.objects.get().status == Delivery.Status.CANCELLED


def test_pending_bookings_are_not_reminded(bot_api, item, alice, now):
    from equipment.services import equipment_booking_create
    from kernel.channels import Channel

    equipment_booking_create(item=item, start_date=WEDNESDAY, client_name="Анна", client_phone="+79997654321",
                             actor=Actor.telegram(alice), channel=Channel.BOT, now=now)

    assert reminders_send_due(now=at(date(2026, 11, 24), 12)) == []
    assert EquipmentBooking.objects.get().reminder_sent_at is None


def test_send_reminders_runs_one_sweep_now(bot_api, wednesday_slot, time_machine, capsys):
    time_machine.move_to(at(WEDNESDAY, 11) - timedelta(hours=2), tick=False)

    call_command("send_reminders")

    assert "reminders queued: 1" in capsys.readouterr().out
    assert len(bot_api.delivered) == 1


def test_a_moved_booking_is_reminded_again_of_its_new_time(
        bot_api, wednesday_slot, staff, pacer, django_capture_on_commit_callbacks):
    from cabinets.services import cabinet_booking_move

    first = at(WEDNESDAY, 11) - timedelta(days=1)
    reminders_send_due(now=first)
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_booking_move(booking=wednesday_slot, actor=Actor.staff(staff), now=first + timedelta(minutes=5),
                             starts_at=at(date(2026, 11, 27), 15))

    # The old reminder, not sent yet, is withdrawn; the new time gets its own, once.
    assert Delivery.objects.get(dedupe_key__startswith="reminder:").status == Delivery.Status.CANCELLED
    assert reminders_send_due(now=at(date(2026, 11, 26), 14, 59)) == []
    assert len(reminders_send_due(now=at(date(2026, 11, 26), 15))) == 1
    assert reminders_send_due(now=at(date(2026, 11, 26), 15, 5)) == []


def test_a_russian_speaker_gets_russian_buttons(bot_api, wednesday_slot, pacer):
    reminders_send_due(now=at(WEDNESDAY, 11) - timedelta(days=1))
    send(pacer, at(WEDNESDAY, 11) - timedelta(days=1))

    [call] = bot_api.delivered
    assert call.markup["inline_keyboard"][0][0]["text"] == "✅ Я приду"


def _due_equipment_reminders(*, count, staff, now):
    from tests import factories

    item = factories.ItemFactory(name="Аппарат ЭКГ", quantity=count)
    accounts = [factories.TelegramAccountFactory() for _ in range(count)]
    for account in accounts:
        approved_equipment_booking(item=item, account=account, staff=staff, start_date=WEDNESDAY, now=now)
    return accounts


def test_many_reminders_are_claimed_in_batches_with_a_fixed_number_of_queries(
        bot_api, staff, now, pacer, django_assert_max_num_queries):
    accounts = _due_equipment_reminders(count=7, staff=staff, now=now)
    due_at = at(date(2026, 11, 24), 9, 0)

    # The due list, then per batch of two (four batches): lock, update, insert, ids and the savepoint's two.
    with django_assert_max_num_queries(2 + 4 * 6):
        queued = reminders_send_due(now=due_at, batch=2)
    send(pacer, due_at)

    assert len(queued) == len(set(queued)) == 7
    assert sorted(call.chat_id for call in bot_api.delivered) == sorted(a.telegram_id for a in accounts)
    assert not EquipmentBooking.objects.filter(reminder_sent_at__isnull=True).exists()
    assert reminders_send_due(now=due_at + timedelta(minutes=5), batch=2) == []


def test_a_batch_claimed_meanwhile_by_another_sweep_is_not_claimed_again(bot_api, staff, now, pacer):
    from integrations.reminders import reminders_claim, reminders_due

    _due_equipment_reminders(count=3, staff=staff, now=now)
    due_at = at(date(2026, 11, 24), 9, 0)
    seen_by_both = reminders_due(now=due_at)  # two sweeps listed the same reminders

    first = reminders_claim(seen_by_both[:2], now=due_at)
    second = reminders_claim(seen_by_both, now=due_at)
    send(pacer, due_at)

    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert len(bot_api.delivered) == 3
