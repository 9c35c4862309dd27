"""A cabinet booking's change of status (approve, reject, cancel, complete, expire): the kernel's transition,
the attached equipment following it, and the slots freed once the booking no longer holds them."""

from __future__ import annotations

from datetime import datetime

from cabinets.models import CabinetBooking
from cabinets.services.occupancy import release
from equipment.services import equipment_follow_cabinet
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor
from kernel.lifecycle import booking_transition

RESOURCE = "cabinet"


def change_status(
    *,
    booking: CabinetBooking,
    to_status: str,
    actor: Actor,
    now: datetime,
    channel: str,
    reason: str = "",
    topic: str | None = None,
    notify: bool = True,
) -> CabinetBooking:
    booking_transition(
        booking=booking,
        to_status=to_status,
        resource_type=RESOURCE,
        actor=actor,
        channel=channel,
        now=now,
        reason=reason,
        topic=topic,
        notify=notify,
    )
    equipment_follow_cabinet(cabinet_booking=booking, to_status=to_status, actor=actor, now=now, reason=reason)
    if to_status not in HOLDING_STATUSES:
        release(booking)
    return booking
