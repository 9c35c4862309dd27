"""Cancelling an equipment booking: who may and until when is `equipment.rules`; the units are freed at once."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from equipment import rules
from equipment.models import EquipmentBooking
from equipment.services.locks import RESOURCE, lock_booking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import booking_transition


@transaction.atomic
def equipment_booking_cancel(*, booking: EquipmentBooking, actor: Actor, now: datetime, reason: str = "",
                             channel: str = Channel.ADMIN) -> EquipmentBooking:
    """Owner (before the start), owning partner or manager. Frees the units at once."""
    booking = lock_booking(booking)
    rules.check_can_cancel(booking=booking, actor=actor, now=now)
    booking_transition(booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=actor,
                       channel=channel, now=now, reason=reason)
    return booking
