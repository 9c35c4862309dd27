"""Telegram calls recorded as Delivery rows: idempotent creation, and the channel that the delivery engine
(integrations.outbound.engine: claim, lease, backoff, dead letter, metrics) sends them through. What is
Telegram's own is here: the Bot API call, what its answers mean (429's retry_after, 400/403 for a chat that
is gone), the dead letter after DELIVERY_MAX_ATTEMPTS, and the pacing.

Synchronous on purpose: the web process attempts a delivery once right after commit; the worker's sweep
(`deliveries_send_due`) retries whatever is still pending, paced to at most TELEGRAM_MAX_PER_SECOND calls
per bot and one call per TELEGRAM_CHAT_INTERVAL_SECONDS per chat."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from booking_site.logging import bound_request_id
from integrations.models import Delivery
from integrations.outbound import engine
from integrations.outbound.engine import ChannelMetrics, Result
from integrations.outbound.pacing import Pacer
from kernel import metrics
from kernel.outbox.models import Event

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 5.0
WORKER_SEND_TIMEOUT_SECONDS = 10.0
# A delivery stuck in "sending" (the process died mid-call) becomes due again after this long.
SENDING_LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=10)


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


class SendError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


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


class TelegramChannel(engine.Channel):
    """Bot API calls: retried with backoff from DELIVERY_BACKOFF_SECONDS (5 s, 10 s, 20 s … at most 10 min)
    or after Telegram's retry_after, a dead letter after DELIVERY_MAX_ATTEMPTS or at once when the chat is
    gone; paced per bot and per chat."""

    name = "telegram"
    model = Delivery
    lock_name = "deliveries"
    done_status = Delivery.Status.SENT
    done_at_field = "sent_at"
    lease = SENDING_LEASE
    max_backoff = MAX_BACKOFF
    pace_fields = ("bot", "chat_id")
    logger = logger
    metrics = ChannelMetrics(attempts=metrics.DELIVERY_ATTEMPTS, dead=metrics.DELIVERIES_DEAD,
                             dead_letters=metrics.OUTBOX_DEAD_LETTERS, pending=metrics.DELIVERIES_PENDING)

    def send(self, row: Delivery, *, now: datetime, timeout: float) -> Result:
        try:
            _call(row, timeout)
        except SendError as exc:
            if exc.permanent:
                return Result.refused(str(exc))
            return Result.retry(str(exc), retry_after=exc.retry_after)
        return Result.delivered()

    def backoff_base_seconds(self) -> float:
        return settings.DELIVERY_BACKOFF_SECONDS

    def max_attempts(self) -> int:
        return settings.DELIVERY_MAX_ATTEMPTS

    def load(self, pk: int) -> Delivery:
        # The request id of the event that made the delivery, so its log lines name the request behind it.
        request_id = Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("request_id")[:1])
        return Delivery.objects.annotate(request_id=request_id).get(pk=pk)

    def describe(self, row: Delivery) -> str:
        return f"delivery {row.pk} ({row.method}, {row.bot} bot)"

    def log_context(self, row: Delivery):
        return bound_request_id(row.request_id)

    def metric_labels(self, row: Delivery) -> tuple[str, ...]:
        return (row.bot,)


TELEGRAM = TelegramChannel()


def backoff(attempts: int) -> timedelta:
    """base, 2·base, 4·base … (5 s, 10 s, 20 s by default), capped at 10 minutes."""
    return TELEGRAM.backoff(attempts)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None,
                     timeout: float = SEND_TIMEOUT_SECONDS) -> str:
    """Try once. Returns the resulting status ("sent", "pending", "dead") or "skipped" if not due."""
    return engine.attempt(TELEGRAM, delivery_id, now=now or timezone.now(), timeout=timeout).status


def deliveries_send_now(delivery_ids: list[int], *, timeout: float = SEND_TIMEOUT_SECONDS) -> dict[int, str]:
    """Attempt each delivery once, right now (after commit, in the web process), all of them within about
    `timeout`: when Telegram does not answer, the request waits one timeout, not one per message, and the
    deliveries not attempted stay pending for the worker."""
    return engine.attempt_each_within(TELEGRAM, delivery_ids, timeout=timeout)


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
    return engine.send_due(TELEGRAM, clock=clock, timeout=timeout, budget_seconds=budget_seconds, batch=batch,
                           linger_seconds=linger_seconds, pacer=pacer or shared_pacer())


# --- Operator actions and bookkeeping --------------------------------------------------------------


def deliveries_retry(*, delivery_ids: Iterable[int], now: datetime) -> int:
    """Give dead deliveries a fresh set of attempts, due now. Withdrawn ones (a reminder of a cancelled
    booking) stay withdrawn."""
    return engine.revive(TELEGRAM, delivery_ids, now=now)


def deliveries_cancel_pending(*, dedupe_prefix: str, reason: str) -> int:
    """Withdraw messages that no longer make sense (a reminder for a booking that was cancelled)."""
    return Delivery.objects.filter(
        dedupe_key__startswith=dedupe_prefix, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
    ).update(status=Delivery.Status.CANCELLED, last_error=reason[:500])


def dead_letters_count() -> int:
    return engine.dead_letters_count(TELEGRAM)


def refresh_dead_letter_gauge() -> None:
    engine.refresh_dead_letter_gauge(TELEGRAM)


def refresh_pending_gauges() -> None:
    """Scrape hook: deliveries still to send and events not yet handed to their consumers."""
    engine.refresh_pending_gauge(TELEGRAM)
    metrics.EVENTS_UNDISPATCHED.set(Event.objects.filter(processed_at__isnull=True).count())
