"""The suite's clock: the clinic's zone, the frozen `NOW` (Monday 2026-11-23 10:00 in Moscow) and `at()`, the
one way a test names an instant."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
TUE = date(2026, 11, 24)  # the day after NOW


def at(day: date | int, hour: int, minute: int = 0, zone: ZoneInfo = MSK) -> datetime:
    """`hour:minute` on `day` in `zone` (the clinic's Moscow unless said): `day` is a date, or a number of days
    after NOW's date (`at(1, 10)` is tomorrow at 10:00)."""
    if isinstance(day, int):
        day = NOW.date() + timedelta(days=day)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)
