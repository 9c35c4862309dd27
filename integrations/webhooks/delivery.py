"""Sending webhook deliveries: signed like Stripe's (`X-Clinic-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`), 5 s timeout, retried with exponential backoff on any non-2xx answer, timeout or connection
error until WEBHOOK_RETRY_HOURS after the event, then a dead letter an operator can retry from the admin.

Every connection goes to an address checked as it is opened (integrations.webhooks.transport): a receiver
whose name now leads to a loopback, private or link-local address gets nothing and the delivery is a dead
letter at once.

One attempt at a time per delivery: each is claimed with a conditional update, so two workers never send it
twice at once; one stuck in "sending" (its worker died) becomes due again after SENDING_LEASE."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import ssl
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q

from integrations.joblock import job_lock
from integrations.webhooks.models import WebhookDelivery
from kernel import metrics

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
SENDING_LEASE = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
SIGNATURE_HEADER = "X-Clinic-Signature"
USER_AGENT = "clinic-booking-webhooks/1"
Status = WebhookDelivery.Status


def body_bytes(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The header value: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> timedelta:
    """base, 2·base, 4·base … (30 s, 1 min, 2 min by default), at most an hour apart."""
    return min(MAX_BACKOFF, timedelta(seconds=settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, next_attempt_at__lte=now - SENDING_LEASE)


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(_due(now), pk=delivery_id).update(status=Status.SENDING,
                                                                              next_attempt_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


class Failure(Exception):
    def __init__(self, message: str, *, status_code: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status_code, self.permanent = status_code, permanent


_client: httpx.Client | None = None  # httpx is imported on the first delivery: most processes never send one


def new_client(*, verify: ssl.SSLContext | bool = True) -> httpx.Client:
    """Redirects are not followed (a receiver cannot send a signed delivery on to another address)."""
    import httpx

    from integrations.webhooks.transport import CheckedTransport

    return httpx.Client(transport=CheckedTransport(verify=verify), follow_redirects=False,
                        headers={"User-Agent": USER_AGENT})


def http_client() -> httpx.Client:
    """One client per process: connections and the TLS context are reused."""
    global _client
    if _client is None:
        _client = new_client()
    return _client


def _post(delivery: WebhookDelivery, *, now: datetime, timeout: float) -> int:
    import httpx

    from integrations.webhooks.transport import refusal_of

    webhook = delivery.webhook
    if not webhook.is_active:
        raise Failure("the webhook is switched off", permanent=True)
    body = body_bytes(delivery.body)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret=webhook.secret, timestamp=int(now.timestamp()), body=body),
        "X-Clinic-Event-Id": str(delivery.body.get("id", "")),
        "X-Clinic-Event-Type": delivery.event_type,
    }
    try:
        response = http_client().post(webhook.url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise Failure(f"timeout ({exc.__class__.__name__})") from exc
    except (httpx.HTTPError, OSError) as exc:
        refusal = refusal_of(exc) if isinstance(exc, httpx.HTTPError) else None
        if refusal:
            raise Failure(refusal, permanent=True) from exc
        raise Failure(f"connection failed ({exc.__class__.__name__})") from exc
    if 200 <= response.status_code < 300:
        return response.status_code
    raise Failure(f"HTTP {response.status_code}", status_code=response.status_code)


def webhook_delivery_attempt(delivery_id: int, *, now: datetime, timeout: float = TIMEOUT_SECONDS) -> str:
    """Try once if due. Returns "delivered", "pending" (will be retried), "dead" or "skipped" (not due)."""
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    attempts = delivery.attempts + 1
    try:
        code = _post(delivery, now=now, timeout=timeout)
    except Failure as failure:
        dead = failure.permanent or now >= delivery.retry_until
        # The last attempt falls on the end of the window, so "down for 24 h" is tried until the very end.
        next_at = min(now + backoff(attempts), delivery.retry_until)
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.DEAD if dead else Status.PENDING, attempts=attempts, next_attempt_at=next_at,
            last_status_code=failure.status_code, last_error=str(failure)[:500])
        metrics.WEBHOOK_ATTEMPTS.labels("dead" if dead else "retry").inc()
        logger.warning("webhook delivery %s (%s, webhook %s) attempt %s failed: %s%s", delivery.pk,
                       delivery.event_type, delivery.webhook_id, attempts, failure, " - dead letter" if dead else "")
        return Status.DEAD if dead else Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=Status.DELIVERED, attempts=attempts,
                                                          last_status_code=code, last_error="", delivered_at=now)
    metrics.WEBHOOK_ATTEMPTS.labels("delivered").inc()
    logger.info("webhook delivery %s (%s, webhook %s) delivered on attempt %s", delivery.pk, delivery.event_type,
                delivery.webhook_id, attempts)
    return Status.DELIVERED


def webhook_deliveries_send_due(*, now: datetime, batch: int = 200, budget_seconds: float = 50.0,
                                timeout: float = TIMEOUT_SECONDS) -> dict:
    """Attempt the deliveries due at `now`, oldest first, up to `batch` of them or for about
    `budget_seconds`; the rest wait for the next run. Returns counts per outcome."""
    counts: dict[str, int] = {}
    with job_lock("webhooks", seconds=budget_seconds + timeout) as acquired:
        if not acquired:
            return {"locked": 1}
        started = time.monotonic()
        due = list(WebhookDelivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
                   .values_list("pk", flat=True)[:batch])
        for pk in due:
            if time.monotonic() - started >= budget_seconds:
                break
            outcome = webhook_delivery_attempt(pk, now=now, timeout=timeout)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def webhook_deliveries_retry(*, delivery_ids: Iterable[int], now: datetime) -> int:
    """Dead letters get a fresh window of retries, the first one due now."""
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    return WebhookDelivery.objects.filter(pk__in=list(delivery_ids), status=Status.DEAD).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, retry_until=now + window, last_error="")


def delivered_expired(now: datetime):
    """Delivered webhook deliveries older than RETENTION_DAYS, for the retention purge."""
    return WebhookDelivery.objects.filter(status=Status.DELIVERED,
                                          created_at__lt=now - timedelta(days=settings.RETENTION_DAYS))


def dead_letters_count() -> int:
    return WebhookDelivery.objects.filter(status=Status.DEAD).count()


def refresh_dead_letter_gauge() -> None:
    metrics.WEBHOOK_DEAD_LETTERS.set(dead_letters_count())


