"""The outbox consumers of e-mail. Committed booking events become one message to the booking's client (when
the client has an address that has not bounced), then the worker is asked to send them: the web process never
talks to the mail server, so a slow one cannot slow a booking, and with the broker down the sweep sends them.
A booking that ends or moves has its reminder still waiting withdrawn.

Every booking records an event, and most clients have no address: one statement finds the events worth a
message, and nothing more is read when there is none."""

from __future__ import annotations

import functools
import logging
from datetime import datetime

from django.db import connection
from django.utils import timezone

from accounts.models import Client
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.mail.messages import bookings_with_address, mail_message_enqueue, mail_reminders_withdraw
from integrations.mail.models import MailMessage
from kernel.bookings import Status
from kernel.outbox.models import Event
from kernel.outbox.services import consumes

logger = logging.getLogger(__name__)

Kind, Topic = MailMessage.Kind, Event.Topic
ENDED = (Topic.CANCELLED, Topic.REJECTED, Topic.EXPIRED)
# A booking awaiting its payment is told of once paid (`booking.paid`, as if just made); one never paid
# (`booking.not_paid`) was never announced, so its end sends nothing.
TOPICS = (Topic.CREATED, Topic.PAID, Topic.APPROVED, Topic.MOVED, *ENDED)
KIND_OF_TOPIC = {Topic.APPROVED: Kind.CONFIRMED, Topic.MOVED: Kind.MOVED, Topic.CANCELLED: Kind.CANCELLED,
                 Topic.REJECTED: Kind.REJECTED, Topic.EXPIRED: Kind.EXPIRED}
MODELS = {"equipment": EquipmentBooking, "cabinet": CabinetBooking}


def kind_of(event: Event, booking) -> str | None:
    """What the client is told of this event, or None. A booking cancelled since an event that added or
    changed it is not announced again: the cancellation's own message follows."""
    payload = event.payload or {}
    if event.topic == Topic.CREATED and payload.get("status") == Status.AWAITING_PAYMENT:
        return None
    if event.topic in ENDED and payload.get("from") == Status.AWAITING_PAYMENT:
        return None  # never paid, so never announced: its end is no news
    if event.topic in (Topic.CREATED, Topic.PAID):
        if booking.status == Status.AWAITING_PAYMENT:
            return None
        kind = Kind.RECEIVED if booking.status == Status.PENDING else Kind.CONFIRMED
    else:
        kind = KIND_OF_TOPIC[event.topic]
    if kind in (Kind.RECEIVED, Kind.CONFIRMED, Kind.MOVED) and not booking.is_holding:
        return None
    return kind


def events_worth_a_message(event_ids: list[int]) -> list[int]:
    """The events among these whose booking's client has an address that has not bounced, in one statement
    built once per number of events (compiling the ORM's union of EXISTS for every booking cost more CPU than
    running it; this runs after every booking's commit)."""
    if not event_ids:
        return []
    sql = _worth_a_message_sql(connection.vendor, len(event_ids))
    params = []
    for resource_type in MODELS:
        params += [*event_ids, *TOPICS, resource_type]
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(value) if isinstance(value, str) else value for value in params])
        return [row[0] for row in cursor.fetchall()]


@functools.lru_cache(maxsize=64)
def _worth_a_message_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    event, client = quote(Event._meta.db_table), quote(Client._meta.db_table)
    ids, topics = ", ".join(["%s"] * count), ", ".join(["%s"] * len(TOPICS))
    parts = []
    for model in MODELS.values():
        booking = quote(model._meta.db_table)
        parts.append(
            f"SELECT {event}.{quote('id')} FROM {event} WHERE {event}.{quote('id')} IN ({ids}) "
            f"AND {event}.{quote('topic')} IN ({topics}) AND {event}.{quote('resource_type')} = %s "
            f"AND EXISTS (SELECT 1 FROM {booking} JOIN {client} ON {client}.{quote('id')} = "
            f"{booking}.{quote('client_id')} WHERE {booking}.{quote('id')} = {event}.{quote('booking_id')} "
            f"AND {client}.{quote('email_bounced_at')} IS NULL AND {client}.{quote('email')} <> '')")
    return " UNION ALL ".join(parts)


def mail_messages_create(*, event_ids: list[int], now: datetime) -> list[int]:
    """Messages for these events (one per event and client; running again creates nothing)."""
    wanted = events_worth_a_message(event_ids)
    if not wanted:
        return []
    events = [event for event in Event.objects.filter(pk__in=wanted).order_by("pk")
              if (event.payload or {}).get("notify") is not False]
    bookings = {}
    for resource_type in {event.resource_type for event in events}:
        ids = [event.booking_id for event in events if event.resource_type == resource_type]
        bookings.update({(resource_type, b.pk): b for b in bookings_with_address(resource_type, pk__in=ids)})
    created: list[int] = []
    for event in events:
        booking = bookings.get((event.resource_type, event.booking_id))
        kind = kind_of(event, booking) if booking is not None else None
        if kind is None:
            continue
        message = mail_message_enqueue(kind=kind, resource_type=event.resource_type, booking=booking,
                                       client=booking.client, event_id=event.pk, now=now,
                                       dedupe_key=f"mail:event:{event.pk}:client:{booking.client_id}")
        if message is not None:
            created.append(message.pk)
    return created


@consumes(*TOPICS)
def mail_events_consume(event_ids: list[int]) -> None:
    """Outbox consumer: record the messages, then hand them to the worker."""
    created = mail_messages_create(event_ids=event_ids, now=timezone.now())
    if created:
        mail_messages_to_worker(created)


@consumes(*ENDED, Topic.NOT_PAID, Topic.MOVED)
def mail_reminders_follow_bookings(event_ids: list[int]) -> None:
    """Outbox consumer: a reminder still waiting for a booking that ended or moved is withdrawn (a moved
    booking is reminded of its new time by the next reminder sweep)."""
    events = Event.objects.filter(pk__in=event_ids, booking_id__isnull=False)
    for resource_type, booking_id, topic in events.values_list("resource_type", "booking_id", "topic"):
        mail_reminders_withdraw(resource_type=resource_type, booking_id=booking_id, reason=topic)


def mail_messages_to_worker(message_ids: list[int]) -> None:
    """Fails open: with the broker down the booking stands and the beat sweep sends the messages."""
    from integrations.mail.tasks import mail_messages_send_task

    try:
        mail_messages_send_task.apply_async(args=[list(message_ids)], retry=False)
    except Exception as exc:
        logger.warning("could not hand e-mails %s to the worker (%s); the sweep will send them", message_ids,
                       exc.__class__.__name__)
