"""Outbox consumers of the jobs side, called right after a booking change commits."""

from __future__ import annotations

import logging

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.reminders import reminders_withdraw
from kernel.outbox.models import Event
from kernel.outbox.services import consumes

logger = logging.getLogger(__name__)

ENDED = (Event.Topic.CANCELLED, Event.Topic.REJECTED, Event.Topic.EXPIRED)
MODELS = {"equipment": EquipmentBooking, "cabinet": CabinetBooking}


@consumes(*ENDED, Event.Topic.MOVED)
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


def events_to_worker(event_ids: list[int]) -> None:
    """Hand committed events to the worker, which follows up on their Telegram deliveries (sending what the
    web process could not); called for the events with a delivery left unsent. Fails open: with the broker
    down the booking stands and the beat sweep later sends whatever is pending."""
    from integrations.tasks import events_follow_up_task

    try:
        events_follow_up_task.apply_async(args=[list(event_ids)], countdown=2, retry=False)
    except Exception as exc:  # the broker (Redis) is down: nothing is lost, the deliveries wait in the database
        logger.warning("could not hand events %s to the worker (%s); the delivery sweep will pick them up",
                       event_ids, exc.__class__.__name__)
