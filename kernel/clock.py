"""The clinic's clock: its zone, its today, and the bounds of a month. Every resource and door asks these
instead of keeping its own copy (the clinic's zone is TIME_ZONE; `now` is always passed in, never read here
except where a default is documented)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from kernel.scheduling import day_bounds


def clinic_zone() -> ZoneInfo:
    """The zone the clinic's days, slots and opening hours are in."""
    return ZoneInfo(settings.TIME_ZONE)


def clinic_today(now: datetime) -> date:
    """The clinic's local date at the instant `now`."""
    return timezone.localtime(now, clinic_zone()).date()


def month_bounds(month: date) -> tuple[date, date]:
    """The first and the last day of the month `month` falls in."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def month_instants(month: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The instants the month begins and ends in `zone` (the clinic's by default): [start, end)."""
    zone = zone or clinic_zone()
    first, last = month_bounds(month)
    return day_bounds(first, zone)[0], day_bounds(last, zone)[1]
