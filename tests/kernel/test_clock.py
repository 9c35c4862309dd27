"""kernel.clock: the clinic's zone is TIME_ZONE, its today turns at local midnight, and a month's bounds are
its first and last days, whose instants run from local midnight to local midnight — 23 or 25 hours on the
days the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kernel.clock import clinic_today, clinic_zone, month_bounds, month_instants

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("day", "first", "last"), [
    (date(2026, 11, 23), date(2026, 11, 1), date(2026, 11, 30)),
    (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    (date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 31)),
    (date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
    (date(2027, 2, 28), date(2027, 2, 1), date(2027, 2, 28)),
])
def test_a_month_runs_from_its_first_to_its_last_day_across_year_ends_and_leap_years(day, first, last):
    assert month_bounds(day) == (first, last)


def test_the_clinics_zone_and_today_follow_time_zone(settings):
    settings.TIME_ZONE = "Asia/Vladivostok"
    late_evening_in_utc = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 01:30 on the 24th in Vladivostok

    assert clinic_zone() == ZoneInfo("Asia/Vladivostok")
    assert clinic_today(late_evening_in_utc) == date(2026, 11, 24)

    settings.TIME_ZONE = "Europe/Moscow"
    assert clinic_today(late_evening_in_utc) == date(2026, 11, 23)


def test_a_months_instants_run_from_local_midnight_of_the_first_to_local_midnight_after_the_last(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    start, end = month_instants(date(2026, 11, 23))
    assert (start.isoformat(), end.isoformat()) == ("2026-11-01T00:00:00+03:00", "2026-12-01T00:00:00+03:00")


def test_the_month_the_clocks_go_back_in_a_dst_zone_is_one_hour_longer(settings):
    settings.TIME_ZONE = "Europe/Berlin"  # Sunday 25 October 2026 has 25 hours
    start, end = month_instants(date(2026, 10, 25))

    assert (start.utcoffset(), end.utcoffset()) == (timedelta(hours=2), timedelta(hours=1))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31, hours=1)


def test_the_month_the_clocks_go_forward_in_a_dst_zone_is_one_hour_shorter(settings):
    settings.TIME_ZONE = "Europe/Berlin"  # Sunday 29 March 2026 has 23 hours
    start, end = month_instants(date(2026, 3, 1))

    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31) - timedelta(hours=1)


def test_on_the_dst_day_today_changes_at_local_midnight_not_at_utc_midnight(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert clinic_today(datetime(2026, 10, 24, 22, 30, tzinfo=UTC)) == date(2026, 10, 25)  # 00:30 CEST
    assert clinic_today(datetime(2026, 10, 25, 22, 59, tzinfo=UTC)) == date(2026, 10, 25)  # 23:59 CET
    assert clinic_today(datetime(2026, 10, 25, 23, 0, tzinfo=UTC)) == date(2026, 10, 26)


def test_an_explicit_zone_overrides_the_clinics(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    start, _end = month_instants(date(2026, 10, 1), BERLIN)
    assert start.isoformat() == "2026-10-01T00:00:00+02:00"
