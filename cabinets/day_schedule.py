"""The manager's day schedule: cabinets × time columns for one date, built from the availability calculator
(slot states) and the day's bookings, in a fixed number of queries whatever the number of cabinets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import gcd

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking, Closure
from equipment.models import EquipmentBooking
from kernel.bookings import Status
from kernel.scheduling import day_bounds, local_datetime
from kernel.waitlist.services import waiting_by_day

SHOWN_STATUSES = (Status.AWAITING_PAYMENT, Status.PENDING, Status.APPROVED, Status.COMPLETED, Status.NO_SHOW)
CLOSED_LABELS = {"inactive": _("inactive"), "day off": _("day off"), "closed": _("closed"),
                 "holiday": _("holiday")}
SLOT_LABELS = {"past": _("past"), "too_soon": _("too soon"), "too_far": _("too far ahead"),
               "held": _("being booked"), "taken": _("taken")}


@dataclass
class Cell:
    kind: str  # booking | free | past | too_soon | too_far | held | taken | lunch | closed | off
    span: int = 1
    label: str = ""
    start: datetime | None = None
    booking: CabinetBooking | None = None
    equipment: list = field(default_factory=list)


@dataclass
class Row:
    cabinet: Cabinet
    cells: list[Cell]
    closed_reason: str = ""
    waiting: int = 0  # live waitlist entries for this cabinet on the day


@dataclass
class DaySchedule:
    day: date
    columns: list[datetime]
    step: int
    rows: list[Row]


def _wall(moment: datetime) -> time:
    return timezone.localtime(moment, clinic_zone()).time()


def day_schedule(*, day: date, now: datetime) -> DaySchedule:
    tz = clinic_zone()
    cabinets = list(Cabinet.objects.filter(is_active=True).prefetch_related("schedules").order_by("sort_order", "id"))
    days = cabinets_days(cabinets=cabinets, start_date=day, end_date=day, now=now)
    start, end = day_bounds(day, tz)
    bookings: dict[int, list[CabinetBooking]] = {}
    equipment = Prefetch("equipment_bookings", queryset=EquipmentBooking.objects.select_related("item")
                         .exclude(status__in=[Status.CANCELLED, Status.REJECTED]).order_by("item__name"))
    for booking in (CabinetBooking.objects.filter(cabinet__is_active=True, status__in=SHOWN_STATUSES,
                                                  starts_at__lt=end, ends_at__gt=start)
                    .select_related("requester", "specialist").prefetch_related(equipment).order_by("starts_at")):
        bookings.setdefault(booking.cabinet_id, []).append(booking)
    waiting = waiting_by_day(resource_type="cabinet", resource_ids=[c.pk for c in cabinets], start_date=day,
                             end_date=day)
    partial_closures: dict[int, list[Closure]] = {}
    for closure in Closure.objects.filter(date=day, start_time__isnull=False, cabinet__is_active=True):
        partial_closures.setdefault(closure.cabinet_id, []).append(closure)

    windows = [d[day].window for d in days.values() if d[day].window is not None and not d[day].closed_reason]
    if not windows:
        return DaySchedule(day=day, columns=[], step=30, rows=[
            Row(cabinet=c, cells=[], closed_reason=_label(days[c.pk][day].closed_reason),
                waiting=waiting.get((c.pk, day), 0)) for c in cabinets])
    step = 0
    for window in windows:
        step = gcd(step, window.slot_minutes)
        for moment in (window.opens, window.lunch_start, window.lunch_end):
            if moment is not None:
                step = gcd(step, moment.minute or 60)
    step = max(step, 15)
    opens, closes = min(w.opens for w in windows), max(w.closes for w in windows)
    columns = []
    cursor = datetime.combine(day, opens)
    while cursor.time() < closes and cursor.date() == day:
        moment = local_datetime(day, cursor.time(), tz)
        if moment is not None:
            columns.append(moment)
        cursor += timedelta(minutes=step)

    rows = []
    for cabinet in cabinets:
        cabinet_day = days[cabinet.pk][day]
        if cabinet_day.closed_reason:
            rows.append(Row(cabinet=cabinet, cells=[Cell(kind="closed", span=len(columns),
                                                         label=_label(cabinet_day.closed_reason))],
                            closed_reason=_label(cabinet_day.closed_reason)))
            continue
        rows.append(Row(cabinet=cabinet, cells=_cells(columns, step, cabinet_day,
                                                       bookings.get(cabinet.pk, []),
                                                       partial_closures.get(cabinet.pk, []))))
    for row in rows:
        row.waiting = waiting.get((row.cabinet.pk, day), 0)
    return DaySchedule(day=day, columns=columns, step=step, rows=rows)


def _label(reason: str | None) -> str:
    return str(CLOSED_LABELS.get(reason or "", reason or ""))


def _span(start: datetime, end: datetime, step: int) -> int:
    return max(1, int((end - start).total_seconds() // 60) // step)


def _cells(columns, step, cabinet_day, bookings, closures) -> list[Cell]:
    window = cabinet_day.window
    slots = {slot.start: slot for slot in cabinet_day.slots}
    cells: list[Cell] = []
    index = 0
    while index < len(columns):
        moment = columns[index]
        covering = next((b for b in bookings if b.starts_at <= moment < b.ends_at), None)
        if covering is not None:
            span = min(_span(moment, covering.ends_at, step), len(columns) - index)
            cells.append(Cell(kind="booking", span=span, booking=covering, start=moment,
                              equipment=list(covering.equipment_bookings.all())))
            index += span
            continue
        slot = slots.get(moment)
        if slot is not None:
            span = min(_span(slot.start, slot.end, step), len(columns) - index)
            cells.append(Cell(kind=slot.state, span=span, start=slot.start,
                              label=str(SLOT_LABELS.get(slot.state, ""))))
            index += span
            continue
        wall = _wall(moment)
        if window.lunch_start is not None and window.lunch_start <= wall < window.lunch_end:
            kind, label = "lunch", _("lunch")
        elif wall < window.opens or wall >= window.closes:
            kind, label = "off", ""
        else:
            reason = next((c.reason for c in closures if c.start_time <= wall < c.end_time), "")
            kind, label = "closed", reason or _("closed")
        if cells and cells[-1].kind == kind and cells[-1].label == label:
            cells[-1].span += 1
        else:
            cells.append(Cell(kind=kind, label=label, start=moment))
        index += 1
    return cells
