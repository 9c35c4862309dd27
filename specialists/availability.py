"""When a service can be booked: a time is offered when at least one specialist who performs the service
works the whole length and is free, an allowed cabinet is free for the whole length, and the service's
equipment has its units free for that window.

The cabinets come from the cabinets' own calculator (their hours, lunch, holidays, closures, bookings, holds,
lead time and horizon) and the equipment from the equipment's; this module adds the specialists. Everything is
read up front in four queries, whatever the number of days, specialists, cabinets or bookings: the calendar
(the specialists' hours, days off and appointments, the clinic's holidays and the allowed cabinets' closures,
one UNION), the allowed cabinets with their weekly schedules (one LEFT JOIN), the cabinets' occupants, and the
usage of the service's equipment (none when it has no equipment). The service comes with its equipment lines
in one more (service_with_lines). Then every day is worked out in memory on POSIX timestamps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TimeField,
    Value,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from cabinets.availability import CabinetDay, cabinets_days
from cabinets.models import Cabinet, CabinetBooking, Closure, Holiday, WeeklySchedule
from equipment.availability import Usage, equipment_usage
from kernel.bookings import HOLDING_STATUSES
from kernel.errors import BookingError
from kernel.scheduling import date_range, day_bounds
from specialists.models import DayOff, Service, ServiceEquipment, Specialist, WorkingHours, slot_minutes
from specialists.rules import Hours, Off, clinic_zone, intervals_on

MAX_DAYS = 31

# Why a day offers no time, in the order a clinic would give it.
HOLIDAY, CLOSED, DAY_OFF, NO_CAPACITY, BOOKED = "holiday", "closed", "day_off", "no_capacity", "booked"
DAY_REASONS = (HOLIDAY, CLOSED, DAY_OFF, NO_CAPACITY, BOOKED)

# Why one specialist cannot take one time (the error codes the booking service raises).
SPECIALIST_DAY_OFF, OUTSIDE_HOURS, SPECIALIST_BUSY = "day_off", "outside_hours", "specialist_busy"

_HOURS, _OFF, _HOLIDAY, _BOOKED, _CLOSURE = "hours", "off", "holiday", "booked", "closure"


@dataclass(frozen=True)
class ServiceSlot:
    starts_at: datetime
    specialist_ids: list[int]  # the free specialists who perform the service, by id


@dataclass
class ServiceDay:
    date: date
    reason: str | None
    slots: list[ServiceSlot] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "reason": self.reason,
                "slots": [{"starts_at": slot.starts_at.isoformat(), "specialist_ids": slot.specialist_ids}
                          for slot in self.slots]}


def check_range(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise BookingError("bad_range")
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise BookingError("range_too_long", _("Ask for at most %(n)s days.") % {"n": MAX_DAYS}, max_days=MAX_DAYS)


def performers(service: Service, specialist_ids: Iterable[int] | None = None):
    """Active specialists who perform the service (optionally only these ones), as a queryset."""
    found = Specialist.objects.filter(services=service, is_active=True)
    if specialist_ids is not None:
        found = found.filter(pk__in=list(specialist_ids))
    return found


def allowed_cabinets(service: Service):
    """The active cabinets the service may use: those listed, or every active cabinet when none is."""
    listed = Service.cabinets.through.objects.filter(service_id=service.pk)
    return (Cabinet.objects.filter(is_active=True)
            .filter(Q(Exists(listed.filter(cabinet_id=OuterRef("pk")))) | ~Exists(listed))
            .order_by("sort_order", "id"))


def equipment_lines(service: Service) -> list[ServiceEquipment]:
    """The service's equipment with its items, from a prefetch or service_with_lines when the caller made one."""
    if "equipment_lines" in getattr(service, "_prefetched_objects_cache", {}):
        return list(service.equipment_lines.all())
    return list(ServiceEquipment.objects.filter(service=service).select_related("item"))


def _as_prefetched(instance, name: str, rows: list) -> None:
    """Leave `rows` on `instance` as prefetch_related(name) would have, for rows read in a query of our own."""
    related = getattr(instance, name).none()
    related._result_cache = rows
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = related


def service_with_lines(service_id: int, *, specialist_id: int | None = None) -> Service | None:
    """The service with its equipment lines and their items, in one query when it has equipment (the lines
    bring their service along) and two when it has none; None when there is no such service.

    With `specialist_id`, the same query says who that is: `service.asked_specialist` is their name (None when
    there is no such active specialist) and whether they perform the service."""
    lines = ServiceEquipment.objects.filter(service_id=service_id).select_related("service", "item")
    if specialist_id is not None:
        lines = lines.annotate(**_asked(specialist_id, OuterRef("service_id")))
    lines = list(lines.order_by("item_id"))
    if lines:
        service = lines[0].service
        asked = lines[0]
    else:
        found = Service.objects.filter(pk=service_id)
        if specialist_id is not None:
            found = found.annotate(**_asked(specialist_id, OuterRef("pk")))
        service = asked = found.first()
    if service is None:
        return None
    if specialist_id is not None:
        service.asked_specialist = (asked.asked_name, asked.asked_performs)
    for line in lines:
        line.service = service
    _as_prefetched(service, "equipment_lines", lines)  # equipment_lines() reads it
    return service


def _asked(specialist_id: int, service_ref: OuterRef) -> dict:
    return {
        "asked_name": Subquery(Specialist.objects.filter(pk=specialist_id, is_active=True).values("name")[:1]),
        "asked_performs": Exists(Service.specialists.through.objects.filter(service_id=service_ref,
                                                                           specialist_id=specialist_id)),
    }


def cabinets_with_schedules(cabinets) -> list[Cabinet]:
    """The cabinets of a queryset, in its order, with their weekly schedules as prefetch_related("schedules")
    leaves them, in one query (a LEFT JOIN: a cabinet without schedules comes with none)."""
    own = [f.attname for f in Cabinet._meta.concrete_fields]
    theirs = [f.attname for f in WeeklySchedule._meta.concrete_fields]
    rows = cabinets.values_list(*own, *(f"schedules__{name}" for name in theirs)).order_by(
        *(cabinets.query.order_by or Cabinet._meta.ordering), "schedules__weekday")
    found: dict[int, Cabinet] = {}
    schedules: dict[int, list[WeeklySchedule]] = defaultdict(list)
    for row in rows:
        cabinet = found.get(row[0])
        if cabinet is None:
            cabinet = found[row[0]] = Cabinet.from_db(cabinets.db, own, row[:len(own)])
        if row[len(own)] is not None:
            schedules[cabinet.pk].append(WeeklySchedule.from_db(cabinets.db, theirs, row[len(own):]))
    for cabinet in found.values():
        _as_prefetched(cabinet, "schedules", schedules[cabinet.pk])
    return list(found.values())


def _null(output_field) -> Cast:
    """A typed NULL: PostgreSQL types an untyped NULL of a UNION's first branch as text."""
    return Cast(Value(None), output_field=output_field)


def _calendar_rows(performer_ids, cabinet_ids, start_date: date, end_date: date, range_start: datetime,
                   range_end: datetime, exclude_booking_ids: Iterable[int]):
    """The performers' hours, their days off and live appointments in the range, the clinic's holidays and
    the cabinets' closures: one UNION of rows (owner: a specialist or a cabinet, kind, weekday, from time,
    to time, first day, last day, starts, ends, label)."""
    fields = ("owner", "kind", "wd", "t1", "t2", "d1", "d2", "at1", "at2", "label")
    text, number, clock, day, moment = CharField(), IntegerField(), TimeField(), DateField(), DateTimeField()
    hours = WorkingHours.objects.filter(specialist__in=performer_ids).annotate(
        owner=F("specialist_id"), kind=Value(_HOURS, output_field=text), wd=F("weekday"), t1=F("start"),
        t2=F("end"), d1=_null(day), d2=_null(day), at1=_null(moment), at2=_null(moment), label=_null(text))
    off = DayOff.objects.filter(specialist__in=performer_ids, from_date__lte=end_date,
                                to_date__gte=start_date).annotate(
        owner=F("specialist_id"), kind=Value(_OFF, output_field=text), wd=_null(number), t1=_null(clock),
        t2=_null(clock), d1=F("from_date"), d2=F("to_date"), at1=_null(moment), at2=_null(moment), label=_null(text))
    holidays = Holiday.objects.filter(date__gte=start_date, date__lte=end_date).annotate(
        owner=_null(number), kind=Value(_HOLIDAY, output_field=text), wd=_null(number), t1=_null(clock),
        t2=_null(clock), d1=F("date"), d2=F("date"), at1=_null(moment), at2=_null(moment), label=F("name"))
    closures = Closure.objects.filter(cabinet__in=cabinet_ids, date__gte=start_date, date__lte=end_date).annotate(
        owner=F("cabinet_id"), kind=Value(_CLOSURE, output_field=text), wd=_null(number), t1=F("start_time"),
        t2=F("end_time"), d1=F("date"), d2=F("date"), at1=_null(moment), at2=_null(moment), label=F("reason"))
    booked = CabinetBooking.objects.filter(
        specialist__in=performer_ids, status__in=HOLDING_STATUSES, starts_at__lt=range_end, ends_at__gt=range_start)
    exclude = [pk for pk in exclude_booking_ids if pk]
    if exclude:
        booked = booked.exclude(pk__in=exclude)
    booked = booked.annotate(
        owner=F("specialist_id"), kind=Value(_BOOKED, output_field=text), wd=_null(number), t1=_null(clock),
        t2=_null(clock), d1=_null(day), d2=_null(day), at1=F("starts_at"), at2=F("ends_at"), label=_null(text))
    parts = [qs.values_list(*fields).order_by() for qs in (hours, off, holidays, closures, booked)]
    return parts[0].union(*parts[1:], all=True)


class ServiceGrid:
    """Everything that decides when one service can be booked on start_date..end_date, read once."""

    def __init__(self, *, service: Service, start_date: date, end_date: date, now: datetime,
                 specialist_ids: Iterable[int] | None = None, holder_id: int | None = None,
                 exclude_booking_ids: Iterable[int] = (), duration_minutes: int | None = None):
        self.service = service
        self.start_date, self.end_date, self.now = start_date, end_date, now
        self.minutes = duration_minutes or service.duration_minutes  # a moved appointment keeps its length
        self.duration = timedelta(minutes=self.minutes)
        tz = self.tz = clinic_zone()
        range_start, range_end = day_bounds(start_date, tz)[0], day_bounds(end_date, tz)[1]
        exclude = list(exclude_booking_ids)
        self.hours: dict[int, list[Hours]] = defaultdict(list)
        self.days_off: dict[int, list[Off]] = defaultdict(list)
        self.holidays: set[date] = set()
        self.appointments: dict[int, list[tuple[float, float]]] = defaultdict(list)
        closures = []  # the cabinets' calculator reads these rows as closures_between gives them
        for owner, kind, weekday, t1, t2, d1, d2, at1, at2, label in _calendar_rows(
                performers(service, specialist_ids).values("pk"), allowed_cabinets(service).values("pk"),
                start_date, end_date, range_start, range_end, exclude):
            if kind == _HOURS:
                self.hours[owner].append(Hours(weekday, t1, t2))
            elif kind == _OFF:
                self.days_off[owner].append(Off(d1, d2))
            elif kind == _HOLIDAY:
                self.holidays.add(d1)
                closures.append((None, d1, None, None, label))
            elif kind == _CLOSURE:
                closures.append((owner, d1, t1, t2, label))
            else:
                self.appointments[owner].append((at1.timestamp(), at2.timestamp()))
        # A specialist without any hours never works: only those with hours are candidates.
        self.specialist_ids = sorted(self.hours)
        self.cabinets: list[Cabinet] = cabinets_with_schedules(allowed_cabinets(service))
        self.cabinet_days: dict[int, dict[date, CabinetDay]] = cabinets_days(
            cabinets=self.cabinets, start_date=start_date, end_date=end_date, now=now, holder_id=holder_id,
            exclude_booking_ids=exclude, closures=closures)
        self.lines = [(line.item, line.units) for line in equipment_lines(service)]
        self.usage: Usage | None = None
        if self.lines:
            self.usage = equipment_usage(items=[item for item, _units in self.lines], start_date=start_date,
                                         end_date=end_date, now=now)
            self.equipment_grid = self.usage.grid()
        self._cabinet_starts: dict[tuple[int, date], frozenset[float]] = {}

    # --- one specialist ------------------------------------------------------------------------------

    def intervals(self, specialist_id: int, day: date) -> list[tuple[float, float]]:
        return [(i.start.timestamp(), i.end.timestamp())
                for i in intervals_on(day, self.hours.get(specialist_id, ()), self.days_off.get(specialist_id, ()),
                                      self.tz)]

    def free_windows(self, specialist_id: int, day: date) -> list[tuple[float, float]]:
        """The specialist's working intervals on `day` with their appointments taken out."""
        windows = self.intervals(specialist_id, day)
        for a, b in self.appointments.get(specialist_id, ()):
            cut = []
            for start, end in windows:
                if b <= start or end <= a:
                    cut.append((start, end))
                    continue
                if start < a:
                    cut.append((start, a))
                if b < end:
                    cut.append((b, end))
            windows = cut
        return windows

    def specialist_refusal(self, specialist_id: int, starts_at: datetime) -> str | None:
        """Why this specialist cannot take the service at `starts_at`: day_off, outside_hours or
        specialist_busy; None when they can."""
        day = starts_at.astimezone(self.tz).date()
        start = starts_at.timestamp()
        end = start + self.duration.total_seconds()
        intervals = self.intervals(specialist_id, day)
        if not intervals:
            return SPECIALIST_DAY_OFF
        if not any(a <= start and end <= b for a, b in intervals):
            return OUTSIDE_HOURS
        if any(a < end and start < b for a, b in self.appointments.get(specialist_id, ())):
            return SPECIALIST_BUSY
        return None

    def booked_minutes(self, specialist_id: int, day: date) -> int:
        """Minutes of the specialist's live appointments on `day` (clinic date)."""
        first, last = (moment.timestamp() for moment in day_bounds(day, self.tz))
        seconds = sum(max(0.0, min(b, last) - max(a, first)) for a, b in self.appointments.get(specialist_id, ()))
        return int(seconds // 60)

    def free_specialists(self, day: date) -> dict[float, list[int]]:
        """For each start on the slot grid (clinic time): the specialists free for the whole length, by id."""
        length, step = self.duration.total_seconds(), slot_minutes() * 60
        starts: dict[float, list[int]] = defaultdict(list)
        for pk in self.specialist_ids:
            for a, b in self.free_windows(pk, day):
                start = self._on_grid(a, step)
                while start + length <= b:
                    starts[start].append(pk)
                    start += step
        return starts

    def _on_grid(self, moment: float, step: int) -> float:
        """The first instant at or after `moment` on the slot grid of clinic time (hours and appointments
        lie on it already; this keeps a stray row from offering a start the booking service refuses)."""
        local = datetime.fromtimestamp(moment, tz=UTC).astimezone(self.tz)
        past = (local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6) % step
        return moment + (step - past if past else 0)

    # --- cabinets and equipment ----------------------------------------------------------------------

    def cabinet_free_starts(self, cabinet_id: int, day: date) -> frozenset[float]:
        """The starts from which this cabinet is free for the whole length on `day` (read once per day)."""
        key = (cabinet_id, day)
        found = self._cabinet_starts.get(key)
        if found is None:
            cabinet_day = self.cabinet_days[cabinet_id][day]
            minutes = self.minutes
            found = frozenset() if cabinet_day.closed_reason else frozenset(
                slot.start.timestamp() for slot in cabinet_day.slots if slot.available and minutes in slot.durations)
            self._cabinet_starts[key] = found
        return found

    def free_cabinet_ids(self, day: date, start: float) -> list[int]:
        """The allowed cabinets free for the whole length from `start`, in their sort order."""
        return [c.pk for c in self.cabinets if start in self.cabinet_free_starts(c.pk, day)]

    def first_free_cabinet_id(self, day: date, start: float) -> int | None:
        """The first allowed cabinet free from `start`: the grid looks no further (the days of the other
        cabinets are only read when the first ones are taken)."""
        return next((c.pk for c in self.cabinets if start in self.cabinet_free_starts(c.pk, day)), None)

    def open_cabinet_ids(self, day: date) -> list[int]:
        return [c.pk for c in self.cabinets if not self.cabinet_days[c.pk][day].closed_reason]

    def equipment_free(self, starts_at: datetime) -> bool:
        if self.usage is None:
            return True
        day = starts_at.astimezone(self.tz).date()
        if self.start_date <= day <= self.end_date and all(
                self.equipment_grid.free(item.pk, day) >= units for item, units in self.lines):
            return True  # enough units free all day: every window of it is free too
        free = self.usage.free_in_window(starts_at, starts_at + self.duration)
        return all(free.get(item.pk, 0) >= units for item, units in self.lines)

    # --- the grid ------------------------------------------------------------------------------------

    def day(self, day: date) -> ServiceDay:
        if day in self.holidays:
            return ServiceDay(day, HOLIDAY)
        if not self.open_cabinet_ids(day):
            return ServiceDay(day, CLOSED)
        if not any(self.intervals(pk, day) for pk in self.specialist_ids):
            return ServiceDay(day, DAY_OFF)
        slots, equipment_short = [], False
        for start, specialist_ids in sorted(self.free_specialists(day).items()):
            if self.first_free_cabinet_id(day, start) is None:
                continue
            starts_at = datetime.fromtimestamp(start, tz=UTC).astimezone(self.tz)
            if not self.equipment_free(starts_at):
                equipment_short = True
                continue
            slots.append(ServiceSlot(starts_at, sorted(specialist_ids)))
        if slots:
            return ServiceDay(day, None, slots)
        return ServiceDay(day, NO_CAPACITY if equipment_short else BOOKED)

    def days(self) -> list[ServiceDay]:
        return [self.day(day) for day in date_range(self.start_date, self.end_date)]


def service_days(*, service: Service, start_date: date, end_date: date, now: datetime,
                 specialist: Specialist | None = None, holder_id: int | None = None) -> list[ServiceDay]:
    """The service's bookable times on every day of start_date..end_date (at most MAX_DAYS days), optionally
    with one specialist only. A day without times says why: holiday, closed, day_off, no_capacity, booked."""
    check_range(start_date, end_date)
    grid = ServiceGrid(service=service, start_date=start_date, end_date=end_date, now=now, holder_id=holder_id,
                       specialist_ids=None if specialist is None else [specialist.pk])
    return grid.days()


def day_of(moment: datetime) -> date:
    return moment.astimezone(clinic_zone()).date()


__all__ = ["DAY_REASONS", "MAX_DAYS", "ServiceDay", "ServiceGrid", "ServiceSlot", "allowed_cabinets", "day_of",
           "performers", "service_days", "service_with_lines"]

