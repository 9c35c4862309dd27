"""The periodic sweeps over whole-day equipment bookings: completing the ended, expiring the undecided and
reminding managers of requests still waiting."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from equipment.models import EquipmentBooking
from equipment.rules import clinic_today
from equipment.services.locks import RESOURCE
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import (
    REASON_NOT_DECIDED,
    booking_transition,
    bookings_remind_undecided,
    bookings_sweep,
    undecided_too_long,
)
from kernel.outbox.models import Event


def equipment_bookings_complete_ended(*, now: datetime, batch: int = 500) -> int:
    """Approved whole-day bookings whose last day is over become completed."""
    ended = EquipmentBooking.objects.filter(status=Status.APPROVED, end_date__lt=clinic_today(now),
                                            cabinet_booking__isnull=True)
    return bookings_sweep(ended, lambda booking: booking_transition(
        booking=booking, to_status=Status.COMPLETED, resource_type=RESOURCE, actor=Actor.system(),
        channel=Channel.SYSTEM, now=now, notify=False), batch=batch)


def equipment_bookings_expire_undecided(*, now: datetime, batch: int = 500) -> int:
    """Pending whole-day bookings whose first day has begun without a decision (or that waited longer than
    APPROVAL_EXPIRE_HOURS) are cancelled."""
    undecided = EquipmentBooking.objects.filter(
        undecided_too_long(Q(start_date__lte=clinic_today(now)), now=now), status=Status.PENDING,
        cabinet_booking__isnull=True)
    return bookings_sweep(undecided, lambda booking: booking_transition(
        booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=Actor.system(),
        channel=Channel.SYSTEM, now=now, reason=REASON_NOT_DECIDED, topic=Event.Topic.EXPIRED), batch=batch)


def equipment_bookings_remind_undecided(*, now: datetime, batch: int = 500) -> int:
    """Whole-day requests waiting longer than APPROVAL_REMIND_MINUTES are announced to managers once more."""
    return bookings_remind_undecided(EquipmentBooking.objects.filter(cabinet_booking__isnull=True),
                                     resource_type=RESOURCE, now=now, batch=batch)
