"""Attendance of cabinet bookings: the client's "I will come" and the manager's no-show. A no-show frees the
rest of its window, if any is left, and its equipment follows it; what has passed stays as it was (a
completed booking marked a no-show releases nothing)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cabinets.models import CabinetBooking
from cabinets.services.occupancy import lock_booking, release
from equipment.services import RESOURCE as EQUIPMENT
from kernel.attendance import booking_confirm_attendance, booking_mark_no_show
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import booking_transition


@transaction.atomic
def cabinet_booking_confirm_attendance(*, booking: CabinetBooking, actor: Actor, now: datetime) -> CabinetBooking:
    booking = lock_booking(booking)
    booking_confirm_attendance(booking=booking, actor=actor, starts_at=booking.starts_at, now=now)
    return booking


@transaction.atomic
def cabinet_booking_mark_no_show(*, booking: CabinetBooking, actor: Actor, now: datetime,
                                 channel: str = Channel.ADMIN) -> CabinetBooking:
    booking = lock_booking(booking)
    booking_mark_no_show(booking=booking, resource_type="cabinet", actor=actor, channel=channel,
                         starts_at=booking.starts_at, now=now)
    for line in booking.equipment_bookings.select_for_update().filter(
            status__in=(Status.APPROVED, Status.COMPLETED)).order_by("pk"):
        booking_transition(booking=line, to_status=Status.NO_SHOW, resource_type=EQUIPMENT, actor=actor,
                           channel=Channel.CABINET, now=now, notify=False)
    release(booking)
    return booking
