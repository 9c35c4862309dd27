"""The retrying side of outbound Telegram messages: backoff, retry_after, pacing, dead letter, Retry."""

import itertools
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.delivery import (
    deliveries_cancel_pending,
    deliveries_retry,
    deliveries_send_due,
    delivery_attempt,
    delivery_enqueue,
)
from integrations.models import Delivery
from kernel import metrics
from tests.jobs.fakebot import BAD_GATEWAY, too_many_requests

pytestmark = pytest.mark.django_db


def enqueue(chats, per_chat, bot="equipment"):
    now = timezone.now()
    for n in range(per_chat):
        for chat in chats:
            delivery_enqueue(bot=bot, chat_id=chat, payload={"text": f"message {n} to {chat}"},
                             dedupe_key=f"test:{chat}:{n}", now=now)


def test_502_then_429_then_200_delivers_each_message_once_at_a_respectful_pace(bot_api, pacer, settings):
    settings.DELIVERY_BACKOFF_SECONDS = 0.5
    chats = list(range(2001, 2021))
    enqueue(chats, per_chat=2)
    bot_api.answer(BAD_GATEWAY, too_many_requests(1))

    counts = deliveries_send_due(budget_seconds=30, linger_seconds=5, pacer=pacer)

    texts = Counter(call.data["text"] for call in bot_api.delivered)
    assert len(texts) == 40 and set(texts.values()) == {1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert counts["sent"] == 40
    # retry_after honoured: nothing went out through that bot in the second after the 429
    rate_limited = next(call for call in bot_api.calls if call.status == 429)
    assert not [c for c in bot_api.calls if rate_limited.at < c.at < rate_limited.at + 0.95]
    # at most one call per second to any chat
    per_chat = defaultdict(list)
    for call in bot_api.calls:
        per_chat[call.chat_id].append(call.at)
    for times in per_chat.values():
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))
    # at most 25 calls in any one-second window
    times = sorted(call.at for call in bot_api.calls)
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 25


def test_a_delivery_is_a_dead_letter_after_its_last_attempt_and_retry_revives_it(bot_api, pacer, settings):
    settings.DELIVERY_BACKOFF_SECONDS = 0.01
    settings.DELIVERY_MAX_ATTEMPTS = 3
    enqueue([3001], per_chat=1)
    bot_api.answer(BAD_GATEWAY, BAD_GATEWAY, BAD_GATEWAY)
    pacer.chat_interval = 0
    dead_before = metrics.DELIVERIES_DEAD.labels("equipment")._value.get()

    deliveries_send_due(budget_seconds=10, linger_seconds=1, pacer=pacer)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD and delivery.attempts == 3
    assert metrics.DELIVERIES_DEAD.labels("equipment")._value.get() == dead_before + 1

    assert deliveries_retry(delivery_ids=[delivery.pk], now=timezone.now()) == 1
    deliveries_send_due(budget_seconds=10, linger_seconds=1, pacer=pacer)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(bot_api.delivered) == 1


def test_a_chat_that_blocked_the_bot_is_not_retried(bot_api, pacer):
    enqueue([3002], per_chat=1)
    bot_api.answer((403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}))

    deliveries_send_due(budget_seconds=5, linger_seconds=1, pacer=pacer)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD and "blocked" in delivery.last_error
    assert len(bot_api.calls) == 1


def test_dead_letters_are_counted_in_metrics(client, bot_api):
    now = timezone.now()
    Delivery.objects.create(dedupe_key="x", bot="equipment", chat_id=1, status=Delivery.Status.DEAD,
                            next_attempt_at=now, created_at=now)

    body = client.get("/metrics").content.decode()

    assert "outbox_dead_letters 1.0" in body


def test_the_admin_lists_dead_letters_and_retries_them(admin_client, bot_api):
    now = timezone.now()
    dead = Delivery.objects.create(dedupe_key="dead-one", bot="cabinet", chat_id=77, status=Delivery.Status.DEAD,
                                   attempts=8, last_error="Bad Gateway", next_attempt_at=now, created_at=now)

    listing = admin_client.get("/admin/integrations/delivery/?dead=yes")
    response = admin_client.post("/admin/integrations/delivery/", {
        "action": "retry", "_selected_action": [dead.pk]}, follow=True)

    assert "Bad Gateway" in listing.content.decode()
    assert response.status_code == 200
    dead.refresh_from_db()
    assert dead.status == Delivery.Status.PENDING and dead.attempts == 0


def test_the_worker_follows_up_a_committed_event_by_sending_its_pending_deliveries(
        bot_api, item, staff, now, caplog, django_capture_on_commit_callbacks):
    from equipment.services import equipment_booking_create
    from integrations.delivery_followup import events_follow_up
    from kernel.channels import Actor, Channel
    from kernel.outbox.models import Event

    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_create(item=item, start_date=now.date(), client_name="Иван", client_phone="+79990000000",
                                 actor=Actor.staff(staff), channel=Channel.ADMIN, now=now)
    event = Event.objects.get()
    # What a renderer of booking notifications records for this event, and could not send right away:
    delivery_enqueue(bot="equipment", chat_id=9001, payload={"text": "New booking"}, dedupe_key="event-1",
                     now=timezone.now(), event_id=event.pk)
    caplog.set_level("INFO")

    result = events_follow_up(event_ids=[event.pk])

    assert result["pending"] == 1 and result["sent"] == 1
    assert [call.data["text"] for call in bot_api.delivered] == ["New booking"]
    assert f"outbox event {event.pk} booking.created equipment" in caplog.text


def test_retry_revives_dead_letters_only_never_withdrawn_messages(bot_api):
    enqueue([3101, 3102], per_chat=1)
    dead, withdrawn = Delivery.objects.order_by("chat_id")
    Delivery.objects.filter(pk=dead.pk).update(status=Delivery.Status.DEAD)
    Delivery.objects.filter(pk=withdrawn.pk).update(status=Delivery.Status.CANCELLED)

    assert deliveries_retry(delivery_ids=[dead.pk, withdrawn.pk], now=timezone.now()) == 1

    withdrawn.refresh_from_db()
    assert withdrawn.status == Delivery.Status.CANCELLED


def test_a_message_withdrawn_while_it_is_being_sent_stays_withdrawn_after_a_failure(bot_api, monkeypatch):
    from integrations import delivery as sending

    enqueue([3201], per_chat=1)
    message = Delivery.objects.get()
    real_call = sending._call

    def cancelled_meanwhile(row, timeout):
        deliveries_cancel_pending(dedupe_prefix="test:3201", reason="booking cancelled")
        return real_call(row, timeout)

    monkeypatch.setattr(sending, "_call", cancelled_meanwhile)
    bot_api.answer(BAD_GATEWAY)
    assert delivery_attempt(message.pk) == Delivery.Status.PENDING  # what the attempt itself saw

    message.refresh_from_db()
    assert message.status == Delivery.Status.CANCELLED
    assert delivery_attempt(message.pk, now=timezone.now() + timedelta(hours=1)) == "skipped"
