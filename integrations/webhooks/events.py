"""Which outbox events a partner's webhooks hear, under which name, and what they carry.

One table: an entry names the webhook event type, the outbox topics it is made from, and how to find the
partner it belongs to and its `data`. A new kind of event (the waitlist's offers) is one more entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from kernel.outbox.models import Event

# (partner id, data), or None when the event concerns no partner.
Resolved = tuple[int, dict] | None


def booking_of_partner(event: Event) -> Resolved:
    """A partner's own booking, as the API returns it. Equipment that belongs to a cabinet booking is reported
    inside that cabinet booking, not on its own."""
    # The API's own renderers, imported here: the API modules import this table through their URLs.
    from cabinets.api.views import booking_body as cabinet_booking_body
    from equipment.api.views import booking_body as equipment_booking_body

    if event.booking_id is None:
        return None
    if event.resource_type == "equipment":
        booking = (EquipmentBooking.objects.select_related("item")
                   .filter(pk=event.booking_id, partner__isnull=False, cabinet_booking__isnull=True).first())
        return (booking.partner_id, equipment_booking_body(booking)) if booking else None
    if event.resource_type == "cabinet":
        booking = CabinetBooking.objects.filter(pk=event.booking_id, partner__isnull=False).first()
        return (booking.partner_id, cabinet_booking_body(booking)) if booking else None
    return None


def partner_in_payload(event: Event) -> Resolved:
    """Events that name their partner in the payload (`partner_id`); the rest of the payload is the data."""
    payload = dict(event.payload or {})
    partner_id = payload.pop("partner_id", None)
    if not isinstance(partner_id, int):
        return None
    return partner_id, payload


@dataclass(frozen=True)
class EventType:
    name: str
    topics: tuple[str, ...]
    resolve: Callable[[Event], Resolved]


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("booking.created", (Event.Topic.CREATED,), booking_of_partner),
    EventType("booking.approved", (Event.Topic.APPROVED,), booking_of_partner),
    EventType("booking.rejected", (Event.Topic.REJECTED,), booking_of_partner),
    # A request not decided in time is cancelled: for a partner that is a cancellation like any other.
    EventType("booking.cancelled", (Event.Topic.CANCELLED, Event.Topic.EXPIRED), booking_of_partner),
    EventType("booking.moved", (Event.Topic.MOVED,), booking_of_partner),
    EventType("booking.completed", (Event.Topic.COMPLETED,), booking_of_partner),
    EventType("waitlist.offered", ("waitlist.offered",), partner_in_payload),
)
EVENT_TYPE_NAMES: tuple[str, ...] = tuple(event_type.name for event_type in EVENT_TYPES)
BY_TOPIC: dict[str, EventType] = {topic: event_type for event_type in EVENT_TYPES for topic in event_type.topics}
