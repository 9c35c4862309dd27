"""Attendance of whole-day equipment bookings: the client's "I will come" and the manager's no-show.
When a booking begins is `equipment.rules.booking_starts_at`."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from equipment.models import EquipmentBooking
from equipment.rules import booking_starts_at, check_attached_decide
from equipment.services import RESOURCE
from equipment.services.locks import lock_booking
from kernel.attendance import booking_confirm_attendance, booking_mark_no_show
from kernel.channels import Actor, Channel


@transaction.atomic
def equipment_booking_confirm_attendance(*, booking: EquipmentBooking, actor: Actor, now: datetime
                                         ) -> EquipmentBooking:
    booking = lock_booking(booking)
    check_attached_decide(booking)
    booking_confirm_attendance(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)
    return booking


@transaction.atomic
def equipment_booking_mark_no_show(*, booking: EquipmentBooking, actor: Actor, now: datetime,
                                   channel: str = Channel.ADMIN) -> EquipmentBooking:
    booking = lock_booking(booking)
    check_attached_decide(booking)
    booking_mark_no_show(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel,
                         starts_at=booking_starts_at(booking), now=now)
    return booking
