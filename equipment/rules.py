"""When an equipment booking begins and ends, and whether it can be cancelled: the one definition every door
uses (the services, the API, both bots, the booking page, the admin, reminders and no-shows).

A whole-day booking begins at EQUIPMENT_DAY_STARTS on its first day and ends at midnight after its last
day, in the clinic's zone (TIME_ZONE). Both are wall times turned into instants on that day, so a day when the
clocks change (Europe/Berlin in March and October) still begins at 09:00 local time; Europe/Moscow has no
daylight-saving time, so there every day begins at the same UTC hour. A booking attached to a cabinet booking
follows that booking's window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from equipment.availability import clinic_zone
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.lifecycle import can_cancel as lifecycle_can_cancel
from kernel.lifecycle import not_cancellable
from kernel.scheduling import local_datetime


def day_starts() -> time:
    hours, _sep, minutes = settings.EQUIPMENT_DAY_STARTS.partition(":")
    return time(int(hours), int(minutes or 0))


def _instant(day: date, wall: time) -> datetime:
    zone = clinic_zone()
    # A wall time the clocks skip going forward is read with the offset before the change (an hour later).
    instant = local_datetime(day, wall, zone) or datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    return instant.astimezone(zone)


def day_starts_at(day: date) -> datetime:
    """The instant a whole-day booking whose first day is `day` begins."""
    return _instant(day, day_starts())


def booking_starts_at(booking) -> datetime:
    """When `booking` begins: its window's start if attached to a cabinet booking, else EQUIPMENT_DAY_STARTS
    on its first day in the clinic's zone."""
    return booking.starts_at or day_starts_at(booking.start_date)


def booking_ends_at(booking) -> datetime:
    """When `booking` ends: its window's end if attached, else midnight after its last day."""
    return booking.ends_at or _instant(booking.end_date + timedelta(days=1), time(0, 0))


def can_cancel(*, booking, actor: Actor, now: datetime) -> bool:
    """Whether `actor` may cancel `booking` now (see `kernel.lifecycle.can_cancel`); equipment that
    belongs to a cabinet booking is cancelled with that booking, except by a manager."""
    if booking.cabinet_booking_id and not actor.is_manager:
        return False
    return lifecycle_can_cancel(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)


def check_attached_cancel(*, booking, actor: Actor) -> None:
    """Equipment booked with a cabinet booking is cancelled with that booking, except by a manager."""
    if booking.cabinet_booking_id and not actor.is_manager:
        raise BookingError("forbidden", _("This equipment belongs to a cabinet booking; cancel that booking."))


def check_cancellable(*, booking, actor: Actor, now: datetime) -> None:
    """`can_cancel` as a refusal, for the doors that ask before calling the service."""
    if can_cancel(booking=booking, actor=actor, now=now):
        return
    check_attached_cancel(booking=booking, actor=actor)
    raise not_cancellable(booking)
