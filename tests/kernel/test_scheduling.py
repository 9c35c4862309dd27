"""Pure slot and date arithmetic, without a database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kernel.scheduling import (
    DayWindow,
    SlotState,
    add_months,
    consecutive_durations,
    date_range,
    day_bounds,
    day_slots,
    grid_points,
    local_datetime,
    month_weeks,
    overlaps,
    peak_concurrent,
    slot_run,
)

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 12, 1)
CLINIC = DayWindow(opens=time(9), closes=time(21), slot_minutes=30, lunch_start=time(13), lunch_end=time(14))


def hhmm(slots):
    return [s.start.astimezone(MSK).strftime("%H:%M") for s in slots]


def test_nine_to_nine_with_an_hour_of_lunch_gives_22_slots_and_none_at_lunch():
    slots = day_slots(DAY, CLINIC, MSK)
    assert len(slots) == 22
    assert "13:00" not in hhmm(slots) and "13:30" not in hhmm(slots)
    assert hhmm(slots)[:2] == ["09:00", "09:30"] and hhmm(slots)[-1] == "20:30"


def test_ten_to_ten_without_lunch_gives_24_slots():
    assert len(day_slots(DAY, DayWindow(opens=time(10), closes=time(22)), MSK)) == 24


def test_a_slot_that_would_run_past_closing_does_not_exist():
    slots = day_slots(DAY, DayWindow(opens=time(9), closes=time(10, 45), slot_minutes=30), MSK)
    assert hhmm(slots) == ["09:00", "09:30", "10:00"]


def test_a_slot_overlapping_lunch_does_not_exist_even_when_lunch_is_unaligned():
    window = DayWindow(opens=time(9), closes=time(12), slot_minutes=60, lunch_start=time(10, 30), lunch_end=time(11))
    assert hhmm(day_slots(DAY, window, MSK)) == ["09:00", "11:00"]


def test_a_partial_closure_removes_the_slots_it_touches():
    slots = day_slots(DAY, CLINIC, MSK, closures=[(time(15), time(16, 15))])
    assert "15:00" not in hhmm(slots) and "16:00" not in hhmm(slots)
    assert "16:30" in hhmm(slots) and len(slots) == 22 - 3


def test_a_whole_day_closure_leaves_no_slot():
    assert day_slots(DAY, CLINIC, MSK, closures=[(None, None)]) == []


def test_slots_are_aware_and_stored_as_the_right_utc_instant():
    first = day_slots(DAY, CLINIC, MSK)[0]
    assert first.start.utcoffset() == timedelta(hours=3)
    assert first.start.astimezone(UTC).hour == 6
    assert first.minutes == 30


def test_on_the_spring_forward_day_the_skipped_hour_has_no_slots():
    # Europe/Berlin, 2026-03-29: 02:00 jumps to 03:00.
    night = DayWindow(opens=time(1), closes=time(4), slot_minutes=30)
    slots = day_slots(date(2026, 3, 29), night, BERLIN)
    local = [s.start.astimezone(BERLIN).strftime("%H:%M") for s in slots]
    assert local == ["01:00", "03:00", "03:30"]  # 01:30-02:00 ends in the gap, 02:xx do not exist
    assert all(s.minutes == 30 for s in slots)


def test_on_the_fall_back_day_slots_keep_their_wall_clock_and_length():
    # Europe/Berlin, 2026-10-25: 03:00 goes back to 02:00; a clinic day is 25 hours long.
    slots = day_slots(date(2026, 10, 25), DayWindow(opens=time(9), closes=time(12)), BERLIN)
    assert len(slots) == 6
    assert slots[0].start.utcoffset() == timedelta(hours=1)
    start, end = day_bounds(date(2026, 10, 25), BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_a_nonexistent_local_time_is_reported_as_none():
    assert local_datetime(date(2026, 3, 29), time(2, 30), BERLIN) is None
    assert local_datetime(date(2026, 3, 29), time(3, 30), BERLIN) is not None


def test_half_open_intervals_that_touch_do_not_overlap():
    a = datetime(2026, 12, 1, 10, tzinfo=MSK)
    assert not overlaps(a, a + timedelta(hours=1), a + timedelta(hours=1), a + timedelta(hours=2))
    assert overlaps(a, a + timedelta(hours=1), a + timedelta(minutes=59), a + timedelta(hours=2))


def test_durations_from_a_slot_stop_at_the_first_taken_slot_and_at_lunch():
    slots = [SlotState(start=s.start, end=s.end) for s in day_slots(DAY, CLINIC, MSK)]
    index = hhmm(slots).index("11:30")
    assert consecutive_durations(slots, index, max_slots=6) == [30, 60, 90]  # 13:00 is lunch
    slots[index + 1].state = "taken"
    assert consecutive_durations(slots, index, max_slots=6) == [30]
    assert consecutive_durations(slots, index + 1, max_slots=6) == []


def test_durations_are_capped_by_the_maximum_number_of_slots():
    slots = [SlotState(start=s.start, end=s.end) for s in day_slots(DAY, CLINIC, MSK)]
    assert consecutive_durations(slots, 0, max_slots=6) == [30, 60, 90, 120, 150, 180]
    assert consecutive_durations(slots, 0, max_slots=2) == [30, 60]


def test_a_run_of_slots_must_start_on_a_slot_and_not_cross_lunch_or_closing():
    grid = day_slots(DAY, CLINIC, MSK)
    at = datetime(2026, 12, 1, 10, tzinfo=MSK)
    assert len(slot_run(grid, at, 90)) == 3
    assert slot_run(grid, at + timedelta(minutes=15), 30) is None
    assert slot_run(grid, datetime(2026, 12, 1, 12, 30, tzinfo=MSK), 60) is None  # crosses lunch
    assert slot_run(grid, datetime(2026, 12, 1, 20, 30, tzinfo=MSK), 60) is None  # crosses closing
    assert slot_run(grid, at, 45) is None  # ends between slot boundaries


def test_grid_points_cover_a_span_and_floor_an_unaligned_start():
    start = datetime(2026, 12, 1, 10, tzinfo=MSK)
    assert len(grid_points(start, start + timedelta(minutes=90))) == 6
    unaligned = grid_points(start + timedelta(minutes=5), start + timedelta(minutes=20))
    assert unaligned == [start.astimezone(UTC), (start + timedelta(minutes=15)).astimezone(UTC)]


def test_peak_concurrency_counts_units_at_the_busiest_instant():
    t = datetime(2026, 12, 1, 10, tzinfo=MSK)
    h = timedelta(hours=1)
    assert peak_concurrent([]) == 0
    assert peak_concurrent([(t, t + h, 1), (t + h, t + 2 * h, 1)]) == 1  # back to back
    assert peak_concurrent([(t, t + 2 * h, 1), (t + h, t + 3 * h, 2)]) == 3


def test_calendar_helpers():
    assert list(date_range(date(2026, 12, 30), date(2027, 1, 2))) == [
        date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    assert add_months(2026, 12, 1) == (2027, 1)
    assert add_months(2026, 1, -1) == (2025, 12)
    weeks = month_weeks(2026, 11)
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == date(2026, 11, 1)  # 1 Nov 2026 is a Sunday
    assert all(len(week) == 7 for week in weeks)
