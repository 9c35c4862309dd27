"""The outbox consumer of partner webhooks: committed events become one delivery per subscribed endpoint,
then the worker is asked to send them (never the web process: a slow receiver must not slow a booking)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.webhooks.events import BY_TOPIC
from integrations.webhooks.models import PartnerWebhook, WebhookDelivery
from kernel import rows
from kernel.outbox.models import Event

logger = logging.getLogger(__name__)


def event_id(event: Event) -> str:
    """The event's id as the receiver sees it: the same for every attempt and every endpoint."""
    return f"evt_{event.pk}"


def webhook_deliveries_create(*, event_ids: list[int], now: datetime) -> list[int]:
    """Deliveries for these events (created once per endpoint and event; running again creates nothing)."""
    # Read on every booking: a statement built once; with no active webhook the events are not read at all.
    hooks = rows.select(PartnerWebhook, where={"is_active": True})
    if not hooks:
        return []
    # The API module loads DRF and its schema generator: imported here, not by every process loading the apps.
    from kernel.api import local_iso

    events = [e for e in Event.objects.filter(pk__in=event_ids, topic__in=list(BY_TOPIC)).order_by("pk")]
    if not events:
        return []
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    created: list[int] = []
    for event in events:
        event_type = BY_TOPIC[event.topic]
        listening = [hook for hook in hooks if event_type.name in hook.event_types]
        if not listening:
            continue
        resolved = event_type.resolve(event)
        if resolved is None:
            continue
        partner_id, data = resolved
        body = {"id": event_id(event), "type": event_type.name, "created_at": local_iso(event.created_at),
                "data": data}
        for hook in listening:
            if hook.partner_id != partner_id:
                continue
            with transaction.atomic():
                delivery, made = WebhookDelivery.objects.get_or_create(
                    dedupe_key=f"webhook:{hook.pk}:event:{event.pk}",
                    defaults={"webhook": hook, "event_id": event.pk, "event_type": event_type.name, "body": body,
                              "next_attempt_at": now, "retry_until": now + window, "created_at": now})
            if made:
                created.append(delivery.pk)
    return created


def webhook_events_consume(event_ids: list[int]) -> None:
    """Outbox consumer: record the deliveries, then hand them to the worker. With the broker down nothing is
    lost: the beat sweep sends whatever is due."""
    created = webhook_deliveries_create(event_ids=event_ids, now=timezone.now())
    if not created:
        return
    from integrations.webhooks.tasks import webhook_deliveries_send_task

    try:
        webhook_deliveries_send_task.apply_async(args=[created], retry=False)
    except Exception as exc:
        logger.warning("could not hand webhook deliveries %s to the worker (%s); the sweep will send them",
                       created, exc.__class__.__name__)
