"""When a specialist works: the one definition every door and the calculator use.

A specialist's working intervals on a date are their weekly hours for that weekday minus their days off, as
instants in the clinic's zone. Clinic holidays and cabinet closures are the calculator's business (they come
with the cabinets' own calculator), so these rules stay pure functions of the rows they are given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kernel.errors import BookingError
from kernel.scheduling import Interval
from specialists.models import DayOff, Specialist, WorkingHours, slot_minutes


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Hours:
    """One row of weekly hours, as the calculator reads it."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Off:
    """Days off, both dates included."""

    from_date: date
    to_date: date

    def covers(self, day: date) -> bool:
        return self.from_date <= day <= self.to_date


def instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `wall` o'clock on `day`. A wall time that does not exist (the hour skipped when
    clocks go forward) maps to the moment the clocks jump; an ambiguous one to its first occurrence."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def is_day_off(day: date, days_off: Iterable[Off]) -> bool:
    return any(off.covers(day) for off in days_off)


def intervals_on(day: date, hours: Iterable[Hours], days_off: Iterable[Off],
                 tz: ZoneInfo | None = None) -> list[Interval]:
    """The working intervals of one specialist on `day`, in time order, as UTC instants."""
    if is_day_off(day, days_off):
        return []
    tz = tz or clinic_zone()
    found = []
    for row in hours:
        if row.weekday != day.weekday():
            continue
        start, end = instant(day, row.start, tz), instant(day, row.end, tz)
        if start < end:
            found.append(Interval(start, end))
    return sorted(found, key=lambda interval: interval.start)


def within(intervals: Iterable[Interval], starts_at: datetime, ends_at: datetime) -> bool:
    """Whether one working interval holds the whole of [starts_at, ends_at): a break inside it does not."""
    return any(interval.start <= starts_at and ends_at <= interval.end for interval in intervals)


def specialist_calendar(specialist: Specialist, day: date) -> tuple[list[Hours], list[Off]]:
    """One specialist's hours for the weekday of `day` and their days off covering it (two small queries)."""
    hours = [Hours(weekday, start, end) for weekday, start, end in WorkingHours.objects.filter(
        specialist=specialist, weekday=day.weekday()).values_list("weekday", "start", "end")]
    days_off = [Off(first, last) for first, last in DayOff.objects.filter(
        specialist=specialist, from_date__lte=day, to_date__gte=day).values_list("from_date", "to_date")]
    return hours, days_off


def working_intervals(specialist: Specialist, day: date) -> list[Interval]:
    """The specialist's working intervals on `day` (clinic date), breaks and days off taken out."""
    hours, days_off = specialist_calendar(specialist, day)
    return intervals_on(day, hours, days_off)


def not_a_performer(name: str, service_name: str) -> BookingError:
    """The refusal of a specialist asked for a service they do not perform."""
    return BookingError("invalid", _("%(name)s does not perform %(service)s.")
                        % {"name": name, "service": service_name}, field="specialist_id")


def check_duration(minutes: int) -> None:
    """A service lasts a whole, positive number of slots."""
    step = slot_minutes()
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0 or minutes % step:
        raise BookingError("not_a_slot", _("The duration must be a multiple of %(n)s minutes.") % {"n": step},
                           slot_minutes=step)


def check_on_grid(starts_at: datetime) -> None:
    """Appointments start on the clinic's slot grid (clinic time)."""
    local = timezone.localtime(starts_at, clinic_zone())
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % slot_minutes():
        raise BookingError("not_a_slot", _("%(time)s is not the start of a slot.") % {"time": f"{local:%H:%M}"},
                           slot_minutes=slot_minutes(), field="starts_at")


def check_within_hours(specialist: Specialist, starts_at: datetime, ends_at: datetime, *,
                       hours: Iterable[Hours] | None = None, days_off: Iterable[Off] | None = None) -> None:
    """Refuse a time outside the specialist's hours: `day_off` on their day off, `outside_hours` when no one
    working interval holds the whole appointment (it starts too early, ends too late or crosses a break)."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    day = timezone.localtime(starts_at, clinic_zone()).date()
    if hours is None or days_off is None:
        hours, days_off = specialist_calendar(specialist, day)
    intervals = intervals_on(day, hours, days_off)
    if not intervals:  # a day off, a vacation, or a weekday without hours
        raise BookingError("day_off", _("%(name)s is off on %(day)s.") % {
            "name": specialist.name, "day": date_format(day, "d.m.Y")}, specialist_id=specialist.pk)
    if not within(intervals, starts_at.astimezone(UTC), ends_at.astimezone(UTC)):
        tz = clinic_zone()
        shown = [(f"{i.start.astimezone(tz):%H:%M}", f"{i.end.astimezone(tz):%H:%M}") for i in intervals]
        raise BookingError(
            "outside_hours",
            _("%(name)s works %(hours)s on %(day)s.") % {
                "name": specialist.name, "hours": ", ".join(f"{a}–{b}" for a, b in shown),
                "day": date_format(day, "d.m.Y")},
            specialist_id=specialist.pk, hours=[list(pair) for pair in shown],
        )
