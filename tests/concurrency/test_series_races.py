"""Real parallel transactions on PostgreSQL: a weekly series with equipment races single bookings for its
dates. The series is booked whole or not at all, no cabinet time is booked twice and the equipment is never
overbooked.

The negative control switches the application lock off: the cabinet's database guard still refuses a double
booking of the cabinet, but the equipment the series books with each date (guarded by the lock only) is then
overbooked by a single booking in another cabinet, so the test can see the race it guards against."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest

from cabinets.models import CabinetBooking, CabinetSeries
from cabinets.series import cabinet_series_create, cabinet_series_create_for_partner
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from tests import factories
from tests.concurrency.test_races import MSK, race
from tests.conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
TUE = date(2026, 11, 24)
COUNT = 6
SINGLES = 9
OUTCOMES = {"ok", "slot_taken", "no_capacity", "busy", "series_conflict"}


@pytest.fixture
def people(db, monkeypatch):
    """A manager and a partner; every request pauses between its check and its write, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.05)
    partner, _key = factories.partner_with_key(name="SeriesCRM")
    return factories.StaffUserFactory(username="series-racer"), partner


def series_race(people, round_no: int, *, partner_series: bool, singles_in_a: bool = True, dates: int = 2):
    """One series of COUNT weekly dates in cabinet A with the only unit of an item, against single bookings:
    some for the series' dates in A (unless not `singles_in_a`), the others for the same times in cabinet B
    with the same item. The singles aim at the series' first `dates` dates: their checks run while the series
    checks the same dates."""
    staff, partner = people
    cabinet_a, cabinet_b = (factories.with_week(factories.CabinetFactory()) for _ in range(2))
    item = factories.ItemFactory(quantity=1)
    hour = time((9, 11, 15, 17)[round_no % 4])
    starts = [datetime.combine(TUE + timedelta(weeks=k), hour, tzinfo=MSK) for k in range(COUNT)]
    fields = dict(cabinet=cabinet_a, starts_at=starts[0], duration_minutes=60, every_weeks=1, count=COUNT,
                  equipment=[(item, 1)], client_name="Клиент Серии", client_phone="89990000004", now=NOW)
    if partner_series:
        calls = [lambda: cabinet_series_create_for_partner(partner=partner, external_booking_id=f"s{round_no}",
                                                           **fields)]
    else:
        calls = [lambda: cabinet_series_create(actor=Actor.staff(staff), channel=Channel.ADMIN, **fields)]
    for i in range(SINGLES):
        start = starts[i % dates]
        if singles_in_a and i % 3 == 0:
            calls.append(lambda s=start: cabinet_booking_create(
                cabinet=cabinet_a, starts_at=s, duration_minutes=60, client_name="Клиент Админа",
                client_phone="89990000002", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))
        else:
            calls.append(lambda s=start: cabinet_booking_create(
                cabinet=cabinet_b, starts_at=s + timedelta(minutes=30), duration_minutes=60,
                client_name="Клиент Админа", client_phone="89990000002", equipment=[(item, 1)],
                actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))
    return race(calls), cabinet_a, item, starts


def overlaps_in(cabinet) -> int:
    bookings = list(CabinetBooking.objects.filter(cabinet=cabinet, status__in=HOLDING_STATUSES)
                    .order_by("starts_at"))
    return sum(1 for a, b in pairwise(bookings) if b.starts_at < a.ends_at)


def peak_units(item, starts) -> int:
    """The most units of `item` in use at any instant of the series' dates (sampled every 30 minutes)."""
    peak = 0
    for start in starts:
        for minutes in range(0, 120, 30):
            moment = start + timedelta(minutes=minutes)
            used = EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES, starts_at__lte=moment,
                                                   ends_at__gt=moment).values_list("units", flat=True)
            peak = max(peak, sum(used))
    return peak


@pytest.mark.parametrize(("partner_series", "singles_in_a"), [(False, True), (True, True), (False, False)],
                         ids=["admin", "partner", "equipment-only"])
def test_a_series_racing_single_bookings_is_whole_or_absent_and_never_overbooks(people, partner_series,
                                                                              singles_in_a):
    for round_no in range(4):
        outcomes, cabinet, item, starts = series_race(people, round_no, partner_series=partner_series,
                                                      singles_in_a=singles_in_a)
        assert set(outcomes) <= OUTCOMES, outcomes
        series = CabinetSeries.objects.filter(cabinet=cabinet).first()
        if series is None:
            assert outcomes["series_conflict"] == 1, outcomes
            assert not CabinetBooking.objects.filter(series__isnull=False, cabinet=cabinet).exists()
        else:
            assert series.occurrences.filter(status__in=HOLDING_STATUSES).count() == COUNT
        assert overlaps_in(cabinet) == 0
        assert peak_units(item, starts) <= item.quantity


def test_without_the_lock_the_series_equipment_is_overbooked_so_the_race_is_real(people,
                                                                                monkeypatch):
    """The negative control: the cabinet's database guard still holds, but the unit is given twice. (The singles aim
    at the first date only and never at the series' cabinet: a single that won a later date or the cabinet
    would make the series roll back whole, leaving nothing to see.)"""
    monkeypatch.setattr(locking, "enabled", False)
    overbooked = 0
    for round_no in range(6):
        outcomes, cabinet, item, starts = series_race(people, round_no, partner_series=False, singles_in_a=False,
                                                      dates=1)
        assert set(outcomes) <= OUTCOMES, outcomes
        assert overlaps_in(cabinet) == 0  # the occupancy index alone refuses a cabinet overlap
        overbooked += peak_units(item, starts) > item.quantity
    assert overbooked > 0, "without the lock the series and a single booking should both get the last unit"
