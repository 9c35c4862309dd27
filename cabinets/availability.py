"""Which slots of which cabinets are free: schedule slots − holidays − closures − taken − held.

A handful of queries read everything a grid needs (cabinets with their weekly schedules, holidays,
closures, and the bookings and live holds in the range), whatever the number of cabinets and days.

The grid is computed on POSIX timestamps (exact, and far cheaper than aware datetimes): the slots of a day
are built once per (day, hours, closures) and shared by the cabinets that have them; each occupant marks
the slots it covers found by bisection in that sorted day; the lead-time states are cut by bisection too.
Slot objects (with their durations) are only built when a caller asks for them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import compress
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, FloatField, Func, IntegerField, TimeField, Value
from django.db.models.functions import Coalesce

# The module, not its names: the rules use this calculator, so either may load first.
from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking, Closure, Holiday, SlotHold
from kernel.bookings import HOLDING_STATUSES
from kernel.clock import clinic_zone
from kernel.scheduling import (
    DayWindow,
    Interval,
    SlotState,
    date_range,
    day_bounds,
    day_slots,
    fill_durations,
)
from kernel.waitlist.models import Wait

_FREE = "free"



@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per cached day
class _DayGrid:
    """The schedule slots of one day for one set of hours and closures, with their timestamps."""

    intervals: tuple[Interval, ...]
    starts: tuple[float, ...]
    ends: tuple[float, ...]
    labels: tuple[str, ...]  # "HH:MM" of each start, clinic time
    sorted: bool  # slots in time order without overlaps, so bisection finds what an interval covers


class CabinetDay:
    """One cabinet on one day: its window, why it is closed (if it is), its schedule slots (`grid`) and
    their states (`slots`, built on first use)."""

    def __init__(self, *, cabinet: Cabinet, date: date, window: DayWindow | None, closed_reason: str | None = None,
                 slots: list[SlotState] | None = None, grid: list[Interval] | None = None):
        self.cabinet = cabinet
        self.date = date
        self.window = window
        self.closed_reason = closed_reason
        self.grid: list[Interval] = grid if grid is not None else []
        self._slots = slots
        self._day_grid: _DayGrid | None = None
        self._states: list[str] = []

    def __repr__(self) -> str:
        return f"CabinetDay(cabinet={self.cabinet.pk}, date={self.date}, closed_reason={self.closed_reason!r})"

    @property
    def slots(self) -> list[SlotState]:
        if self._slots is None:
            day_grid = self._day_grid
            if day_grid is None:
                self._slots = []
            else:
                self._slots = [SlotState(start=interval.start, end=interval.end, state=state)
                               for interval, state in zip(day_grid.intervals, self._states, strict=True)]
                fill_durations(self._slots, settings.CABINET_MAX_SLOTS, list(zip(day_grid.starts, day_grid.ends,
                                                                                 strict=True)))
        return self._slots

    @slots.setter
    def slots(self, value: list[SlotState]) -> None:
        self._slots = value

    @property
    def free_slots(self) -> list[SlotState]:
        return [slot for slot in self.slots if slot.available]

    def free_times(self) -> list[str]:
        """Clinic-time "HH:MM" of the free slots' starts, without building slot objects."""
        if self._slots is not None or self._day_grid is None:
            return [slot.start.astimezone(clinic_zone()).strftime("%H:%M") for slot in self.free_slots]
        return list(compress(self._day_grid.labels, map(_FREE.__eq__, self._states)))

    def slot_at(self, start: datetime) -> SlotState | None:
        for slot in self.slots:
            if slot.start == start:
                return slot
        return None


@dataclass(frozen=True)
class Occupant:
    cabinet_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str  # "booking" | "hold"
    ref_id: int  # booking id, or the holder's account id


def day_window(schedule) -> DayWindow | None:
    """A weekday schedule row as the day's hours, or None on a day off."""
    if schedule is None or schedule.is_day_off or schedule.opens is None or schedule.closes is None:
        return None
    return DayWindow(opens=schedule.opens, closes=schedule.closes, slot_minutes=schedule.slot_minutes,
                     lunch_start=schedule.lunch_start, lunch_end=schedule.lunch_end)


def closures_between(cabinet_ids, start: date, end: date):
    """Holidays (for every cabinet) and closures, in one query."""
    closures = Closure.objects.filter(cabinet_id__in=cabinet_ids, date__gte=start, date__lte=end).values_list(
        "cabinet_id", "date", "start_time", "end_time", "reason").order_by()
    holidays = Holiday.objects.filter(date__gte=start, date__lte=end).annotate(
        c_id=Value(None, output_field=IntegerField()),
        s=Value(None, output_field=TimeField()),
        e=Value(None, output_field=TimeField()),
        label=F("name"),
    ).values_list("c_id", "date", "s", "e", "label").order_by()
    return closures.union(holidays, all=True)


class _Epoch(Func):
    """Seconds since the epoch of a timestamptz, as a double (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


def _occupant_querysets(cabinet_ids, start_at: datetime, end_at: datetime, *, now: datetime,
                        exclude_booking_ids: Iterable[int]):
    bookings = CabinetBooking.objects.filter(
        cabinet_id__in=cabinet_ids, status__in=HOLDING_STATUSES, starts_at__lt=end_at, ends_at__gt=start_at,
    )
    exclude = [pk for pk in exclude_booking_ids if pk]
    if exclude:
        bookings = bookings.exclude(pk__in=exclude)
    holds = SlotHold.objects.filter(
        cabinet_id__in=cabinet_ids, expires_at__gt=now, starts_at__lt=end_at, ends_at__gt=start_at,
    )
    # A live waitlist offer is held for its waiter like their own slot hold (ref 0: a partner's, nobody's hold).
    offers = Wait.objects.filter(
        resource_type="cabinet", resource_id__in=cabinet_ids, status=Wait.Status.OFFERED, offer_expires_at__gt=now,
        starts_at__lt=end_at, ends_at__gt=start_at,
    ).annotate(cabinet_id=F("resource_id"))
    return (bookings.annotate(kind=Value("booking", output_field=CharField()), ref=F("id")),
            holds.annotate(kind=Value("hold", output_field=CharField()), ref=F("holder_id")),
            offers.annotate(kind=Value("hold", output_field=CharField()),
                            ref=Coalesce(F("requester_id"), Value(0), output_field=IntegerField())))


def occupants(cabinet_ids, start_at: datetime, end_at: datetime, *, now: datetime,
              exclude_booking_ids: Iterable[int] = ()) -> list[Occupant]:
    """Holding bookings, live holds and live waitlist offers overlapping [start_at, end_at), in one query."""
    bookings, holds, offers = _occupant_querysets(cabinet_ids, start_at, end_at, now=now,
                                                  exclude_booking_ids=exclude_booking_ids)
    fields = ("cabinet_id", "starts_at", "ends_at", "kind", "ref")
    rows = bookings.values_list(*fields).order_by().union(holds.values_list(*fields).order_by(),
                                                          offers.values_list(*fields).order_by(), all=True)
    return [Occupant(*row) for row in rows]


def _occupant_stamps(cabinet_ids, start_at: datetime, end_at: datetime, *, now: datetime,
                     exclude_booking_ids: Iterable[int]) -> list[tuple[int, float, float, str, int]]:
    """The same rows as `occupants`, bookings first, with start and end as POSIX timestamps. PostgreSQL
    sends the timestamps itself, which saves building two aware datetimes per row."""
    if connection.vendor != "postgresql":
        return [(o.cabinet_id, o.starts_at.timestamp(), o.ends_at.timestamp(), o.kind, o.ref_id)
                for o in occupants(cabinet_ids, start_at, end_at, now=now, exclude_booking_ids=exclude_booking_ids)]
    bookings, holds, offers = _occupant_querysets(cabinet_ids, start_at, end_at, now=now,
                                                  exclude_booking_ids=exclude_booking_ids)
    stamps = {"s": _Epoch("starts_at"), "e": _Epoch("ends_at")}
    fields = ("cabinet_id", "s", "e", "kind", "ref")
    return list(bookings.annotate(**stamps).values_list(*fields).order_by().union(
        holds.annotate(**stamps).values_list(*fields).order_by(),
        offers.annotate(**stamps).values_list(*fields).order_by(), all=True))


@lru_cache(maxsize=2048)
def _day_grid(day: date, window: DayWindow, zone_name: str, blocked: tuple) -> _DayGrid:
    """Slots of a day (pure in its arguments, so kept between calls)."""
    tz = ZoneInfo(zone_name)
    intervals = tuple(day_slots(day, window, tz, blocked))
    starts = tuple(i.start.timestamp() for i in intervals)
    ends = tuple(i.end.timestamp() for i in intervals)
    in_order = all(s < e for s, e in zip(starts, ends, strict=True)) and all(
        ends[k] <= starts[k + 1] for k in range(len(starts) - 1))
    labels = tuple(i.start.astimezone(tz).strftime("%H:%M") for i in intervals)
    return _DayGrid(intervals, starts, ends, labels, in_order)


def cabinets_days(
    *,
    cabinets: Iterable[Cabinet],
    start_date: date,
    end_date: date,
    now: datetime,
    holder_id: int | None = None,
    exclude_booking_ids: Iterable[int] = (),
    closures: Iterable[tuple] | None = None,
) -> dict[int, dict[date, CabinetDay]]:
    """Every cabinet's slots on every day of start_date..end_date, each marked free, taken, held (by someone
    other than `holder_id`), past, too_soon or too_far, with the durations that fit from each free slot.
    `closures`: the rows closures_between would read, when the caller read them along with its own."""
    if isinstance(cabinets, Cabinet):
        cabinets = [cabinets]
    cabinet_list = list(cabinets)
    if not cabinet_list or start_date > end_date:
        return {}
    ids = [c.pk for c in cabinet_list]
    tz = clinic_zone()
    schedules = _schedules_by_cabinet(cabinet_list)
    holiday_names: dict[date, str] = {}
    closed: dict[tuple[int, date], list[tuple]] = defaultdict(list)
    if closures is None:
        closures = closures_between(ids, start_date, end_date)
    for cabinet_id, day, start, end, reason in closures:
        if cabinet_id is None:
            holiday_names[day] = reason or "holiday"
        else:
            closed[(cabinet_id, day)].append((start, end, reason))
    days = list(date_range(start_date, end_date))
    midnights = [day_bounds(day, tz)[0].timestamp() for day in days]
    range_start, _ = day_bounds(start_date, tz)
    _, range_end = day_bounds(end_date, tz)
    # Indexed by (cabinet, day index): a day's occupants only ever meet that day's slots.
    taken: dict[tuple[int, int], list[tuple[float, float, str, int]]] = defaultdict(list)
    last_index = len(days) - 1
    for cabinet_id, start, end, kind, ref in _occupant_stamps(ids, range_start, range_end, now=now,
                                                              exclude_booking_ids=exclude_booking_ids):
        first = max(bisect_right(midnights, start) - 1, 0)
        last = min(bisect_left(midnights, end) - 1, last_index)
        entry = (start, end, kind, ref)
        for index in range(first, last + 1):
            taken[(cabinet_id, index)].append(entry)
    limits = (now.timestamp(), rules.earliest_start(now).timestamp(), rules.latest_start(now).timestamp())
    # The states of a day's slots before occupants, per shared day grid.
    baselines: dict[_DayGrid, list[str]] = {}
    windows = {pk: {weekday: day_window(schedule) for weekday, schedule in by_day.items()}
               for pk, by_day in schedules.items()}

    result: dict[int, dict[date, CabinetDay]] = {}
    for cabinet in cabinet_list:
        cabinet_windows = windows.get(cabinet.pk, {})
        by_day: dict[date, CabinetDay] = {}
        for index, day in enumerate(days):
            window = cabinet_windows.get(day.weekday())
            cabinet_day = CabinetDay(cabinet=cabinet, date=day, window=window)
            by_day[day] = cabinet_day
            day_closures = closed.get((cabinet.pk, day), ())
            if not cabinet.is_active:
                cabinet_day.closed_reason = "inactive"
            elif day in holiday_names:
                cabinet_day.closed_reason = holiday_names[day]
            elif window is None:
                cabinet_day.closed_reason = "day off"
            elif any(start is None for start, _end, _reason in day_closures):
                cabinet_day.closed_reason = next(r for s, _e, r in day_closures if s is None) or "closed"
            if cabinet_day.closed_reason:
                continue
            day_grid = _day_grid(day, window, tz.key, tuple((s, e) for s, e, _r in day_closures))
            cabinet_day.grid = list(day_grid.intervals)
            if not day_grid.intervals:
                cabinet_day.closed_reason = "closed"
                cabinet_day._slots = []
                continue
            baseline = baselines.get(day_grid)
            if baseline is None:
                baseline = baselines[day_grid] = _baseline(day_grid, limits)
            cabinet_day._day_grid = day_grid
            cabinet_day._states = _states(day_grid, baseline, taken.get((cabinet.pk, index), ()), holder_id, limits)
        result[cabinet.pk] = by_day
    return result


def _baseline(day_grid: _DayGrid, limits) -> list[str]:
    """States from the clock alone: past, then too_soon, free, too_far (the starts are in order)."""
    if not day_grid.sorted:
        return [_clock_state(start, limits) for start in day_grid.starts]
    now, earliest, latest = limits
    starts, count = day_grid.starts, len(day_grid.starts)
    past = bisect_left(starts, now)
    soon = max(past, bisect_left(starts, earliest))
    far = max(soon, bisect_right(starts, latest))
    return ["past"] * past + ["too_soon"] * (soon - past) + ["free"] * (far - soon) + ["too_far"] * (count - far)


def _clock_state(start: float, limits) -> str:
    now, earliest, latest = limits
    if start < now:
        return "past"
    if start < earliest:
        return "too_soon"
    if start > latest:
        return "too_far"
    return "free"


def _states(day_grid: _DayGrid, baseline: list[str], occupied, holder_id, limits) -> list[str]:
    """A booking makes every slot it overlaps taken; someone else's live hold makes it held unless a booking
    takes it; the viewer's own holds do not count. Otherwise the clock decides."""
    if not occupied:
        return baseline
    states = list(baseline)
    starts, ends = day_grid.starts, day_grid.ends
    if not day_grid.sorted:
        for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
            states[index] = _state(start, end, occupied, holder_id, limits)
        return states
    for start, end, kind, ref in occupied:
        if kind != "booking" and ref == holder_id:
            continue
        first, stop = bisect_right(ends, start), bisect_left(starts, end)
        if first >= stop:
            continue
        if kind == "booking":
            states[first:stop] = ["taken"] * (stop - first)
        else:
            for index in range(first, stop):
                if states[index] != "taken":
                    states[index] = "held"
    return states


def _state(start: float, end: float, occupied, holder_id, limits) -> str:
    for other_start, other_end, kind, ref in occupied:
        if start < other_end and other_start < end:
            if kind == "booking":
                return "taken"
            if ref != holder_id:
                return "held"
    return _clock_state(start, limits)


def _schedules_by_cabinet(cabinets: list[Cabinet]) -> dict[int, dict[int, object]]:
    """Weekly schedules of the cabinets, from a prefetch when there is one, else in one query."""
    from cabinets.models import WeeklySchedule

    by_cabinet: dict[int, dict[int, object]] = defaultdict(dict)
    prefetched = all("schedules" in getattr(c, "_prefetched_objects_cache", {}) for c in cabinets)
    rows = (
        [s for c in cabinets for s in c.schedules.all()]
        if prefetched
        else WeeklySchedule.objects.filter(cabinet_id__in=[c.pk for c in cabinets])
    )
    for schedule in rows:
        by_cabinet[schedule.cabinet_id][schedule.weekday] = schedule
    return by_cabinet


def cabinet_day(*, cabinet: Cabinet, day: date, now: datetime, holder_id: int | None = None,
                exclude_booking_ids: Iterable[int] = ()) -> CabinetDay:
    """One cabinet's slots on one day."""
    return cabinets_days(cabinets=[cabinet], start_date=day, end_date=day, now=now, holder_id=holder_id,
                         exclude_booking_ids=exclude_booking_ids)[cabinet.pk][day]


def free_starts(days: dict[date, CabinetDay]) -> dict[date, list[datetime]]:
    return {day: [slot.start for slot in cabinet_day.free_slots] for day, cabinet_day in days.items()}


def dates_with_free_slots(*, cabinet: Cabinet, start_date: date, end_date: date, now: datetime,
                          holder_id: int | None = None) -> set[date]:
    days = cabinets_days(cabinets=[cabinet], start_date=start_date, end_date=end_date, now=now,
                         holder_id=holder_id)[cabinet.pk]
    return {day for day, cabinet_day in days.items() if cabinet_day.free_times()}


__all__ = ["CabinetDay", "cabinet_day", "cabinets_days", "dates_with_free_slots", "free_starts"]
