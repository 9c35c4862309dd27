"""A manager's decision on a pending cabinet booking: approve or reject; the attached equipment follows."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cabinets.models import CabinetBooking
from cabinets.services.occupancy import lock_booking
from cabinets.services.status import change_status
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import check_can_decide


@transaction.atomic
def cabinet_booking_approve(
    *, booking: CabinetBooking, actor: Actor, now: datetime, channel: str = Channel.ADMIN
) -> CabinetBooking:
    check_can_decide(actor)
    return change_status(booking=lock_booking(booking), to_status=Status.APPROVED, actor=actor, now=now,
                         channel=channel)


@transaction.atomic
def cabinet_booking_reject(
    *, booking: CabinetBooking, actor: Actor, now: datetime, reason: str = "", channel: str = Channel.ADMIN
) -> CabinetBooking:
    check_can_decide(actor)
    return change_status(
        booking=lock_booking(booking), to_status=Status.REJECTED, actor=actor, now=now, channel=channel, reason=reason
    )
