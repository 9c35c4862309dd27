"""Recording and dispatching outbox events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking_site.logging import current_request_id
from booking_site.outbox.models import Event

logger = logging.getLogger(__name__)

Consumer = Callable[[list[int]], None]
_consumers: list[Consumer] = []


def register_consumer(consumer: Consumer) -> None:
    """Called with a list of committed event ids right after the transaction that made them."""
    if consumer not in _consumers:
        _consumers.append(consumer)


def unregister_consumer(consumer: Consumer) -> None:
    if consumer in _consumers:
        _consumers.remove(consumer)


def event_record(
    *,
    topic: str,
    resource_type: str,
    booking_id: int | None,
    now: datetime,
    channel: str = "",
    actor_label: str = "",
    payload: dict[str, Any] | None = None,
) -> Event:
    """Write an event in the caller's transaction; consumers see it after commit, never before. The bound
    request id is stored with it, so what the event causes later is logged under the same id."""
    event = Event.objects.create(
        topic=topic,
        resource_type=resource_type,
        booking_id=booking_id,
        channel=channel,
        actor_label=actor_label,
        payload=payload or {},
        request_id=current_request_id(),
        created_at=now,
    )
    transaction.on_commit(lambda: events_dispatch([event.pk]))
    return event


def events_dispatch(event_ids: list[int]) -> bool:
    """Hand committed events to every consumer. A failing consumer never breaks the booking: the events stay
    undispatched and `events_dispatch_pending` hands them over again later (consumers are idempotent)."""
    ok = True
    for consumer in list(_consumers):
        try:
            consumer(event_ids)
        except Exception:
            ok = False
            logger.exception("outbox consumer %s failed for events %s", getattr(consumer, "__name__", consumer),
                             event_ids)
    if ok:
        Event.objects.filter(pk__in=event_ids, processed_at__isnull=True).update(processed_at=timezone.now())
    return ok


def events_dispatch_pending(*, now: datetime, older_than: timedelta = timedelta(minutes=1), batch: int = 500) -> int:
    """Dispatch events that were committed but never handed over (the process died right after commit, or a
    consumer failed). Returns how many were handed over."""
    ids = list(Event.objects.filter(processed_at__isnull=True, created_at__lte=now - older_than)
               .order_by("id").values_list("pk", flat=True)[:batch])
    if ids and events_dispatch(ids):
        return len(ids)
    return 0
