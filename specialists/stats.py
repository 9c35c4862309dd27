"""Specialists on the statistics page: hours booked over the next days and the share of their working time
that is (utilisation). Working time is their weekly hours less breaks and days off, and less the clinic's
holidays; booked time is their live appointments inside it. Three queries whatever the number of people."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cabinets.day_schedule import SHOWN_STATUSES
from cabinets.models import CabinetBooking, Holiday
from kernel.scheduling import date_range, day_bounds
from specialists.models import DayOff, Specialist
from specialists.rules import Hours, Off, clinic_zone, intervals_on


def _overlap_minutes(intervals, start: datetime, end: datetime) -> float:
    return sum(max(0.0, (min(i.end, end) - max(i.start, start)).total_seconds()) for i in intervals) / 60


def specialist_utilisation(*, today: date, days: int) -> list[dict]:
    last = today + timedelta(days=days - 1)
    people = list(Specialist.objects.filter(is_active=True).order_by("sort_order", "name", "id").prefetch_related(
        "hours", Prefetch("days_off", queryset=DayOff.objects.filter(to_date__gte=today, from_date__lte=last))))
    holidays = set(Holiday.objects.filter(date__range=(today, last)).values_list("date", flat=True))
    start, end = day_bounds(today, clinic_zone())[0], day_bounds(last, clinic_zone())[1]
    appointments: dict[int, list[CabinetBooking]] = {}
    for booking in CabinetBooking.objects.filter(specialist__in=people, status__in=SHOWN_STATUSES,
                                                 starts_at__lt=end, ends_at__gt=start).only(
            "specialist_id", "starts_at", "ends_at"):
        appointments.setdefault(booking.specialist_id, []).append(booking)
    result = []
    for person in people:
        hours = [Hours(h.weekday, h.start, h.end) for h in person.hours.all()]
        offs = [Off(o.from_date, o.to_date) for o in person.days_off.all()]
        working = [i for day in date_range(today, last) if day not in holidays
                   for i in intervals_on(day, hours, offs)]
        work_minutes = sum((i.end - i.start).total_seconds() for i in working) / 60
        booked = sum(_overlap_minutes(working, b.starts_at, b.ends_at) for b in appointments.get(person.pk, ()))
        result.append({"name": person.name, "booked_hours": round(booked / 60, 1),
                       "working_hours": round(work_minutes / 60, 1),
                       "percent": round(100 * booked / work_minutes) if work_minutes else 0})
    return sorted(result, key=lambda row: (-row["percent"], row["name"]))


def statistics_section(*, today: date, now: datetime, days: int) -> dict:
    """The section the statistics page shows (registered with cabinets.booking_stats at start-up)."""
    return {"id": "specialist-utilisation",
            "title": _("Specialists: hours booked and utilisation, next %(n)s days") % {"n": days},
            "columns": [_("Specialist"), _("Hours booked"), _("Working hours")],
            "rows": [{"cells": [row["name"], row["booked_hours"], row["working_hours"]], "percent": row["percent"]}
                     for row in specialist_utilisation(today=today, days=days)]}
