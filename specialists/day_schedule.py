"""The specialists' day: a column per active specialist, a row per slot of the clinic's appointment grid,
each cell an appointment (spanning its rows), a working slot left free, or time off. Read in a fixed number of
queries whatever the number of specialists: the specialists, their hours for the weekday, their days off
covering the day, and the day's appointments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Prefetch

from cabinets.day_schedule import SHOWN_STATUSES
from cabinets.models import CabinetBooking
from kernel.scheduling import day_bounds
from specialists.models import DayOff, Specialist, WorkingHours, slot_minutes
from specialists.rules import Hours, Off, clinic_zone, intervals_on


@dataclass
class Cell:
    kind: str  # appointment | free | off
    rowspan: int = 1
    booking: CabinetBooking | None = None
    specialist_id: int | None = None


@dataclass
class SlotRow:
    starts_at: datetime
    cells: list[Cell | None]  # None where an appointment above spans this row


@dataclass
class SpecialistsDay:
    day: date
    specialists: list[Specialist]
    rows: list[SlotRow] = field(default_factory=list)


def specialists_day(*, day: date) -> SpecialistsDay:
    weekday_hours = Prefetch("hours", queryset=WorkingHours.objects.filter(weekday=day.weekday()), to_attr="today")
    days_off = Prefetch("days_off", queryset=DayOff.objects.filter(from_date__lte=day, to_date__gte=day),
                        to_attr="off_today")
    people = list(Specialist.objects.filter(is_active=True).prefetch_related(weekday_hours, days_off)
                  .order_by("sort_order", "name", "id"))
    start, end = day_bounds(day, clinic_zone())
    appointments: dict[int, list[CabinetBooking]] = {}
    for booking in (CabinetBooking.objects.filter(specialist__in=people, status__in=SHOWN_STATUSES,
                                                  starts_at__lt=end, ends_at__gt=start)
                    .select_related("service", "cabinet").order_by("starts_at")):
        appointments.setdefault(booking.specialist_id, []).append(booking)
    working = {person.pk: intervals_on(day, [Hours(h.weekday, h.start, h.end) for h in person.today],
                                       [Off(o.from_date, o.to_date) for o in person.off_today]) for person in people}
    edges = [moment for intervals in working.values() for i in intervals for moment in (i.start, i.end)]
    edges += [moment for bookings in appointments.values() for b in bookings
              for moment in (max(b.starts_at, start), min(b.ends_at, end))]
    schedule = SpecialistsDay(day=day, specialists=people)
    if not edges:
        return schedule
    step = timedelta(minutes=slot_minutes())
    moment, last = min(edges), max(edges)
    covered: dict[int, datetime] = {}  # specialist -> the end of the appointment spanning rows below
    while moment < last:
        cells: list[Cell | None] = []
        for person in people:
            if covered.get(person.pk, moment) > moment:
                cells.append(None)
                continue
            booking = next((b for b in appointments.get(person.pk, ()) if b.starts_at <= moment < b.ends_at), None)
            if booking is not None:
                ends = min(booking.ends_at, last)
                covered[person.pk] = ends
                cells.append(Cell("appointment", rowspan=max(1, -(-(ends - moment) // step)), booking=booking))
            elif any(i.start <= moment < i.end for i in working[person.pk]):
                cells.append(Cell("free", specialist_id=person.pk))
            else:
                cells.append(Cell("off"))
        schedule.rows.append(SlotRow(starts_at=moment, cells=cells))
        moment += step
    return schedule
