"""Attendance of whole-day equipment bookings: the client's "I will come" and the manager's no-show.
A whole-day booking begins at EQUIPMENT_DAY_STARTS (clinic time) on its first day."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction

from booking_site.attendance import booking_confirm_attendance, booking_mark_no_show
from booking_site.channels import Actor, Channel
from booking_site.scheduling import local_datetime
from equipment.availability import clinic_zone
from equipment.models import EquipmentBooking
from equipment.services import RESOURCE, _locked, _refuse_attached


def day_starts() -> time:
    hours, _sep, minutes = settings.EQUIPMENT_DAY_STARTS.partition(":")
    return time(int(hours), int(minutes or 0))


def equipment_starts_at(start_date: date) -> datetime:
    """When a whole-day booking begins: EQUIPMENT_DAY_STARTS on its first day, in the clinic's zone."""
    zone = clinic_zone()
    return local_datetime(start_date, day_starts(), zone) or datetime.combine(start_date, day_starts(), tzinfo=zone)


def booking_starts_at(booking: EquipmentBooking) -> datetime:
    return booking.starts_at or equipment_starts_at(booking.start_date)


@transaction.atomic
def equipment_booking_confirm_attendance(*, booking: EquipmentBooking, actor: Actor, now: datetime
                                         ) -> EquipmentBooking:
    booking = _locked(booking)
    _refuse_attached(booking)
    booking_confirm_attendance(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)
    return booking


@transaction.atomic
def equipment_booking_mark_no_show(*, booking: EquipmentBooking, actor: Actor, now: datetime,
                                   channel: str = Channel.ADMIN) -> EquipmentBooking:
    booking = _locked(booking)
    _refuse_attached(booking)
    booking_mark_no_show(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel,
                         starts_at=booking_starts_at(booking), now=now)
    return booking
