"""When a cabinet booking begins and ends, whether it can be cancelled, and whether a request may be booked
(lead time and horizon, the day's hours and lunch break, whole free slots): the one definition every door uses
(the services, the series, the waitlist, the API, the cabinet bot, the booking page, the admin, reminders and
no-shows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The module, not its names: availability asks these rules for the lead time and horizon, so either may load first.
from cabinets import availability
from cabinets.models import Cabinet, WeeklySchedule
from kernel.channels import Actor
from kernel.clock import clinic_zone
from kernel.errors import BookingError
from kernel.lifecycle import can_cancel as lifecycle_can_cancel
from kernel.lifecycle import check_can_cancel as lifecycle_check_can_cancel
from kernel.lifecycle import not_cancellable
from kernel.scheduling import DayWindow, slot_run

if TYPE_CHECKING:
    from cabinets.availability import CabinetDay


def booking_starts_at(booking) -> datetime:
    return booking.starts_at


def booking_ends_at(booking) -> datetime:
    return booking.ends_at


def can_cancel(*, booking, actor: Actor, now: datetime) -> bool:
    """Whether `actor` may cancel `booking` now (see `kernel.lifecycle.can_cancel`)."""
    return lifecycle_can_cancel(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)


def check_can_cancel(*, booking, actor: Actor, now: datetime) -> None:
    """The cancel service's refusal, with its reason (not yours, started): the rule of `can_cancel`, at this
    booking's start instant."""
    lifecycle_check_can_cancel(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)


def check_cancellable(*, booking, actor: Actor, now: datetime) -> None:
    """`can_cancel` as a refusal, for the doors that ask before calling the service."""
    if not can_cancel(booking=booking, actor=actor, now=now):
        raise not_cancellable(booking)


def local(moment: datetime) -> datetime:
    """`moment` on the clinic's wall clock."""
    return timezone.localtime(moment, clinic_zone())


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC. Instants are compared and added to in UTC: wall-clock arithmetic in a DST zone goes wrong."""
    if timezone.is_naive(moment):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    return moment.astimezone(UTC)


def _hhmm(moment: datetime) -> str:
    return local(moment).strftime("%H:%M")


def lead_time() -> timedelta:
    """How long before its start a cabinet booking must be made at the latest (CABINET_MIN_ADVANCE_MINUTES)."""
    return timedelta(minutes=settings.CABINET_MIN_ADVANCE_MINUTES)


def horizon_days() -> int:
    """How many days ahead of now a cabinet booking may start (CABINET_MAX_ADVANCE_DAYS)."""
    return settings.CABINET_MAX_ADVANCE_DAYS


def earliest_start(now: datetime) -> datetime:
    """The earliest instant a booking made at `now` may start: now plus the lead time."""
    return now + lead_time()


def latest_start(now: datetime) -> datetime:
    """The latest instant a booking made at `now` may start: now plus the horizon."""
    return now + timedelta(days=horizon_days())


def last_bookable_day(now: datetime) -> date:
    """The clinic's last day with a start a booking made at `now` may have (the day of `latest_start`)."""
    return local(latest_start(now)).date()


def check_lead_time(*, starts_at: datetime, now: datetime, far_ahead_ok: bool = False) -> None:
    """Not past, not sooner than the lead time, not beyond the horizon (unless `far_ahead_ok`)."""
    if starts_at < now:
        raise BookingError("date_in_past", _("This time has already passed."))
    if starts_at < earliest_start(now):
        minimum = int(lead_time().total_seconds() // 60)
        raise BookingError(
            "too_soon",
            _("Too close to the start: book at least %(n)s minutes ahead.") % {"n": minimum},
            min_advance_minutes=minimum,
        )
    maximum = horizon_days()
    if not far_ahead_ok and starts_at > latest_start(now):
        raise BookingError(
            "too_far_ahead",
            _("Too far ahead: cabinets can be booked up to %(n)s days ahead.") % {"n": maximum},
            max_advance_days=maximum,
        )


def check_lunch_break(
    *, cabinet: Cabinet, starts_at: datetime, duration_minutes: int | None = None, window: DayWindow | None = None
) -> None:
    """Refuse a window that starts in, or runs into, the cabinet's lunch break that day (`closed`, reason
    `lunch`). Read only: `window` is the day's hours when the caller has them, else the weekly schedule's."""
    start = local(starts_at)
    if window is None:
        schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=start.weekday(), is_day_off=False).first()
        if schedule is None:
            return
        lunch_start, lunch_end = schedule.lunch_start, schedule.lunch_end
    else:
        lunch_start, lunch_end = window.lunch_start, window.lunch_end
    if lunch_start is None or lunch_end is None:
        return
    zone = clinic_zone()
    begins = datetime.combine(start.date(), lunch_start, tzinfo=zone)
    ends = datetime.combine(start.date(), lunch_end, tzinfo=zone)
    finish = starts_at + timedelta(minutes=duration_minutes or 0)
    if begins <= starts_at < ends:
        at = start
    elif starts_at < begins < finish:
        at = begins
    else:
        return
    raise BookingError(
        "closed",
        _("%(time)s is during the lunch break (%(start)s–%(end)s) in %(cabinet)s.")
        % {"time": f"{at:%H:%M}", "start": f"{lunch_start:%H:%M}", "end": f"{lunch_end:%H:%M}",
           "cabinet": cabinet.name},
        reason="lunch", lunch_start=f"{lunch_start:%H:%M}", lunch_end=f"{lunch_end:%H:%M}", field="starts_at",
    )


def check_request(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    now: datetime,
    holder_id: int | None,
    exclude_booking_ids: Sequence[int] = (),
    far_ahead_ok: bool = False,
) -> CabinetDay:
    """All the cabinet rules for one request: active, lead time, schedule, consecutive slots, free.
    `far_ahead_ok` lifts the horizon for the later occurrences of a series (cabinets.series)."""
    if not cabinet.is_active:
        raise BookingError("inactive", _("%(cabinet)s is not available for booking.") % {"cabinet": cabinet.name})
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) or duration_minutes <= 0:
        raise BookingError("invalid", _("The duration must be a positive number of minutes."), field="duration_minutes")
    check_lead_time(starts_at=starts_at, now=now, far_ahead_ok=far_ahead_ok)
    day = availability.cabinet_day(
        cabinet=cabinet,
        day=local(starts_at).date(),
        now=now,
        holder_id=holder_id,
        exclude_booking_ids=exclude_booking_ids,
    )
    if day.closed_reason:
        raise BookingError(
            "closed",
            _("%(cabinet)s is closed on %(day)s (%(reason)s).")
            % {"cabinet": cabinet.name, "day": date_format(day.date, "d.m.Y"), "reason": day.closed_reason},
            reason=day.closed_reason,
        )
    step = day.window.slot_minutes
    longest = step * settings.CABINET_MAX_SLOTS
    if duration_minutes % step:
        raise BookingError(
            "not_a_slot", _("The duration must be a multiple of %(n)s minutes.") % {"n": step}, slot_minutes=step
        )
    if duration_minutes > longest:
        raise BookingError(
            "too_long", _("A booking can last at most %(n)s minutes.") % {"n": longest}, max_minutes=longest
        )
    check_lunch_break(cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, window=day.window)
    if not any(slot.start == starts_at for slot in day.grid):
        raise BookingError(
            "not_a_slot",
            _("%(time)s is not the start of a slot in %(cabinet)s.")
            % {"time": _hhmm(starts_at), "cabinet": cabinet.name},
        )
    run = slot_run(day.grid, starts_at, duration_minutes)
    if run is None:
        start_slot = day.slot_at(starts_at)
        fits = [d for d in (start_slot.durations if start_slot else [])]
        raise BookingError(
            "too_long",
            _("From %(time)s the cabinet is free for at most %(n)s minutes (lunch, a closure or closing time follows).")
            % {"time": _hhmm(starts_at), "n": max(fits) if fits else 0},
            durations=fits,
        )
    for interval in run:
        state = day.slot_at(interval.start).state
        if state == "taken":
            raise BookingError(
                "slot_taken",
                _("%(time)s in %(cabinet)s is already taken.")
                % {"time": _hhmm(interval.start), "cabinet": cabinet.name},
                slot=interval.start.isoformat(),
            )
        if state == "held":
            raise BookingError(
                "held",
                _("%(time)s in %(cabinet)s is being booked by someone else right now.")
                % {"time": _hhmm(interval.start), "cabinet": cabinet.name},
                slot=interval.start.isoformat(),
            )
    return day
