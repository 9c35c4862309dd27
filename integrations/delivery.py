"""Sending Telegram calls recorded as Delivery rows: idempotent creation, one attempt at a time, retries
with exponential backoff (Telegram's retry_after honoured), dead letter after DELIVERY_MAX_ATTEMPTS.

Synchronous on purpose: the web process attempts a delivery once right after commit; the worker's sweep
(`deliveries_send_due`) retries whatever is still pending, paced to at most TELEGRAM_MAX_PER_SECOND calls
per bot and one call per TELEGRAM_CHAT_INTERVAL_SECONDS per chat."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from booking_site.logging import bound_request_id
from integrations.joblock import job_lock
from integrations.models import Delivery
from kernel import metrics
from kernel.outbox.models import Event

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 5.0
WORKER_SEND_TIMEOUT_SECONDS = 10.0
MIN_SEND_NOW_SECONDS = 0.5  # below this, a call right after commit is left to the worker
MARK_SENT_PATIENCE_SECONDS = 20.0
# A delivery stuck in "sending" (the process died mid-call) becomes due again after this long.
SENDING_LEASE = timedelta(minutes=2)
MAX_BACKOFF_SECONDS = 600


def max_attempts() -> int:
    return settings.DELIVERY_MAX_ATTEMPTS


def bot_token(bot: str) -> str:
    return settings.EQUIPMENT_BOT_TOKEN if bot == Delivery.Bot.EQUIPMENT else settings.CABINET_BOT_TOKEN


def delivery_enqueue(
    *, bot: str, chat_id: int, payload: dict[str, Any], dedupe_key: str, now: datetime,
    method: str = "sendMessage", event_id: int | None = None,
) -> Delivery | None:
    """Record a call to make; the same dedupe key twice yields the first row. None when the bot is off."""
    if not bot_token(bot):
        return None
    delivery, _created = Delivery.objects.get_or_create(
        dedupe_key=dedupe_key[:200],
        defaults={"bot": bot, "chat_id": chat_id, "method": method, "payload": payload, "event_id": event_id,
                  "next_attempt_at": now, "created_at": now},
    )
    return delivery


def deliveries_enqueue(calls: list[dict[str, Any]], *, now: datetime) -> list[int]:
    """Record many calls at once (each a dict of bot, chat_id, payload, dedupe_key and optionally method and
    event_id): one INSERT that skips dedupe keys already recorded, then the ids of every call's row, new or
    first, in the order given. Calls through a bot that is off are left out."""
    calls = [{**call, "dedupe_key": call["dedupe_key"][:200]} for call in calls if bot_token(call["bot"])]
    if not calls:
        return []
    Delivery.objects.bulk_create([
        Delivery(bot=call["bot"], chat_id=call["chat_id"], method=call.get("method", "sendMessage"),
                 payload=call["payload"], event_id=call.get("event_id"), dedupe_key=call["dedupe_key"],
                 next_attempt_at=now, created_at=now) for call in calls], ignore_conflicts=True)
    ids = dict(Delivery.objects.filter(dedupe_key__in=[call["dedupe_key"] for call in calls])
               .values_list("dedupe_key", "pk"))
    return [ids[call["dedupe_key"]] for call in calls if call["dedupe_key"] in ids]


def backoff(attempts: int) -> timedelta:
    """base, 2·base, 4·base … (5 s, 10 s, 20 s by default), capped at 10 minutes."""
    seconds = settings.DELIVERY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, seconds))


class SendError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "pending" | "dead" | "skipped"
    retry_after: float | None = None


# httpx (and the command-line tools it loads) is imported on the first send: most processes never send.
_clients: dict[int, httpx.Client] = {}
_clients_lock = threading.Lock()


def _http() -> httpx.Client:
    """One keep-alive connection pool per process (a fork gets its own): building an httpx client costs tens
    of milliseconds of CPU (its TLS context), which a one-off httpx.post pays on every call."""
    import httpx

    with _clients_lock:
        client = _clients.get(os.getpid())
        if client is None:
            _clients.clear()
            client = _clients[os.getpid()] = httpx.Client()
        return client


def _call(delivery: Delivery, timeout: float) -> dict:
    import httpx

    token = bot_token(delivery.bot)
    if not token:
        raise SendError("bot is not configured", permanent=True)
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/{delivery.method}"
    data = {"chat_id": str(delivery.chat_id)}
    files = None
    for key, value in delivery.payload.items():
        if key in ("document_path", "document_text"):
            continue
        data[key] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    try:
        if "document_path" in delivery.payload:
            path = Path(delivery.payload["document_path"])
            with path.open("rb") as handle:
                files = {"document": (delivery.payload.get("filename") or path.name, handle.read())}
            data.pop("filename", None)
        elif "document_text" in delivery.payload:  # a small generated file kept in the row (an .ics)
            files = {"document": (delivery.payload.get("filename") or "document.txt",
                                  delivery.payload["document_text"].encode(),
                                  delivery.payload.get("mime_type") or "application/octet-stream")}
            data.pop("filename", None)
            data.pop("mime_type", None)
        response = _http().post(url, data=data, files=files, timeout=timeout)
    except (httpx.HTTPError, OSError) as exc:
        raise SendError(f"{exc.__class__.__name__}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and body.get("ok"):
        return body
    description = str(body.get("description") or f"HTTP {response.status_code}")[:300]
    if response.status_code == 429:
        retry_after = (body.get("parameters") or {}).get("retry_after") or response.headers.get("Retry-After")
        try:
            seconds = float(retry_after or 1)
        except ValueError:
            seconds = 1.0
        raise SendError(description, retry_after=max(0.0, seconds))
    # 400/403: the chat is gone, the bot was blocked or the request is malformed: retrying will not help.
    raise SendError(description, permanent=response.status_code in (400, 401, 403, 404))


def _due(now: datetime) -> Q:
    """Pending and due, or stuck in "sending" longer than the lease (the sender died mid-call)."""
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, next_attempt_at__lte=now - SENDING_LEASE)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take the delivery for this process: a conditional update, so two senders never both send it."""
    with transaction.atomic():
        claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(
            status=Delivery.Status.SENDING, next_attempt_at=now)
    if not claimed:
        return None
    # The request id of the event that made the delivery, so its log lines name the request behind it.
    request_id = Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("request_id")[:1])
    return Delivery.objects.annotate(request_id=request_id).get(pk=delivery_id)


def _attempt(delivery_id: int, *, now: datetime, timeout: float) -> Outcome:
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Outcome("skipped")
    with bound_request_id(delivery.request_id):
        return _send_claimed(delivery, now=now, timeout=timeout)


def _send_claimed(delivery: Delivery, *, now: datetime, timeout: float) -> Outcome:
    attempts = delivery.attempts + 1
    try:
        _call(delivery, timeout)
    except SendError as exc:
        dead = exc.permanent or attempts >= max_attempts()
        delay = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else backoff(attempts)
        # Conditional: a delivery withdrawn while it was being sent (its booking was cancelled) stays withdrawn.
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.DEAD if dead else Delivery.Status.PENDING,
            attempts=attempts, last_error=str(exc)[:500], next_attempt_at=now + delay,
        )
        result = "dead" if dead else ("rate_limited" if exc.retry_after is not None else "retry")
        metrics.DELIVERY_ATTEMPTS.labels(delivery.bot, result).inc()
        if dead:
            metrics.DELIVERIES_DEAD.labels(delivery.bot).inc()
        logger.warning("delivery %s (%s) attempt %s failed: %s%s", delivery.pk, delivery.method, attempts, exc,
                       " - dead letter" if dead else "")
        return Outcome(Delivery.Status.DEAD if dead else Delivery.Status.PENDING, exc.retry_after)
    _mark_sent(delivery.pk, attempts)
    metrics.DELIVERY_ATTEMPTS.labels(delivery.bot, "sent").inc()
    logger.info("delivery %s (%s, %s bot) sent on attempt %s", delivery.pk, delivery.method, delivery.bot, attempts)
    return Outcome(Delivery.Status.SENT)


def _mark_sent(delivery_id: int, attempts: int) -> None:
    """Telegram has the message: record it, waiting out a short database outage (a restart) rather than leave
    the delivery "sending", which would send the message a second time once its lease ends."""
    deadline = time.monotonic() + MARK_SENT_PATIENCE_SECONDS
    while True:
        try:
            Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SENT, attempts=attempts,
                                                           sent_at=timezone.now(), last_error="")
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            logger.warning("delivery %s was sent but the database is unavailable; recording it again", delivery_id)
            connection.close()
            time.sleep(0.5)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None,
                     timeout: float = SEND_TIMEOUT_SECONDS) -> str:
    """Try once. Returns the resulting status ("sent", "pending", "dead") or "skipped" if not due."""
    return _attempt(delivery_id, now=now or timezone.now(), timeout=timeout).status


def deliveries_send_now(delivery_ids: list[int], *, timeout: float = SEND_TIMEOUT_SECONDS) -> dict[int, str]:
    """Attempt each delivery once, right now (after commit, in the web process), all of them within about
    `timeout`: when Telegram does not answer, the request waits one timeout, not one per message, and the
    deliveries not attempted stay pending for the worker."""
    deadline = time.monotonic() + timeout
    outcomes: dict[int, str] = {}
    for pk in delivery_ids:
        left = deadline - time.monotonic()
        if left < MIN_SEND_NOW_SECONDS:
            outcomes[pk] = Delivery.Status.PENDING
            continue
        outcomes[pk] = delivery_attempt(pk, timeout=left)
    return outcomes


# --- Pacing and the retrying sweep ---------------------------------------------------------------


class Pacer:
    """Spaces calls out: at most `per_second` per bot overall and one per `chat_interval` seconds per chat.

    Kept per process; the sweep holds a lock so only one process sends retries at a time."""

    def __init__(self, *, per_second: float, chat_interval: float,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.chat_interval = chat_interval
        self.clock, self.sleep = clock, sleep
        self._next_bot: dict[str, float] = {}
        self._next_chat: dict[tuple[str, int], float] = {}
        self._paused: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, bot: str, chat_id: int) -> None:
        with self._lock:
            now = self.clock()
            at = max(now, self._next_bot.get(bot, 0.0), self._paused.get(bot, 0.0),
                     self._next_chat.get((bot, chat_id), 0.0))
            self._next_bot[bot] = at + self.gap
            self._next_chat[(bot, chat_id)] = at + self.chat_interval
            if len(self._next_chat) > 10_000:  # forget chats whose turn has long passed
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        if at > now:
            self.sleep(at - now)

    def pause_bot(self, bot: str, seconds: float) -> None:
        """Telegram said "retry after": nothing more goes out through this bot until then."""
        with self._lock:
            self._paused[bot] = max(self._paused.get(bot, 0.0), self.clock() + seconds)

    def chat_wait(self, bot: str, chat_id: int) -> float:
        return max(0.0, self._next_chat.get((bot, chat_id), 0.0) - self.clock())

    def paused_for(self, bot: str) -> float:
        return max(0.0, self._paused.get(bot, 0.0) - self.clock())


_pacer: Pacer | None = None


def shared_pacer() -> Pacer:
    global _pacer
    if _pacer is None:
        _pacer = Pacer(per_second=settings.TELEGRAM_MAX_PER_SECOND,
                       chat_interval=settings.TELEGRAM_CHAT_INTERVAL_SECONDS)
    return _pacer


def deliveries_send_due(
    *, budget_seconds: float = 50.0, batch: int = 200, linger_seconds: float = 5.0,
    clock: Callable[[], datetime] = timezone.now, pacer: Pacer | None = None,
    timeout: float = WORKER_SEND_TIMEOUT_SECONDS,
) -> dict[str, int]:
    """Send every due delivery, paced, for at most `budget_seconds`. Waits up to `linger_seconds` for
    deliveries that become due soon (a backoff or a retry_after about to end), so a burst drains in one run.
    Returns counts per outcome."""
    pacer = pacer or shared_pacer()
    counts: dict[str, int] = {}
    with job_lock("deliveries", seconds=budget_seconds + linger_seconds) as acquired:
        if not acquired:
            return {"locked": 1}
        started = time.monotonic()
        while (left := budget_seconds - (time.monotonic() - started)) > 0:
            now = clock()
            due = list(Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
                       .values_list("pk", "bot", "chat_id")[:batch])
            holds, attempted = [], False
            for pk, bot, chat_id in due:
                if time.monotonic() - started >= budget_seconds:
                    break
                # A paused bot or a chat messaged less than a second ago waits; the others go on.
                hold = max(pacer.paused_for(bot), pacer.chat_wait(bot, chat_id))
                if hold > 0:
                    holds.append(hold)
                    continue
                pacer.wait(bot, chat_id)
                outcome = _attempt(pk, now=clock(), timeout=timeout)
                attempted = True
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                if outcome.retry_after:
                    pacer.pause_bot(bot, outcome.retry_after)
            if attempted:
                continue
            next_due = _next_due_in(now)
            wait = min([*holds, *([next_due] if next_due is not None else [])], default=None)
            if wait is None or wait > min(linger_seconds, left):
                break
            time.sleep(max(0.02, wait))
    return counts


def _next_due_in(now: datetime) -> float | None:
    """Seconds until the next pending delivery falls due (a backoff or a retry_after ending)."""
    upcoming = (Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__gt=now)
                .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())
    return None if upcoming is None else (upcoming - now).total_seconds()


# --- Operator actions and bookkeeping --------------------------------------------------------------


def deliveries_retry(*, delivery_ids: Iterable[int], now: datetime) -> int:
    """Give dead deliveries a fresh set of attempts, due now. Withdrawn ones (a reminder of a cancelled
    booking) stay withdrawn."""
    return Delivery.objects.filter(
        pk__in=list(delivery_ids), status=Delivery.Status.DEAD,
    ).update(status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, last_error="")


def deliveries_cancel_pending(*, dedupe_prefix: str, reason: str) -> int:
    """Withdraw messages that no longer make sense (a reminder for a booking that was cancelled)."""
    return Delivery.objects.filter(
        dedupe_key__startswith=dedupe_prefix, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
    ).update(status=Delivery.Status.CANCELLED, last_error=reason[:500])


def dead_letters_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.DEAD).count()


def refresh_dead_letter_gauge() -> None:
    metrics.OUTBOX_DEAD_LETTERS.set(dead_letters_count())


def refresh_pending_gauges() -> None:
    """Scrape hook: deliveries still to send and events not yet handed to their consumers."""
    metrics.DELIVERIES_PENDING.set(Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]).count())
    metrics.EVENTS_UNDISPATCHED.set(Event.objects.filter(processed_at__isnull=True).count())
