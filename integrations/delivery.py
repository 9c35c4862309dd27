"""Sending Telegram calls recorded as Delivery rows: idempotent creation, one attempt at a time, retries
with backoff (Telegram's retry_after honoured), dead letter after MAX_ATTEMPTS.

Synchronous on purpose: it runs after commit in the web process and inside Celery tasks alike."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_TIMEOUT_SECONDS = 5.0
# A delivery stuck in "sending" (the process died mid-call) becomes due again after this long.
SENDING_LEASE = timedelta(minutes=2)


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


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at 10 minutes."""
    return timedelta(seconds=min(600, 5 * 2 ** max(0, attempts - 1)))


class SendError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


def _call(delivery: Delivery, timeout: float) -> dict:
    token = bot_token(delivery.bot)
    if not token:
        raise SendError("bot is not configured", permanent=True)
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/{delivery.method}"
    data = {"chat_id": str(delivery.chat_id)}
    files = None
    for key, value in delivery.payload.items():
        if key == "document_path":
            continue
        data[key] = json.dumps(value) if isinstance(value, dict | list) else str(value)
    try:
        if "document_path" in delivery.payload:
            path = Path(delivery.payload["document_path"])
            with path.open("rb") as handle:
                files = {"document": (delivery.payload.get("filename") or path.name, handle.read())}
            data.pop("filename", None)
        response = httpx.post(url, data=data, files=files, timeout=timeout)
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
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise SendError(description, retry_after=float(retry_after or 1))
    # 400/403: the chat is gone, the bot was blocked or the request is malformed: retrying will not help.
    raise SendError(description, permanent=response.status_code in (400, 401, 403, 404))


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take the delivery for this process: a conditional update, so two senders never both send it."""
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, next_attempt_at__lte=now - SENDING_LEASE)
    with transaction.atomic():
        claimed = Delivery.objects.filter(due, pk=delivery_id).update(
            status=Delivery.Status.SENDING, next_attempt_at=now)
    if not claimed:
        return None
    return Delivery.objects.get(pk=delivery_id)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None,
                     timeout: float = SEND_TIMEOUT_SECONDS) -> str:
    """Try once. Returns the resulting status ("sent", "pending", "dead") or "skipped" if not due."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    attempts = delivery.attempts + 1
    try:
        _call(delivery, timeout)
    except SendError as exc:
        dead = exc.permanent or attempts >= MAX_ATTEMPTS
        delay = timedelta(seconds=exc.retry_after) if exc.retry_after else backoff(attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DEAD if dead else Delivery.Status.PENDING,
            attempts=attempts, last_error=str(exc)[:500], next_attempt_at=now + delay,
        )
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, attempts, exc)
        return Delivery.Status.DEAD if dead else Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, attempts=attempts,
                                                   sent_at=timezone.now(), last_error="")
    return Delivery.Status.SENT


def deliveries_send_now(delivery_ids: list[int], *, timeout: float = SEND_TIMEOUT_SECONDS) -> dict[int, str]:
    """Attempt each delivery once, right now (after commit, in the web process)."""
    return {pk: delivery_attempt(pk, timeout=timeout) for pk in delivery_ids}
