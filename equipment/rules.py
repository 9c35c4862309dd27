"""When an equipment booking begins and ends, and whether it can be cancelled: the one definition every door
uses (the services, the API, both bots, the booking page, the admin, reminders and no-shows).

A whole-day booking begins at EQUIPMENT_DAY_STARTS on its first day and ends at midnight after its last
day, in the clinic's zone (TIME_ZONE). Both are wall times turned into instants on that day, so a day when the
clocks change (Europe/Berlin in March and October) still begins at 09:00 local time; Europe/Moscow has no
daylight-saving time, so there every day begins at the same UTC hour. A booking attached to a cabinet booking
follows that booking's window.

Whether a request may be booked is here too: the dates (not past, within the horizon, not too long), the
number of units, and whether the item may be booked by this actor (and with which cabinet)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from equipment.models import EquipmentBooking, Item
from kernel.channels import Actor
from kernel.clock import clinic_today, clinic_zone  # whole-day bookings are counted in the clinic's date
from kernel.errors import BookingError
from kernel.lifecycle import can_cancel as lifecycle_can_cancel
from kernel.lifecycle import check_can_cancel as lifecycle_check_can_cancel
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


def check_can_cancel(*, booking, actor: Actor, now: datetime) -> None:
    """The cancel service's refusal, with its reason (not yours, started, attached to a cabinet booking): the
    rule of `can_cancel`, at this booking's start instant."""
    lifecycle_check_can_cancel(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)
    check_attached_cancel(booking=booking, actor=actor)


def check_cancellable(*, booking, actor: Actor, now: datetime) -> None:
    """`can_cancel` as a refusal, for the doors that ask before calling the service."""
    if can_cancel(booking=booking, actor=actor, now=now):
        return
    check_attached_cancel(booking=booking, actor=actor)
    raise not_cancellable(booking)


def days_text(days: Sequence[date]) -> str:
    """Dates as a refusal names them: the first ten, then an ellipsis."""
    shown = ", ".join(date_format(d, "d.m.Y") for d in days[:10])
    return shown + (" …" if len(days) > 10 else "")


def horizon_days() -> int:
    """How many days after the clinic's today a booking may end at the latest (EQUIPMENT_MAX_ADVANCE_DAYS)."""
    return settings.EQUIPMENT_MAX_ADVANCE_DAYS


def last_bookable_day(now: datetime) -> date:
    """The last day a booking made at `now` may cover: the clinic's today plus the horizon."""
    return clinic_today(now) + timedelta(days=horizon_days())


def lead_time() -> timedelta:
    """How long before its start a whole-day booking must be made: none, a day can be booked until it is over
    (`check_dates` refuses only past days)."""
    return timedelta(0)


def max_range_days() -> int:
    """How many days one booking may cover at most (EQUIPMENT_MAX_RANGE_DAYS)."""
    return settings.EQUIPMENT_MAX_RANGE_DAYS


def check_dates(*, start_date: date, end_date: date, now: datetime) -> None:
    """Not in the past (clinic time), not too far ahead, not too long, end not before start."""
    if end_date < start_date:
        raise BookingError("bad_range", _("The end date cannot be before the start date."))
    if start_date < clinic_today(now):
        raise BookingError("date_in_past", _("You cannot book a date in the past."))
    horizon = last_bookable_day(now)
    if end_date > horizon:
        raise BookingError(
            "too_far_ahead",
            _("Bookings are possible up to %(n)s days ahead (until %(day)s).")
            % {"n": horizon_days(), "day": date_format(horizon, "d.m.Y")},
            last_date=horizon.isoformat(),
        )
    longest = max_range_days()
    if (end_date - start_date).days + 1 > longest:
        raise BookingError(
            "range_too_long",
            _("A booking can cover at most %(n)s days.") % {"n": longest},
            max_days=longest,
        )


def check_item_bookable(*, item: Item, actor: Actor, with_cabinet_id: int | None = None) -> None:
    """Inactive items cannot be booked; reserved items only by managers; items installed in a cabinet only
    with that cabinet (or by managers for whole days)."""
    if not item.is_active:
        raise BookingError("inactive", _("%(item)s is not available for booking.") % {"item": item.name})
    if item.permanently_reserved and not actor.is_manager:
        raise BookingError(
            "reserved", _("%(item)s is permanently reserved and cannot be booked.") % {"item": item.name}
        )
    if item.cabinet_id is not None:
        if with_cabinet_id is None and not actor.is_manager:
            raise BookingError(
                "installed_in_cabinet",
                _("%(item)s is installed in a cabinet and is booked together with it.") % {"item": item.name},
            )
        if with_cabinet_id is not None and with_cabinet_id != item.cabinet_id:
            raise BookingError(
                "installed_in_cabinet", _("%(item)s is installed in another cabinet.") % {"item": item.name}
            )


def check_units(units: Any) -> int:
    """A whole number of units, at least 1."""
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise BookingError("invalid", _("The number of units must be a whole number of at least 1."), field="units")
    return units


def check_attached_decide(booking: EquipmentBooking) -> None:
    """Equipment booked with a cabinet booking is decided (and attended) with that booking."""
    if booking.cabinet_booking_id:
        raise BookingError("forbidden", _("This equipment belongs to cabinet booking %(ref)s; decide that booking.")
                           % {"ref": booking.cabinet_booking.reference}, cabinet_booking_id=booking.cabinet_booking_id)
