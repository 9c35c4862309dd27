"""Recording and dispatching outbox events."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kernel import rows
from kernel.outbox.models import Event
from kernel.request_id import current_request_id

logger = logging.getLogger(__name__)

Consumer = Callable[[list[int]], None]
_consumers: list[Consumer] = []
# The events the dispatcher is handing over that this process recorded itself, by id: `events_of` gives them
# to a consumer without reading them back (every booking records one, and each consumer read it again).
_held: ContextVar[dict[int, Event] | None] = ContextVar("outbox_events_held", default=None)


def register_consumer(consumer: Consumer) -> None:
    """Called with a list of committed event ids right after the transaction that made them (only the ids
    of the topics it declared with `consumes`, and not at all when there are none)."""
    if consumer not in _consumers:
        _consumers.append(consumer)


def consumes(*topics: str):
    """Declare the only topics a consumer acts on, so that it is not called for the others: every booking
    records an event, and a consumer that would query the events only to find none of its topics costs
    a query per booking."""

    def declare(consumer: Consumer) -> Consumer:
        consumer.topics = frozenset(topics)
        return consumer

    return declare


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
    event = Event(
        topic=topic,
        resource_type=resource_type,
        booking_id=booking_id,
        channel=channel,
        actor_label=actor_label,
        payload=payload or {},
        request_id=current_request_id(),
        created_at=now,
    )
    rows.insert(event)  # a statement built once: every booking records an event
    held = Event(**{field.attname: getattr(event, field.attname) for field in Event._meta.concrete_fields})
    held.payload = json.loads(json.dumps(event.payload))  # as a consumer reading the row would see it
    held._state.adding, held._state.db = False, event._state.db
    transaction.on_commit(lambda: events_dispatch([event.pk], topics={event.pk: topic}, events=[held]))
    return event


def events_of(event_ids: Iterable[int]) -> list[Event]:
    """The events with these ids, in id order: those being dispatched by the process that recorded them as
    they were recorded, the others read (one statement)."""
    held = _held.get() or {}
    wanted = sorted(set(event_ids))
    missing = [pk for pk in wanted if pk not in held]
    found = {event.pk: event for event in rows.select(Event, where={"pk": missing})} if missing else {}
    return [held.get(pk) or found[pk] for pk in wanted if pk in held or pk in found]


def events_dispatch(event_ids: list[int], *, topics: dict[int, str] | None = None,
                    events: Iterable[Event] = ()) -> bool:
    """Hand committed events to every consumer (a consumer that declared its topics gets only the events of
    those, if any). `topics` maps the ids to their topics when the caller knows them; `events` are the events
    themselves when the caller holds them (`events_of` gives them to the consumers). A failing consumer never
    breaks the booking: the events stay undispatched and `events_dispatch_pending` hands them over again later
    (consumers are idempotent)."""
    token = _held.set({event.pk: event for event in events}) if events else None
    try:
        return _dispatch(event_ids, topics)
    finally:
        if token is not None:
            _held.reset(token)


def _dispatch(event_ids: list[int], topics: dict[int, str] | None) -> bool:
    ok = True
    for consumer in list(_consumers):
        wanted = getattr(consumer, "topics", None)
        ids = event_ids
        if wanted is not None:
            if topics is None:
                topics = dict(Event.objects.filter(pk__in=event_ids).values_list("pk", "topic"))
            ids = [pk for pk in event_ids if topics.get(pk) in wanted]
            if not ids:
                continue
        try:
            consumer(ids)
        except Exception:
            ok = False
            logger.exception("outbox consumer %s failed for events %s", getattr(consumer, "__name__", consumer),
                             ids)
    if ok and event_ids:
        _mark_processed(event_ids, timezone.now())
    return ok


def _mark_processed(event_ids: list[int], now: datetime) -> None:
    """UPDATE ... SET processed_at, as one statement built once per number of ids (it runs after every
    booking; the queryset's update cost more CPU to build than to run)."""
    with connection.cursor() as cursor:
        cursor.execute(_processed_sql(len(event_ids)), [connection.ops.adapt_datetimefield_value(now), *event_ids])


@functools.lru_cache(maxsize=64)
def _processed_sql(count: int) -> str:
    quote = connection.ops.quote_name
    table, pk, processed = (quote(Event._meta.db_table), quote(Event._meta.pk.column),
                            quote(Event._meta.get_field("processed_at").column))
    return (f"UPDATE {table} SET {processed} = %s WHERE {pk} IN ({', '.join(['%s'] * count)}) "
            f"AND {processed} IS NULL")


def events_dispatch_pending(*, now: datetime, older_than: timedelta = timedelta(minutes=1), batch: int = 500) -> int:
    """Dispatch events that were committed but never handed over (the process died right after commit, or a
    consumer failed). Returns how many were handed over."""
    ids = list(Event.objects.filter(processed_at__isnull=True, created_at__lte=now - older_than)
               .order_by("id").values_list("pk", flat=True)[:batch])
    if ids and events_dispatch(ids):
        return len(ids)
    return 0
