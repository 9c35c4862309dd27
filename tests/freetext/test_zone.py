"""Dates and times in the clinic's zone from settings. Moscow keeps no daylight saving time, so the corpus
cannot show a change of offset; here a clinic in Berlin does: the day after the clocks go back is read in
its own offset, and "today" is the clinic's date even when now arrives in UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from integrations.freetext import parse

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")
CATALOGUE = [("cabinet", 2, "Кабинет №2", [])]


def test_the_zone_comes_from_settings(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    result = parse("кабинет 2 завтра в 15:00 на час", now=datetime(2026, 11, 23, 10, tzinfo=UTC),
                   catalogue=CATALOGUE)
    assert result.zone == BERLIN
    assert result.starts_at == datetime(2026, 11, 24, 15, tzinfo=BERLIN)


def test_the_day_after_the_clocks_go_back_is_read_in_its_own_offset(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    saturday = datetime(2026, 10, 24, 10, tzinfo=BERLIN)  # summer time, UTC+2; clocks go back on Sunday night
    result = parse("кабинет 2 завтра в 15:00 на час", now=saturday, catalogue=CATALOGUE)
    assert saturday.utcoffset() == timedelta(hours=2)
    assert result.date_from == date(2026, 10, 25)
    assert result.starts_at.utcoffset() == timedelta(hours=1)
    assert result.starts_at.astimezone(UTC) == datetime(2026, 10, 25, 14, tzinfo=UTC)
    assert result.ends_at.astimezone(UTC) == datetime(2026, 10, 25, 15, tzinfo=UTC)


def test_today_is_the_clinic_date_when_now_comes_in_utc(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # already 00:30 on Sunday the 29th in Berlin
    result = parse("кабинет 2 сегодня в 10:00 на час", now=late, catalogue=CATALOGUE)
    assert result.date_from == date(2026, 3, 29)
    assert result.start == time(10, 0)
    assert result.starts_at.utcoffset() == timedelta(hours=2)  # the clocks went forward at 02:00 that night
