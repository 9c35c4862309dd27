"""The delivery engine on its own, through a channel whose receiver answers from a script: the backoff
sequence, the dead letter after the last attempt, the receiver's retry-after, the retry deadline, the lease
of a sender that died, reviving dead letters, and one sender per row when two claim it at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from prometheus_client import CollectorRegistry, Gauge
from prometheus_client import Counter as PromCounter

from integrations.joblock import job_lock
from integrations.models import Delivery
from integrations.outbound import engine
from integrations.outbound.engine import ChannelMetrics, Result
from tests.conftest import NOW


class ScriptedChannel(engine.Channel):
    """Telegram's rows, sent to a receiver that gives the scripted answers in turn (then "ok") and records
    which row each call carried. Its metrics live in a registry of their own."""

    name = "scripted"
    model = Delivery
    lock_name = "scripted-deliveries"
    done_status = "sent"
    done_at_field = "sent_at"
    lease = timedelta(minutes=2)
    max_backoff = timedelta(seconds=60)

    def __init__(self, *answers: Result, attempts: int | None = 3, window: timedelta | None = None):
        self.answers = list(answers)
        self.attempts, self.window = attempts, window
        self.sent: list[int] = []
        self._lock = threading.Lock()
        registry = CollectorRegistry()
        self.metrics = ChannelMetrics(
            attempts=PromCounter("scripted_attempts", "attempts", ["result"], registry=registry),
            dead=PromCounter("scripted_dead", "dead letters", [], registry=registry),
            dead_letters=Gauge("scripted_dead_letters", "dead letters now", registry=registry),
            pending=Gauge("scripted_pending", "pending now", registry=registry))

    def send(self, row, *, now, timeout):
        with self._lock:
            self.sent.append(row.pk)
            return self.answers.pop(0) if self.answers else Result.delivered()

    def backoff_base_seconds(self):
        return 5

    def max_attempts(self):
        return self.attempts

    def retry_deadline(self, row):
        return None if self.window is None else row.created_at + self.window

    def counted(self, result: str) -> float:
        return self.metrics.attempts.labels(result)._value.get()


def a_row(key="row", *, at=NOW, status=engine.PENDING, **fields) -> Delivery:
    return Delivery.objects.create(dedupe_key=key, bot="equipment", chat_id=1, payload={"text": "hi"},
                                   status=status, next_attempt_at=at, created_at=at, **fields)


def down(error="HTTP 502") -> Result:
    return Result.retry(error, status_code=502)


def test_the_pause_doubles_from_the_base_and_stops_at_the_cap():
    pauses = [engine.backoff(n, base_seconds=5, cap=timedelta(minutes=1)).total_seconds() for n in range(1, 7)]

    assert pauses == [5, 10, 20, 40, 60, 60]
    assert engine.backoff(10_000, base_seconds=5, cap=timedelta(minutes=1)) == timedelta(minutes=1)


@pytest.mark.django_db
def test_each_failure_waits_the_next_pause_and_the_last_attempt_makes_a_dead_letter():
    channel = ScriptedChannel(down(), down(), down("HTTP 503"))
    row = a_row()
    at, statuses, pauses = NOW, [], []

    for _ in range(3):
        statuses.append(engine.attempt(channel, row.pk, now=at, timeout=1).status)
        row.refresh_from_db()
        pauses.append((row.next_attempt_at - at).total_seconds())
        at = row.next_attempt_at

    assert statuses == ["pending", "pending", "dead"]
    assert pauses[:2] == [5, 10]
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "HTTP 503")
    assert engine.attempt(channel, row.pk, now=at + timedelta(days=1), timeout=1).status == "skipped"
    assert len(channel.sent) == 3
    assert (channel.counted("retry"), channel.counted("dead"), channel.metrics.dead._value.get()) == (2, 1, 1)
    engine.refresh_dead_letter_gauge(channel)
    assert channel.metrics.dead_letters._value.get() == 1


@pytest.mark.django_db
def test_the_receivers_retry_after_replaces_the_backoff_and_is_counted_as_rate_limited():
    channel = ScriptedChannel(Result.retry("Too Many Requests", retry_after=42))
    row = a_row()

    outcome = engine.attempt(channel, row.pk, now=NOW, timeout=1)

    row.refresh_from_db()
    assert (outcome.status, outcome.retry_after) == ("pending", 42)
    assert row.next_attempt_at == NOW + timedelta(seconds=42)
    assert channel.counted("rate_limited") == 1


@pytest.mark.django_db
def test_a_permanent_refusal_is_a_dead_letter_on_the_first_attempt():
    channel = ScriptedChannel(Result.refused("Forbidden: bot was blocked by the user"))
    row = a_row()

    assert engine.attempt(channel, row.pk, now=NOW, timeout=1).status == "dead"

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("dead", 1) and "blocked" in row.last_error


@pytest.mark.django_db
def test_a_retry_deadline_brings_the_last_attempt_to_its_end_and_then_gives_up():
    channel = ScriptedChannel(down(), down(), down(), attempts=None, window=timedelta(seconds=12))
    row = a_row()

    engine.attempt(channel, row.pk, now=NOW, timeout=1)  # next at +5 s
    engine.attempt(channel, row.pk, now=NOW + timedelta(seconds=5), timeout=1)  # +10 s would pass the end
    row.refresh_from_db()
    assert row.next_attempt_at == NOW + timedelta(seconds=12)
    assert engine.attempt(channel, row.pk, now=row.next_attempt_at, timeout=1).status == "dead"


@pytest.mark.django_db
def test_a_row_whose_sender_died_is_claimed_again_once_its_lease_has_ended():
    claimed_at = NOW - timedelta(minutes=5)
    row = a_row(status=engine.SENDING, at=claimed_at)  # claimed, and its sender never came back
    channel = ScriptedChannel()

    before = engine.attempt(channel, row.pk, now=claimed_at + channel.lease - timedelta(seconds=1), timeout=1)
    after = engine.attempt(channel, row.pk, now=claimed_at + channel.lease, timeout=1)

    row.refresh_from_db()
    assert (before.status, after.status) == ("skipped", "sent")
    assert channel.sent == [row.pk]
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, claimed_at + channel.lease)


@pytest.mark.django_db
def test_a_row_not_yet_due_or_already_sent_is_left_alone():
    later = a_row("later", at=NOW + timedelta(seconds=1))
    sent = a_row("sent", status="sent")
    channel = ScriptedChannel()

    assert engine.attempt(channel, later.pk, now=NOW, timeout=1).status == "skipped"
    assert engine.attempt(channel, sent.pk, now=NOW + timedelta(days=1), timeout=1).status == "skipped"
    assert channel.sent == []


@pytest.mark.django_db
def test_reviving_gives_dead_letters_a_fresh_start_and_leaves_the_other_rows_as_they_are():
    dead = a_row("dead", status=engine.DEAD, attempts=3, last_error="HTTP 502")
    withdrawn = a_row("withdrawn", status="cancelled", attempts=1)
    sent = a_row("sent", status="sent", attempts=1)
    later = NOW + timedelta(hours=1)

    assert engine.revive(ScriptedChannel(), [dead.pk, withdrawn.pk, sent.pk], now=later) == 1

    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error, dead.next_attempt_at) == ("pending", 0, "", later)
    assert [r.status for r in Delivery.objects.filter(pk__in=[withdrawn.pk, sent.pk]).order_by("pk")] == [
        "cancelled", "sent"]


@pytest.mark.django_db
def test_the_sweep_sends_what_is_due_oldest_first_and_stands_aside_for_a_running_sweep():
    first, second = a_row("first", at=NOW - timedelta(seconds=2)), a_row("second", at=NOW - timedelta(seconds=1))
    a_row("later", at=NOW + timedelta(hours=1))
    channel = ScriptedChannel(down())

    with job_lock(channel.lock_name, seconds=30):
        assert engine.send_due(channel, clock=lambda: NOW, timeout=1, budget_seconds=5) == {"locked": 1}
    counts = engine.send_due(channel, clock=lambda: NOW, timeout=1, budget_seconds=5)

    assert counts == {"pending": 1, "sent": 1}
    assert channel.sent == [first.pk, second.pk]


# --- Two claimers at once, on PostgreSQL ------------------------------------------------------------

ROWS = 15


def claim_by_reading_then_writing(channel, pk, *, now, both_have_read):
    """The pattern the engine avoids: check that the row is due, then take it by its id alone."""
    if not channel.model.objects.filter(engine.due(channel, now), pk=pk).exists():
        return None
    both_have_read.wait()
    channel.model.objects.filter(pk=pk).update(status=engine.SENDING, next_attempt_at=now)
    return channel.load(pk)


def two_senders_per_row(channel, rows, monkeypatch=None) -> Counter:
    """For each row, two threads (each with its own connection) attempt it at the same instant. Returns how
    many times the receiver got each row."""
    for row in rows:
        start = threading.Barrier(2)
        if monkeypatch is not None:
            both_have_read = threading.Barrier(2, timeout=10)
            monkeypatch.setattr(engine, "claim", lambda channel, pk, *, now, _b=both_have_read:
                                claim_by_reading_then_writing(channel, pk, now=now, both_have_read=_b))

        def sender(pk=row.pk, start=start):
            try:
                start.wait()
                engine.attempt(channel, pk, now=NOW, timeout=1)
            finally:
                connection.close()

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return Counter(channel.sent)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_claiming_the_same_rows_at_once_send_each_row_exactly_once():
    rows = [a_row(f"race-{n}") for n in range(ROWS)]
    channel = ScriptedChannel()

    sends = two_senders_per_row(channel, rows)

    assert sends == {row.pk: 1 for row in rows}
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_a_claim_that_reads_then_writes_lets_both_senders_send(monkeypatch):
    rows = [a_row(f"race-{n}") for n in range(3)]
    channel = ScriptedChannel()

    sends = two_senders_per_row(channel, rows, monkeypatch)

    assert sends == {row.pk: 2 for row in rows}
