"""Cancelling a cabinet booking: who may and until when is `cabinets.rules`; the slots and the equipment are
freed at once."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cabinets import rules
from cabinets.models import CabinetBooking
from cabinets.services.occupancy import lock_booking
from cabinets.services.status import change_status
from kernel.bookings import Status
from kernel.channels import Actor, Channel


@transaction.atomic
def cabinet_booking_cancel(
    *, booking: CabinetBooking, actor: Actor, now: datetime, reason: str = "", channel: str = Channel.ADMIN
) -> CabinetBooking:
    """Owner (before the start), owning partner or manager. Frees the slots and the equipment at once."""
    booking = lock_booking(booking)
    rules.check_can_cancel(booking=booking, actor=actor, now=now)
    return change_status(
        booking=booking, to_status=Status.CANCELLED, actor=actor, now=now, channel=channel, reason=reason
    )
