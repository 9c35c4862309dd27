"""Which slots of which cabinets are free: schedule slots − holidays − closures − taken − held.

A handful of queries read everything a grid needs (cabinets with their weekly schedules, holidays,
closures, and the bookings and live holds in the range), whatever the number of cabinets and days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, F, IntegerField, TimeField, Value

from booking_site.bookings import HOLDING_STATUSES
from booking_site.scheduling import (
    DayWindow,
    Interval,
    SlotState,
    date_range,
    day_bounds,
    day_slots,
    fill_durations,
)
from cabinets.models import Cabinet, CabinetBooking, Closure, Holiday, SlotHold


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass
class CabinetDay:
    cabinet: Cabinet
    date: date
    window: DayWindow | None
    closed_reason: str | None = None
    slots: list[SlotState] = field(default_factory=list)
    # Every schedule slot of the day, before taken/held/past marking (for booking validation).
    grid: list[Interval] = field(default_factory=list)

    @property
    def free_slots(self) -> list[SlotState]:
        return [slot for slot in self.slots if slot.available]

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


def _window_for(schedule) -> DayWindow | None:
    if schedule is None or schedule.is_day_off or schedule.opens is None or schedule.closes is None:
        return None
    return DayWindow(opens=schedule.opens, closes=schedule.closes, slot_minutes=schedule.slot_minutes,
                     lunch_start=schedule.lunch_start, lunch_end=schedule.lunch_end)


def _closures(cabinet_ids, start: date, end: date):
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


def occupants(cabinet_ids, start_at: datetime, end_at: datetime, *, now: datetime,
              exclude_booking_ids: Iterable[int] = ()) -> list[Occupant]:
    """Holding bookings and live holds overlapping [start_at, end_at), in one query."""
    bookings = CabinetBooking.objects.filter(
        cabinet_id__in=cabinet_ids, status__in=HOLDING_STATUSES, starts_at__lt=end_at, ends_at__gt=start_at,
    )
    exclude = [pk for pk in exclude_booking_ids if pk]
    if exclude:
        bookings = bookings.exclude(pk__in=exclude)
    bookings = bookings.annotate(kind=Value("booking", output_field=CharField()), ref=F("id")).values_list(
        "cabinet_id", "starts_at", "ends_at", "kind", "ref").order_by()
    holds = SlotHold.objects.filter(
        cabinet_id__in=cabinet_ids, expires_at__gt=now, starts_at__lt=end_at, ends_at__gt=start_at,
    ).annotate(kind=Value("hold", output_field=CharField()), ref=F("holder_id")).values_list(
        "cabinet_id", "starts_at", "ends_at", "kind", "ref").order_by()
    return [Occupant(*row) for row in bookings.union(holds, all=True)]


def cabinets_days(
    *,
    cabinets: Iterable[Cabinet],
    start_date: date,
    end_date: date,
    now: datetime,
    holder_id: int | None = None,
    exclude_booking_ids: Iterable[int] = (),
) -> dict[int, dict[date, CabinetDay]]:
    """Every cabinet's slots on every day of start_date..end_date, each marked free, taken, held (by someone
    other than `holder_id`), past, too_soon or too_far, with the durations that fit from each free slot."""
    if isinstance(cabinets, Cabinet):
        cabinets = [cabinets]
    cabinet_list = list(cabinets)
    if not cabinet_list or start_date > end_date:
        return {}
    ids = [c.pk for c in cabinet_list]
    tz = clinic_zone()
    schedules = _schedules_by_cabinet(cabinet_list)
    holiday_names: dict[date, str] = {}
    closures: dict[tuple[int, date], list[tuple]] = defaultdict(list)
    for cabinet_id, day, start, end, reason in _closures(ids, start_date, end_date):
        if cabinet_id is None:
            holiday_names[day] = reason or "holiday"
        else:
            closures[(cabinet_id, day)].append((start, end, reason))
    range_start, _ = day_bounds(start_date, tz)
    _, range_end = day_bounds(end_date, tz)
    # Indexed by (cabinet, local day), so each slot is compared with that day's few occupants only;
    # compared as POSIX timestamps, which is exact and much cheaper than aware datetimes across zones.
    taken: dict[tuple[int, date], list[tuple[float, float, str, int]]] = defaultdict(list)
    for occupant in occupants(ids, range_start, range_end, now=now, exclude_booking_ids=exclude_booking_ids):
        first = occupant.starts_at.astimezone(tz).date()
        last = (occupant.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
        entry = (occupant.starts_at.timestamp(), occupant.ends_at.timestamp(), occupant.kind, occupant.ref_id)
        for day in date_range(max(first, start_date), min(last, end_date)):
            taken[(occupant.cabinet_id, day)].append(entry)
    limits = (now.timestamp(),
              (now + timedelta(minutes=settings.CABINET_MIN_ADVANCE_MINUTES)).timestamp(),
              (now + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)).timestamp())
    max_slots = settings.CABINET_MAX_SLOTS
    # Cabinets sharing hours on a day share the slot arithmetic.
    grids: dict[tuple, tuple[list[Interval], list[tuple[float, float]]]] = {}

    result: dict[int, dict[date, CabinetDay]] = {}
    for cabinet in cabinet_list:
        days: dict[date, CabinetDay] = {}
        for day in date_range(start_date, end_date):
            window = _window_for(schedules.get(cabinet.pk, {}).get(day.weekday()))
            cabinet_day = CabinetDay(cabinet=cabinet, date=day, window=window)
            days[day] = cabinet_day
            day_closures = closures.get((cabinet.pk, day), [])
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
            blocked = tuple((s, e) for s, e, _r in day_closures)
            key = (day, window, blocked)
            if key not in grids:
                intervals = day_slots(day, window, tz, blocked)
                grids[key] = (intervals, [(i.start.timestamp(), i.end.timestamp()) for i in intervals])
            cabinet_day.grid, stamps = grids[key]
            day_taken = taken.get((cabinet.pk, day), ())
            cabinet_day.slots = [
                SlotState(start=interval.start, end=interval.end,
                          state=_state(start, end, day_taken, holder_id, limits))
                for interval, (start, end) in zip(cabinet_day.grid, stamps, strict=True)
            ]
            fill_durations(cabinet_day.slots, max_slots, stamps)
            if not cabinet_day.grid:
                cabinet_day.closed_reason = "closed"
        result[cabinet.pk] = days
    return result


def _state(start: float, end: float, occupied, holder_id, limits) -> str:
    for other_start, other_end, kind, ref in occupied:
        if start < other_end and other_start < end:
            if kind == "booking":
                return "taken"
            if ref != holder_id:
                return "held"
    now, earliest, latest = limits
    if start < now:
        return "past"
    if start < earliest:
        return "too_soon"
    if start > latest:
        return "too_far"
    return "free"


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
    return {day for day, cabinet_day in days.items() if cabinet_day.free_slots}


__all__ = ["CabinetDay", "cabinet_day", "cabinets_days", "dates_with_free_slots", "free_starts"]
