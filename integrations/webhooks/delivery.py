"""Partner webhook deliveries: the channel that the delivery engine (integrations.outbound.engine: claim,
lease, backoff, dead letter, metrics) sends them through. What is the webhooks' own is here: signed like
Stripe's (`X-Clinic-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), 5 s timeout, retried with
exponential backoff on any non-2xx answer, timeout or connection error until WEBHOOK_RETRY_HOURS after the
event, then a dead letter an operator can retry from the admin.

Every connection goes to an address checked as it is opened (integrations.webhooks.transport): a receiver
whose name now leads to a loopback, private or link-local address gets nothing and the delivery is a dead
letter at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import ssl
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from integrations.outbound import engine
from integrations.outbound.engine import ChannelMetrics, Result
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


class WebhookChannel(engine.Channel):
    """Signed POSTs to a partner's endpoint: retried with backoff from WEBHOOK_BACKOFF_SECONDS (30 s, 1 min,
    2 min … at most an hour apart) until the delivery's retry window ends, then a dead letter; a dead letter
    at once when the endpoint is switched off or its name leads to an address deliveries must not reach."""

    name = "webhook"
    model = WebhookDelivery
    lock_name = "webhooks"
    done_status = Status.DELIVERED
    done_at_field = "delivered_at"
    status_code_field = "last_status_code"
    lease = SENDING_LEASE
    max_backoff = MAX_BACKOFF
    logger = logger
    metrics = ChannelMetrics(attempts=metrics.WEBHOOK_ATTEMPTS, dead_letters=metrics.WEBHOOK_DEAD_LETTERS)

    def send(self, row: WebhookDelivery, *, now: datetime, timeout: float) -> Result:
        try:
            code = _post(row, now=now, timeout=timeout)
        except Failure as failure:
            if failure.permanent:
                return Result.refused(str(failure), status_code=failure.status_code)
            return Result.retry(str(failure), status_code=failure.status_code)
        return Result.delivered(status_code=code)

    def backoff_base_seconds(self) -> float:
        return settings.WEBHOOK_BACKOFF_SECONDS

    def retry_deadline(self, row: WebhookDelivery) -> datetime:
        return row.retry_until

    def revive_fields(self, *, now: datetime) -> dict[str, Any]:
        return {"retry_until": now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)}

    def load(self, pk: int) -> WebhookDelivery:
        return WebhookDelivery.objects.select_related("webhook").get(pk=pk)

    def describe(self, row: WebhookDelivery) -> str:
        return f"webhook delivery {row.pk} ({row.event_type}, webhook {row.webhook_id})"


WEBHOOKS = WebhookChannel()


def backoff(attempts: int) -> timedelta:
    """base, 2·base, 4·base … (30 s, 1 min, 2 min by default), at most an hour apart."""
    return WEBHOOKS.backoff(attempts)


def webhook_delivery_attempt(delivery_id: int, *, now: datetime, timeout: float = TIMEOUT_SECONDS) -> str:
    """Try once if due. Returns "delivered", "pending" (will be retried), "dead" or "skipped" (not due)."""
    return engine.attempt(WEBHOOKS, delivery_id, now=now, timeout=timeout).status


def webhook_deliveries_send_due(*, now: datetime, batch: int = 200, budget_seconds: float = 50.0,
                                timeout: float = TIMEOUT_SECONDS) -> dict:
    """Attempt the deliveries due at `now`, oldest first, for about `budget_seconds`; the rest wait for the
    next run. Returns counts per outcome."""
    return engine.send_due(WEBHOOKS, clock=lambda: now, timeout=timeout, budget_seconds=budget_seconds,
                           batch=batch)


def webhook_deliveries_retry(*, delivery_ids: Iterable[int], now: datetime) -> int:
    """Dead letters get a fresh window of retries, the first one due now."""
    return engine.revive(WEBHOOKS, delivery_ids, now=now)


def delivered_expired(now: datetime):
    """Delivered webhook deliveries older than RETENTION_DAYS, for the retention purge."""
    return WebhookDelivery.objects.filter(status=Status.DELIVERED,
                                          created_at__lt=now - timedelta(days=settings.RETENTION_DAYS))


def dead_letters_count() -> int:
    return engine.dead_letters_count(WEBHOOKS)


def refresh_dead_letter_gauge() -> None:
    engine.refresh_dead_letter_gauge(WEBHOOKS)


