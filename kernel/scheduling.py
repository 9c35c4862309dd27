"""Pure slot and date arithmetic: no ORM, no settings, no clock. Everything here is a function of its
arguments, so it is tested without a database, including days on which a zone switches DST.

Conventions: intervals are half-open [start, end); equipment date ranges are inclusive; datetimes are aware
and built with zoneinfo from a local date and wall-clock time."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Occupancy is recorded in pieces of this many minutes; schedule times must fall on this grid.
GRID_MINUTES = 15


@dataclass(frozen=True)
class DayWindow:
    """A cabinet's working hours on one day."""

    opens: time
    closes: time
    slot_minutes: int = 30
    lunch_start: time | None = None
    lunch_end: time | None = None


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        # Through UTC: Python subtracts two datetimes of one tzinfo by wall clock, ignoring DST.
        return int((self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() // 60)

    def overlaps(self, other_start: datetime, other_end: datetime) -> bool:
        return overlaps(self.start, self.end, other_start, other_end)


@dataclass(slots=True)
class SlotState:
    """One slot of a day with what the calculator found about it."""

    start: datetime
    end: datetime
    state: str = "free"  # free | taken | held | past
    durations: list[int] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.state == "free"


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Half-open intervals: touching intervals do not overlap."""
    return a_start < b_end and b_start < a_end


def on_grid(t: time) -> bool:
    return t.second == 0 and t.microsecond == 0 and t.minute % GRID_MINUTES == 0


def local_datetime(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The instant at `wall` o'clock on `day` in `tz`, or None if that wall time does not exist (the hour
    skipped when clocks go forward). An ambiguous time (clocks going back) resolves to its first occurrence."""
    candidate = datetime.combine(day, wall, tzinfo=tz)
    round_trip = candidate.astimezone(UTC).astimezone(tz)
    if (round_trip.date(), round_trip.time()) != (day, wall):
        return None
    return candidate


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _wall(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def day_slots(
    day: date,
    window: DayWindow,
    tz: ZoneInfo,
    closures: Iterable[tuple[time | None, time | None]] = (),
) -> list[Interval]:
    """Slots of `slot_minutes` from the opening time while they end by closing time. A slot that overlaps
    lunch or a partial closure does not exist; a whole-day closure (None, None) leaves no slot."""
    closures = list(closures)
    if any(start is None for start, _end in closures):
        return []
    blocked = [(_minutes(s), _minutes(e)) for s, e in closures if s is not None and e is not None]
    if window.lunch_start is not None and window.lunch_end is not None:
        blocked.append((_minutes(window.lunch_start), _minutes(window.lunch_end)))
    step = window.slot_minutes
    opens, closes = _minutes(window.opens), _minutes(window.closes)
    slots: list[Interval] = []
    start = opens
    while start + step <= closes:
        end = start + step
        if not any(overlaps(start, end, b_start, b_end) for b_start, b_end in blocked):
            start_dt = local_datetime(day, _wall(start), tz)
            end_dt = local_datetime(day, _wall(end), tz) if end < 24 * 60 else None
            if end == 24 * 60:
                end_dt = local_datetime(day + timedelta(days=1), time(0, 0), tz)
            if start_dt is not None and end_dt is not None and start_dt.astimezone(UTC) < end_dt.astimezone(UTC):
                slots.append(Interval(start_dt, end_dt))
        start = end
    return slots


def fill_durations(slots: Sequence[SlotState], max_slots: int,
                   stamps: Sequence[tuple[float, float]] | None = None) -> None:
    """Set, on every free slot, the lengths in minutes of 1..max_slots back-to-back free slots starting there.
    One backward pass over the day: a run continues while the next slot is free and starts where this ends."""
    following: list[float] = []  # end timestamps of the free run starting at the slot after this one
    next_start: float | None = None
    if stamps is None:
        stamps = [(slot.start.timestamp(), slot.end.timestamp()) for slot in slots]
    for slot, (start, end) in zip(reversed(slots), reversed(stamps), strict=True):
        if not slot.available:
            following = []
        elif next_start is not None and next_start == end and following:
            following = [end, *following][:max_slots]
        else:
            following = [end][:max_slots]
        slot.durations = [int((e - start) // 60) for e in following] if slot.available else []
        next_start = start


def consecutive_durations(slots: Sequence[SlotState], index: int, max_slots: int) -> list[int]:
    """Lengths in minutes of 1..max_slots back-to-back free slots starting at slots[index]."""
    if index < 0 or index >= len(slots):
        return []
    fill_durations(slots, max_slots)
    return list(slots[index].durations)


def slot_run(slots: Sequence[Interval], start: datetime, minutes: int) -> list[Interval] | None:
    """The consecutive slots that exactly cover [start, start + minutes), or None when the span does not
    begin on a slot, runs across a gap (lunch, closure, closing) or ends between slot boundaries."""
    end = start + timedelta(minutes=minutes)
    run: list[Interval] = []
    for slot in slots:
        if not run:
            if slot.start == start:
                run.append(slot)
        elif slot.start == run[-1].end:
            run.append(slot)
        else:
            break
        if run and run[-1].end >= end:
            break
    if not run or run[-1].end != end:
        return None
    return run


def grid_points(start: datetime, end: datetime) -> list[datetime]:
    """UTC instants on the GRID_MINUTES grid covering [start, end), for occupancy rows. A start between
    grid lines is floored, so two unaligned overlapping intervals still share a point."""
    step = GRID_MINUTES * 60
    first = int(start.timestamp()) // step * step
    last = int(end.timestamp())
    return [datetime.fromtimestamp(t, tz=UTC) for t in range(first, last, step)]


def date_range(start: date, end: date) -> Iterator[date]:
    """Every date from start to end, both included."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) of `day` as aware datetimes (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return start, end


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_weeks(year: int, month: int) -> list[list[date | None]]:
    """Weeks of a month, Monday first, with None outside the month."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([d if d.month == month else None for d in week])
    return weeks


def peak_concurrent(intervals: Iterable[tuple[datetime, datetime, int]]) -> int:
    """The largest sum of weights in use at any one instant among half-open weighted intervals."""
    edges: list[tuple[datetime, int]] = []
    for start, end, weight in intervals:
        edges.append((start, weight))
        edges.append((end, -weight))
    # Ends sort before starts at the same instant: [10:00, 11:00) and [11:00, 12:00) never coexist.
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    peak = current = 0
    for _at, change in edges:
        current += change
        peak = max(peak, current)
    return peak
