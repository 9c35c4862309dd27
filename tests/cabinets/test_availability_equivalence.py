"""The cabinet grid gives, slot for slot, what the plain rule gives: every slot of the schedule compared with
every occupant of its day, then the clock. The plain rule is written out here once, slowly and obviously,
and both are run on the awkward days: lunch, partial and whole-day closures, a holiday, a day off, the
viewer's own hold and someone else's, bookings across midnight or off the slot grid, an excluded booking,
past slots, the lead time and the booking horizon, and a day on which the clocks go back."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings

from cabinets.availability import cabinets_days, day_window
from cabinets.models import Cabinet, CabinetBooking, Closure, Holiday, SlotHold, WeeklySchedule
from kernel.bookings import HOLDING_STATUSES
from kernel.scheduling import SlotState, date_range, day_slots, fill_durations
from tests import factories

pytestmark = pytest.mark.django_db


def plain_grid(cabinets, start_date, end_date, now, holder_id=None, exclude=()):
    """(closed_reason, [(start, end, state, durations)]) per (cabinet, day), the obvious way."""
    tz = ZoneInfo(settings.TIME_ZONE)
    occupants = [(b.cabinet_id, b.starts_at, b.ends_at, "booking", b.pk)
                 for b in CabinetBooking.objects.filter(status__in=HOLDING_STATUSES).exclude(pk__in=exclude)]
    occupants += [(h.cabinet_id, h.starts_at, h.ends_at, "hold", h.holder_id)
                  for h in SlotHold.objects.filter(expires_at__gt=now)]
    earliest = now + timedelta(minutes=settings.CABINET_MIN_ADVANCE_MINUTES)
    latest = now + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)
    result = {}
    for cabinet in cabinets:
        for day in date_range(start_date, end_date):
            schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=day.weekday()).first()
            window = day_window(schedule)
            closures = list(Closure.objects.filter(cabinet=cabinet, date=day))
            holiday = Holiday.objects.filter(date=day).first()
            reason = None
            if not cabinet.is_active:
                reason = "inactive"
            elif holiday:
                reason = holiday.name
            elif window is None:
                reason = "day off"
            elif any(c.start_time is None for c in closures):
                reason = next(c.reason for c in closures if c.start_time is None) or "closed"
            if reason:
                result[(cabinet.pk, day)] = (reason, [])
                continue
            intervals = day_slots(day, window, tz, [(c.start_time, c.end_time) for c in closures])
            slots = []
            for interval in intervals:
                state = None
                for cabinet_id, start, end, kind, ref in occupants:
                    if cabinet_id == cabinet.pk and interval.start < end and start < interval.end:
                        if kind == "booking":
                            state = "taken"
                            break
                        if ref != holder_id:
                            state = "held"
                            break
                if state is None:
                    if interval.start < now:
                        state = "past"
                    elif interval.start < earliest:
                        state = "too_soon"
                    elif interval.start > latest:
                        state = "too_far"
                    else:
                        state = "free"
                slots.append(SlotState(start=interval.start, end=interval.end, state=state))
            fill_durations(slots, settings.CABINET_MAX_SLOTS)
            result[(cabinet.pk, day)] = ("closed" if not intervals else None,
                                         [(s.start, s.end, s.state, s.durations) for s in slots])
    return result


def fast_grid(cabinets, start_date, end_date, now, holder_id=None, exclude=()):
    days = cabinets_days(cabinets=Cabinet.objects.filter(pk__in=[c.pk for c in cabinets]), start_date=start_date,
                         end_date=end_date, now=now, holder_id=holder_id, exclude_booking_ids=exclude)
    result = {}
    for cabinet_id, by_day in days.items():
        for day, found in by_day.items():
            slots = [(s.start, s.end, s.state, s.durations) for s in found.slots]
            free = [s.start.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%H:%M")
                    for s in found.slots if s.available]
            assert found.free_times() == free
            assert [(g.start, g.end) for g in found.grid] == [(s[0], s[1]) for s in slots]
            result[(cabinet_id, day)] = (found.closed_reason, slots)
    return result


def booking(cabinet, start, end, status="approved"):
    return CabinetBooking.objects.create(cabinet=cabinet, starts_at=start, ends_at=end, status=status,
                                         client_name="Ольга", client_phone="+79990001122",
                                         created_at=start - timedelta(days=5), updated_at=start - timedelta(days=5))


def hold(cabinet, who, start, end, expires):
    return SlotHold.objects.create(cabinet=cabinet, holder=who, starts_at=start, ends_at=end, expires_at=expires,
                                   created_at=expires - timedelta(minutes=10))


@pytest.fixture
def awkward_week(alice, bob):
    """Three cabinets over a week of Moscow time with something odd on most days."""
    zone = ZoneInfo("Europe/Moscow")

    def at(day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=zone)

    monday = date(2026, 11, 23)
    first = factories.with_week(factories.CabinetFactory(), days_off=(6,))
    second = factories.with_week(factories.CabinetFactory(), opens=time(8), closes=time(20), lunch=None,
                                 slot_minutes=60)
    closed = factories.with_week(factories.CabinetFactory(is_active=False))
    booking(first, at(monday, 9), at(monday, 10))
    booking(first, at(monday, 10, 10), at(monday, 10, 40))  # off the slot grid
    booking(first, at(monday, 12), at(monday, 15))  # across lunch
    booking(first, at(monday, 16), at(monday, 17), status="cancelled")
    excluded = booking(first, at(monday, 18), at(monday, 19))
    booking(second, at(monday, 19), at(monday + timedelta(days=1), 9))  # across midnight
    booking(first, at(monday + timedelta(days=1), 20, 30), at(monday + timedelta(days=1), 21))
    factories.closure(first, monday + timedelta(days=2), time(11), time(12, 30), reason="Уборка")
    factories.closure(second, monday + timedelta(days=2), reason="Ремонт")
    factories.holiday(monday + timedelta(days=3), "День клиники")
    hold(first, alice, at(monday + timedelta(days=4), 10), at(monday + timedelta(days=4), 11),
         expires=at(monday, 23))
    hold(first, bob, at(monday + timedelta(days=4), 11), at(monday + timedelta(days=4), 12),
         expires=at(monday, 23))
    booking(first, at(monday + timedelta(days=4), 10, 30), at(monday + timedelta(days=4), 11, 30))  # over both holds
    friday = monday + timedelta(days=4)  # a hold that expired before the views below
    hold(second, factories.TelegramAccountFactory(), at(friday, 9), at(friday, 10), expires=at(monday, 9))
    return {"cabinets": [first, second, closed], "monday": monday, "excluded": excluded.pk, "at": at}


@pytest.mark.parametrize("viewer", [None, "alice", "bob"])
@pytest.mark.parametrize("clock", [(0, 11, 15), (0, 8, 0), (-1, 22, 0), (-25, 12, 0)],
                         ids=["mid-monday", "before-opening", "night-before", "horizon-inside-the-week"])
def test_it_marks_every_slot_as_the_plain_rule_does(awkward_week, alice, bob, viewer, clock):
    monday, at = awkward_week["monday"], awkward_week["at"]
    offset, hour, minute = clock
    now = at(monday + timedelta(days=offset), hour, minute)
    holder = {"alice": alice.pk, "bob": bob.pk, None: None}[viewer]
    args = (awkward_week["cabinets"], monday, monday + timedelta(days=6), now, holder)
    expected = plain_grid(*args)
    assert fast_grid(*args) == expected
    states = {state for _reason, slots in expected.values() for *_times, state, _d in slots}
    assert {"taken", "free"} <= states


def test_it_treats_an_excluded_booking_as_free_like_the_plain_rule(awkward_week):
    monday, at = awkward_week["monday"], awkward_week["at"]
    args = (awkward_week["cabinets"], monday, monday + timedelta(days=1), at(monday, 8), None,
            [awkward_week["excluded"]])
    expected = plain_grid(*args)
    assert fast_grid(*args) == expected
    first = awkward_week["cabinets"][0]
    assert [s[2] for s in expected[(first.pk, monday)][1] if s[0] == at(monday, 18)] == ["free"]


@override_settings(TIME_ZONE="Europe/Berlin")
def test_it_agrees_with_the_plain_rule_on_the_day_the_clocks_go_back(alice):
    """Berlin, 2026-10-25: 03:00 summer time becomes 02:00 again; a night-time schedule crosses it."""
    berlin = ZoneInfo("Europe/Berlin")
    day = date(2026, 10, 25)
    cabinet = factories.with_week(factories.CabinetFactory(), opens=time(0), closes=time(6), lunch=None)
    booking(cabinet, datetime(2026, 10, 25, 2, 30, tzinfo=berlin),  # the first 02:30 (summer time)
            datetime(2026, 10, 25, 3, 30, tzinfo=berlin))
    hold(cabinet, alice, datetime(2026, 10, 24, 23, 0, tzinfo=berlin), datetime(2026, 10, 25, 1, 0, tzinfo=berlin),
         expires=datetime(2026, 10, 26, tzinfo=berlin))
    for now in (datetime(2026, 10, 24, 12, 0, tzinfo=berlin), datetime(2026, 10, 25, 1, 45, tzinfo=berlin)):
        for holder in (None, alice.pk):
            args = ([cabinet], day - timedelta(days=1), day + timedelta(days=1), now, holder)
            assert fast_grid(*args) == plain_grid(*args)
