"""The delivery engine: what every outbound channel shares, written once.

A channel (Telegram calls in integrations.delivery, partner webhooks in integrations.webhooks.delivery, e-mail
in integrations.mail.delivery) is a model of rows with a retry state (status, attempts, next_attempt_at,
last_error) and an adapter object that says how to send one row and what the answer means (`Channel.send` → a
`Result`). The engine owns the rest:

- Claiming. A row is due when it is pending and its next attempt has come, or when it has been "sending"
  longer than the channel's lease (its sender died mid-call). It is claimed at the moment it is sent with a
  conditional UPDATE whose WHERE clause repeats "due": PostgreSQL re-checks that condition on the row it has
  locked, so of two concurrent claimers exactly one gets the row and the other sees it taken. A row held
  back by pacing is never locked meanwhile.
- Attempts and backoff. Failed attempt n waits base·2^(n-1) seconds, capped (or the pause the receiver
  asked for), and never past the channel's retry deadline.
- The dead letter: a permanent failure, the channel's last attempt or the end of its retry window. An
  operator revives dead letters (the admin's Retry action); rows withdrawn meanwhile stay withdrawn.
- Recording a success, waiting out a short database outage rather than leaving the row "sending" (its lease
  would end and the receiver would get it twice).
- The sweep of due rows within a time budget, paced when the channel is paced, and the metrics: one family
  per channel, labelled by result (the names the dashboard and the alerts read).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import InterfaceError, OperationalError, connection
from django.db.models import Model, Q
from django.utils import timezone
from prometheus_client import Counter, Gauge

from integrations.joblock import job_lock
from integrations.outbound.pacing import Pacer

PENDING, SENDING, DEAD = "pending", "sending", "dead"
SKIPPED = "skipped"  # the outcome of an attempt on a row that was not due (or another sender had it)
MIN_ATTEMPT_SECONDS = 0.5  # below this, attempting right now is left to the sweep
MARK_DONE_PATIENCE_SECONDS = 20.0
_MAX_DOUBLINGS = 40  # base·2^40 is past any cap; keeps the float finite for any attempt count

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What one send came to, as the channel reads the receiver's answer."""

    ok: bool
    error: str = ""
    retry_after: float | None = None  # the receiver named the pause before the next try (Telegram's 429)
    permanent: bool = False  # retrying cannot help: a dead letter at once
    status_code: int | None = None

    @classmethod
    def delivered(cls, *, status_code: int | None = None) -> Result:
        return cls(ok=True, status_code=status_code)

    @classmethod
    def retry(cls, error: str, *, retry_after: float | None = None, status_code: int | None = None) -> Result:
        return cls(ok=False, error=error, retry_after=retry_after, status_code=status_code)

    @classmethod
    def refused(cls, error: str, *, status_code: int | None = None) -> Result:
        return cls(ok=False, error=error, permanent=True, status_code=status_code)


@dataclass(frozen=True)
class Outcome:
    status: str  # the channel's done status ("sent", "delivered"), "pending", "dead" or "skipped"
    retry_after: float | None = None


@dataclass(frozen=True)
class ChannelMetrics:
    """A channel's metric families. `attempts` is labelled (*Channel.metric_labels(row), result) with result
    one of the done status, "retry", "rate_limited" or "dead"; `dead` (when set) by the row's labels."""

    attempts: Counter
    dead_letters: Gauge
    dead: Counter | None = None
    pending: Gauge | None = None


class Channel:
    """How one kind of outbound row is sent and read. Subclasses set the class attributes and `send`."""

    name: ClassVar[str]  # "telegram" | "webhook" | "mail"
    model: ClassVar[type[Model]]
    lock_name: ClassVar[str]  # one sweep at a time across processes
    done_status: ClassVar[str]  # "sent" | "delivered"
    done_at_field: ClassVar[str]  # "sent_at" | "delivered_at"
    status_code_field: ClassVar[str | None] = None  # where the receiver's HTTP status is kept, if anywhere
    lease: ClassVar[timedelta]
    max_backoff: ClassVar[timedelta]
    pace_fields: ClassVar[tuple[str, str] | None] = None  # (lane, recipient) fields, for a paced channel
    logger: ClassVar[logging.Logger] = logger
    metrics: ClassVar[ChannelMetrics]

    def send(self, row: Any, *, now: datetime, timeout: float) -> Result:
        raise NotImplementedError

    def backoff_base_seconds(self) -> float:
        raise NotImplementedError

    def max_attempts(self) -> int | None:
        """The attempt after which a failing row is a dead letter; None: only its retry deadline counts."""
        return None

    def retry_deadline(self, row: Any) -> datetime | None:
        """The last moment the row may be tried; None: only the number of attempts counts."""
        return None

    def revive_fields(self, *, now: datetime) -> dict[str, Any]:
        """Fields a dead letter given a fresh set of attempts gets besides the engine's own."""
        return {}

    def load(self, pk: int) -> Any:
        """The claimed row, with whatever `send` and `describe` read."""
        return self.model.objects.get(pk=pk)

    def describe(self, row: Any) -> str:
        """The row in a log line: ids and kinds only, never a person's data."""
        return f"{self.name} delivery {row.pk}"

    def log_context(self, row: Any) -> AbstractContextManager:
        return nullcontext()

    def metric_labels(self, row: Any) -> tuple[str, ...]:
        return ()

    def backoff(self, attempts: int) -> timedelta:
        return backoff(attempts, base_seconds=self.backoff_base_seconds(), cap=self.max_backoff)


def backoff(attempts: int, *, base_seconds: float, cap: timedelta) -> timedelta:
    """The pause after failed attempt `attempts`: base, 2·base, 4·base …, at most `cap`."""
    doublings = min(_MAX_DOUBLINGS, max(0, attempts - 1))
    return timedelta(seconds=min(cap.total_seconds(), base_seconds * 2.0 ** doublings))


# --- Claiming and one attempt -----------------------------------------------------------------------


def due(channel: Channel, now: datetime) -> Q:
    """Pending and due, or stuck in "sending" longer than the lease (the sender died mid-call)."""
    return Q(status=PENDING, next_attempt_at__lte=now) | Q(status=SENDING,
                                                           next_attempt_at__lte=now - channel.lease)


def claim(channel: Channel, pk: int, *, now: datetime) -> Any | None:
    """Take the row for this sender, or None when it is not due (or another sender has just taken it)."""
    claimed = channel.model.objects.filter(due(channel, now), pk=pk).update(status=SENDING, next_attempt_at=now)
    return channel.load(pk) if claimed else None


def attempt(channel: Channel, pk: int, *, now: datetime, timeout: float) -> Outcome:
    """Try the row once if it is due."""
    row = claim(channel, pk, now=now)
    if row is None:
        return Outcome(SKIPPED)
    with channel.log_context(row):
        result = channel.send(row, now=now, timeout=timeout)
        return _settle(channel, row, result, now=now)


def _settle(channel: Channel, row: Any, result: Result, *, now: datetime) -> Outcome:
    attempts = row.attempts + 1
    labels = channel.metric_labels(row)
    if result.ok:
        fields = {"status": channel.done_status, "attempts": attempts, "last_error": "", channel.done_at_field: now}
        if channel.status_code_field:
            fields[channel.status_code_field] = result.status_code
        _record_done(channel, row.pk, fields)
        channel.metrics.attempts.labels(*labels, channel.done_status).inc()
        channel.logger.info("%s %s on attempt %s", channel.describe(row), channel.done_status, attempts)
        return Outcome(channel.done_status)

    deadline = channel.retry_deadline(row)
    limit = channel.max_attempts()
    dead = (result.permanent or (limit is not None and attempts >= limit)
            or (deadline is not None and now >= deadline))
    pause = timedelta(seconds=result.retry_after) if result.retry_after is not None else channel.backoff(attempts)
    # The last attempt falls on the end of the window, so "down for 24 h" is tried until the very end.
    next_at = now + pause if deadline is None else min(now + pause, deadline)
    fields = {"status": DEAD if dead else PENDING, "attempts": attempts, "last_error": result.error[:500],
              "next_attempt_at": next_at}
    if channel.status_code_field:
        fields[channel.status_code_field] = result.status_code
    # Conditional: a row withdrawn while it was being sent (its booking was cancelled) stays withdrawn.
    channel.model.objects.filter(pk=row.pk, status=SENDING).update(**fields)
    kind = "dead" if dead else ("rate_limited" if result.retry_after is not None else "retry")
    channel.metrics.attempts.labels(*labels, kind).inc()
    if dead and channel.metrics.dead is not None:
        (channel.metrics.dead.labels(*labels) if labels else channel.metrics.dead).inc()
    channel.logger.warning("%s attempt %s failed: %s%s", channel.describe(row), attempts, result.error,
                           " - dead letter" if dead else "")
    return Outcome(DEAD if dead else PENDING, result.retry_after)


def _record_done(channel: Channel, pk: int, fields: dict[str, Any]) -> None:
    """The receiver has it: record that, waiting out a short database outage (a restart) rather than leave
    the row "sending", which would send it a second time once its lease ends."""
    deadline = time.monotonic() + MARK_DONE_PATIENCE_SECONDS
    while True:
        try:
            channel.model.objects.filter(pk=pk).update(**fields)
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            channel.logger.warning("%s was %s but the database is unavailable; recording it again",
                                   f"{channel.name} delivery {pk}", channel.done_status)
            connection.close()
            time.sleep(0.5)


def attempt_each_within(channel: Channel, pks: Iterable[int], *, timeout: float,
                        clock: Callable[[], datetime] = timezone.now) -> dict[int, str]:
    """Attempt each row once, right now, all of them within about `timeout`: when the receiver does not
    answer, the caller waits one timeout, not one per row; the rows not attempted stay pending."""
    deadline = time.monotonic() + timeout
    outcomes: dict[int, str] = {}
    for pk in pks:
        left = deadline - time.monotonic()
        if left < MIN_ATTEMPT_SECONDS:
            outcomes[pk] = PENDING
            continue
        outcomes[pk] = attempt(channel, pk, now=clock(), timeout=left).status
    return outcomes


# --- The sweep ----------------------------------------------------------------------------------------


def send_due(channel: Channel, *, clock: Callable[[], datetime], timeout: float, budget_seconds: float,
             batch: int = 200, linger_seconds: float = 0.0, pacer: Pacer | None = None) -> dict[str, int]:
    """Attempt every due row, oldest first, for at most `budget_seconds`, one sweep at a time across
    processes. A paced channel spaces its calls with `pacer` and sends other rows while a lane or a
    recipient waits. Waits up to `linger_seconds` for rows that fall due soon (a backoff or a retry-after
    about to end), so a burst drains in one run. Returns counts per outcome ({"locked": 1} when another
    sweep of the channel is running)."""
    counts: dict[str, int] = {}
    paced = pacer is not None and channel.pace_fields is not None
    columns = ("pk", *(channel.pace_fields if paced else ()))
    with job_lock(channel.lock_name, seconds=budget_seconds + linger_seconds + timeout) as acquired:
        if not acquired:
            return {"locked": 1}
        started = time.monotonic()
        while (left := budget_seconds - (time.monotonic() - started)) > 0:
            now = clock()
            rows = list(channel.model.objects.filter(due(channel, now)).order_by("next_attempt_at", "id")
                        .values_list(*columns)[:batch])
            holds, attempted = [], False
            for pk, *lane_and_recipient in rows:
                if time.monotonic() - started >= budget_seconds:
                    break
                if paced:
                    # A paused lane or a recipient called a moment ago waits; the others go on.
                    hold = pacer.hold(*lane_and_recipient)
                    if hold > 0:
                        holds.append(hold)
                        continue
                    pacer.wait(*lane_and_recipient)
                outcome = attempt(channel, pk, now=clock(), timeout=timeout)
                attempted = True
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                if paced and outcome.retry_after:
                    pacer.pause(lane_and_recipient[0], outcome.retry_after)
            if attempted:
                continue
            soon = next_due_in(channel, now)
            wait = min([*holds, *([soon] if soon is not None else [])], default=None)
            if wait is None or wait > min(linger_seconds, left):
                break
            time.sleep(max(0.02, wait))
    return counts


def next_due_in(channel: Channel, now: datetime) -> float | None:
    """Seconds until the next pending row falls due (a backoff or a retry-after ending)."""
    upcoming = (channel.model.objects.filter(status=PENDING, next_attempt_at__gt=now)
                .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())
    return None if upcoming is None else (upcoming - now).total_seconds()


# --- Dead letters and gauges ------------------------------------------------------------------------


def revive(channel: Channel, pks: Iterable[int], *, now: datetime) -> int:
    """Give dead letters a fresh set of attempts, the first one due now. Rows in any other state (sent,
    withdrawn) are left as they are. Returns how many were revived."""
    return channel.model.objects.filter(pk__in=list(pks), status=DEAD).update(
        status=PENDING, attempts=0, next_attempt_at=now, last_error="", **channel.revive_fields(now=now))


def dead_letters_count(channel: Channel) -> int:
    return channel.model.objects.filter(status=DEAD).count()


def refresh_dead_letter_gauge(channel: Channel) -> None:
    channel.metrics.dead_letters.set(dead_letters_count(channel))


def refresh_pending_gauge(channel: Channel) -> None:
    """Rows still to send or to retry (or being sent right now)."""
    if channel.metrics.pending is not None:
        channel.metrics.pending.set(channel.model.objects.filter(status__in=[PENDING, SENDING]).count())
