"""The attendance report: for a period, per cabinet and per item, how many bookings started in it, how much
of the open time (or of the units) they took, how many were cancelled, rejected or not attended, and how
many clients confirmed their visit. A fixed number of queries whatever the number of bookings.

Held = approved, completed or no-show: what took its time (a no-show releases nothing retroactively).
Utilisation of a cabinet = held booking minutes / the schedule's slot minutes of the period. Utilisation of
an item = held whole-day unit-days / (units × days). Confirmation rate = held bookings confirmed by the
client ("I will come") / held bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking
from equipment.models import EquipmentBooking, Item
from kernel.bookings import Status
from kernel.scheduling import day_bounds

HELD = (Status.APPROVED, Status.COMPLETED, Status.NO_SHOW)
MAX_DAYS = 366


@dataclass
class Line:
    name: str
    bookings: int = 0
    held: int = 0
    cancelled: int = 0
    rejected: int = 0
    no_shows: int = 0
    confirmed: int = 0
    used: float = 0  # minutes (cabinets) or unit-days (items)
    capacity: float = 0

    @property
    def utilisation(self) -> int:
        return round(100 * self.used / self.capacity) if self.capacity else 0

    @property
    def confirmation_rate(self) -> int:
        return round(100 * self.confirmed / self.held) if self.held else 0

    @property
    def no_show_rate(self) -> int:
        return round(100 * self.no_shows / self.held) if self.held else 0

    def add(self, other: Line) -> None:
        for name in ("bookings", "held", "cancelled", "rejected", "no_shows", "confirmed", "used", "capacity"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    start: date
    end: date
    cabinets: list[Line]
    items: list[Line]
    cabinet_total: Line
    item_total: Line


def _counts(confirmed: Q) -> dict:
    return {
        "bookings": Count("id"),
        "held": Count("id", filter=Q(status__in=HELD)),
        "cancelled": Count("id", filter=Q(status=Status.CANCELLED)),
        "rejected": Count("id", filter=Q(status=Status.REJECTED)),
        "no_shows": Count("id", filter=Q(status=Status.NO_SHOW)),
        "confirmed": Count("id", filter=Q(status__in=HELD) & confirmed),
    }


def _line(name: str, row: dict | None) -> Line:
    row = row or {}
    return Line(name=name, **{key: row.get(key) or 0 for key in
                              ("bookings", "held", "cancelled", "rejected", "no_shows", "confirmed")})


def period_statistics(*, start: date, end: date, now: datetime) -> Report:
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError("a period of 1 to 366 days")
    zone = clinic_zone()
    since, until = day_bounds(start, zone)[0], day_bounds(end, zone)[1]

    cabinets = list(Cabinet.objects.prefetch_related("schedules").order_by("sort_order", "id"))
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = {row["cabinet_id"]: row for row in CabinetBooking.objects.filter(starts_at__gte=since, starts_at__lt=until)
            .values("cabinet_id").annotate(**_counts(Q(client_confirmed_at__isnull=False)),
                                           minutes=Sum(duration, filter=Q(status__in=HELD))).order_by()}
    days = cabinets_days(cabinets=cabinets, start_date=start, end_date=end, now=now)
    cabinet_lines = []
    for cabinet in cabinets:
        row = rows.get(cabinet.pk)
        if row is None and not cabinet.is_active:
            continue
        line = _line(cabinet.name, row)
        line.used = ((row or {}).get("minutes") or timedelta()).total_seconds() / 60
        line.capacity = sum((slot.end - slot.start).total_seconds() / 60
                            for cabinet_day in days.get(cabinet.pk, {}).values() for slot in cabinet_day.slots)
        cabinet_lines.append(line)

    items = list(Item.objects.order_by("sort_order", "id"))
    confirmed = Q(client_confirmed_at__isnull=False) | Q(cabinet_booking__client_confirmed_at__isnull=False)
    rows = {row["item_id"]: row for row in EquipmentBooking.objects.filter(start_date__gte=start, start_date__lte=end)
            .values("item_id").annotate(**_counts(confirmed)).order_by()}
    used: dict[int, int] = {}
    for item_id, units, first, last in (EquipmentBooking.objects.filter(
            status__in=HELD, cabinet_booking__isnull=True, start_date__lte=end, end_date__gte=start)
            .values_list("item_id", "units", "start_date", "end_date")):
        overlap = (min(last, end) - max(first, start)).days + 1
        used[item_id] = used.get(item_id, 0) + units * overlap
    period_days = (end - start).days + 1
    item_lines = []
    for item in items:
        row = rows.get(item.pk)
        if row is None and not item.is_active:
            continue
        line = _line(item.name, row)
        line.used, line.capacity = used.get(item.pk, 0), item.quantity * period_days
        item_lines.append(line)

    cabinet_total, item_total = Line(name=""), Line(name="")
    for line in cabinet_lines:
        cabinet_total.add(line)
    for line in item_lines:
        item_total.add(line)
    return Report(start=start, end=end, cabinets=cabinet_lines, items=item_lines, cabinet_total=cabinet_total,
                  item_total=item_total)
