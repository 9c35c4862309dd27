"""A manager's decision on a pending whole-day equipment booking: approve or reject. Equipment booked with a
cabinet booking is decided with that booking."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from equipment.models import EquipmentBooking
from equipment.rules import check_attached_decide
from equipment.services.locks import RESOURCE, lock_booking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import booking_transition, check_can_decide


def _decide(*, booking: EquipmentBooking, to_status: str, actor: Actor, now: datetime, channel: str,
            reason: str = "") -> EquipmentBooking:
    check_can_decide(actor)
    booking = lock_booking(booking)
    check_attached_decide(booking)
    booking_transition(booking=booking, to_status=to_status, resource_type=RESOURCE, actor=actor, channel=channel,
                       now=now, reason=reason)
    return booking


@transaction.atomic
def equipment_booking_approve(*, booking: EquipmentBooking, actor: Actor, now: datetime,
                              channel: str = Channel.ADMIN) -> EquipmentBooking:
    return _decide(booking=booking, to_status=Status.APPROVED, actor=actor, now=now, channel=channel)


@transaction.atomic
def equipment_booking_reject(*, booking: EquipmentBooking, actor: Actor, now: datetime, reason: str = "",
                             channel: str = Channel.ADMIN) -> EquipmentBooking:
    return _decide(booking=booking, to_status=Status.REJECTED, actor=actor, now=now, channel=channel, reason=reason)
