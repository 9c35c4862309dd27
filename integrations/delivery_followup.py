"""The worker's follow-up of committed outbox events: it reports each event and the Telegram deliveries
rendered from it, then sends whatever is still pending (paced, like every retry)."""

from __future__ import annotations

import logging

from integrations.delivery import deliveries_send_due
from integrations.models import Delivery
from kernel.outbox.models import Event

logger = logging.getLogger(__name__)


def events_follow_up(*, event_ids: list[int]) -> dict:
    deliveries = list(Delivery.objects.filter(event_id__in=event_ids).values_list("pk", "event_id", "status"))
    for event in Event.objects.filter(pk__in=event_ids).order_by("pk"):
        mine = [(pk, status) for pk, event_id, status in deliveries if event_id == event.pk]
        logger.info("outbox event %s %s %s #%s: %s", event.pk, event.topic, event.resource_type, event.booking_id,
                    ", ".join(f"delivery {pk} {status}" for pk, status in mine) or "no Telegram deliveries")
    pending = [pk for pk, _event, status in deliveries if status in (Delivery.Status.PENDING,
                                                                     Delivery.Status.SENDING)]
    if not pending:
        return {"events": len(event_ids), "pending": 0}
    return {"events": len(event_ids), "pending": len(pending),
            **deliveries_send_due(budget_seconds=40, linger_seconds=10)}
