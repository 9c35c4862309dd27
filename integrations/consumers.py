"""Outbox consumers of the jobs side, called right after a booking change commits."""

from __future__ import annotations

import logging

from booking_site.outbox.models import Event
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.reminders import reminders_withdraw

logger = logging.getLogger(__name__)

ENDED = (Event.Topic.CANCELLED, Event.Topic.REJECTED, Event.Topic.EXPIRED)
MODELS = {"equipment": EquipmentBooking, "cabinet": CabinetBooking}


def reminders_follow_bookings(event_ids: list[int]) -> None:
    """A cancelled booking's pending reminder is withdrawn; a moved booking is reminded again of its new
    time (its old reminder, if still pending, is withdrawn)."""
    events = Event.objects.filter(pk__in=event_ids, topic__in=[*ENDED, Event.Topic.MOVED],
                                  resource_type__in=list(MODELS), booking_id__isnull=False)
    for event in events:
        withdrawn = reminders_withdraw(kind=event.resource_type, booking_id=event.booking_id, reason=event.topic)
        if event.topic == Event.Topic.MOVED:
            MODELS[event.resource_type].objects.filter(pk=event.booking_id).update(reminder_sent_at=None)
        if withdrawn:
            logger.info("reminder for %s %s withdrawn (%s)", event.resource_type, event.booking_id, event.topic)
