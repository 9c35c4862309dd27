"""A taken, held or closed cabinet time says what is free instead: windows of the same length, the same day
in the same cabinet first, then other cabinets, then the next open days, in a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cabinets.alternatives import cabinet_alternatives
from cabinets.services import cabinet_booking_create, slot_hold_take
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from tests import factories
from tests.clock import TUE, at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def book(cabinet, who, start, minutes=60, **extra):
    return cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=minutes, client_name="Иван Петров",
                                  client_phone="+7 999 123-45-67", actor=who, channel=Channel.BOT, now=NOW, **extra)


@pytest.fixture
def rooms():
    small = factories.with_week(factories.CabinetFactory(name="Малый", sort_order=1), opens=time(9), closes=time(12),
                                lunch=None)
    large = factories.with_week(factories.CabinetFactory(name="Большой", sort_order=2), opens=time(9),
                                closes=time(12), lunch=None)
    return small, large


def starts(found):
    return [(a["cabinet_id"], a["starts_at"], a["duration_minutes"]) for a in found]


def test_a_taken_slot_offers_the_nearest_free_windows_of_the_same_length_in_the_same_cabinet_first(
        rooms, alice, staff):
    small, large = rooms
    book(small, Actor.staff(staff), at(TUE, 10), 60)
    with pytest.raises(BookingError) as caught:
        book(small, Actor.telegram(alice), at(TUE, 10), 60)
    assert caught.value.code == "slot_taken"
    assert starts(caught.value.details["alternatives"]) == [
        (small.pk, "2026-11-24T09:00:00+03:00", 60), (small.pk, "2026-11-24T11:00:00+03:00", 60),
        (large.pk, "2026-11-24T10:00:00+03:00", 60)]
    assert caught.value.details["alternatives"][2]["cabinet_name"] == "Большой"


def test_a_full_day_everywhere_moves_on_to_the_next_open_day(rooms, alice, staff):
    small, _large = rooms
    for cabinet in rooms:
        book(cabinet, Actor.staff(staff), at(TUE, 9), 180)
    factories.holiday(date(2026, 11, 25))
    found = cabinet_alternatives(cabinet=small, starts_at=at(TUE, 10), duration_minutes=120, now=NOW,
                                 actor=Actor.telegram(alice))
    assert starts(found) == [(small.pk, "2026-11-26T10:00:00+03:00", 120), (small.pk, "2026-11-26T09:30:00+03:00", 120),
                             (small.pk, "2026-11-26T09:00:00+03:00", 120)]


def test_a_closed_day_and_a_held_slot_carry_alternatives(rooms, alice, bob):
    small, _large = rooms
    factories.closure(small, date(2026, 11, 25))
    with pytest.raises(BookingError) as caught:
        book(small, Actor.telegram(alice), at(date(2026, 11, 25), 10))
    assert caught.value.code == "closed" and caught.value.details["alternatives"][0]["cabinet_id"] != small.pk
    slot_hold_take(cabinet=small, starts_at=at(TUE, 10), account=bob, now=NOW, duration_minutes=60)
    with pytest.raises(BookingError) as caught:
        slot_hold_take(cabinet=small, starts_at=at(TUE, 10), account=alice, now=NOW, duration_minutes=60)
    assert caught.value.code == "held"
    assert starts(caught.value.details["alternatives"])[0] == (small.pk, "2026-11-24T09:00:00+03:00", 60)


def test_windows_are_offered_only_where_the_requested_equipment_is_free(rooms, alice, staff):
    small, large = rooms
    probe = factories.ItemFactory(name="УЗИ", quantity=1)
    book(small, Actor.staff(staff), at(TUE, 10), 60)
    book(large, Actor.staff(staff), at(TUE, 9), 60, equipment=[(probe, 1)])
    found = cabinet_alternatives(cabinet=small, starts_at=at(TUE, 10), duration_minutes=60, now=NOW,
                                 actor=Actor.telegram(alice), equipment=[(probe, 1)])
    assert (small.pk, "2026-11-24T09:00:00+03:00", 60) not in starts(found)
    assert starts(found)[0] == (small.pk, "2026-11-24T11:00:00+03:00", 60)


def test_cabinet_alternatives_take_a_fixed_number_of_queries(rooms, staff, alice, django_assert_max_num_queries):
    small, _large = rooms
    for cabinet_n in range(6):
        factories.with_week(factories.CabinetFactory(name=f"Ещё {cabinet_n}"))
    for n in range(12):
        book(small, Actor.staff(staff), at(TUE, 9) + timedelta(days=n // 2, hours=n % 2), 60)
    probe = factories.ItemFactory(name="УЗИ", quantity=3)
    with django_assert_max_num_queries(5):
        found = cabinet_alternatives(cabinet=small, starts_at=at(TUE, 10), duration_minutes=60, now=NOW,
                                     actor=Actor.telegram(alice), equipment=[(probe, 1)])
    assert len(found) == 3


@override_settings(TIME_ZONE="Europe/Berlin")
def test_alternatives_across_a_dst_change_keep_the_wall_clock_time(alice, staff):
    """Berlin falls back in the night to 25 October: the next day's 10:00 is 10:00 at +01:00."""
    berlin = ZoneInfo("Europe/Berlin")
    room = factories.with_week(factories.CabinetFactory(name="Малый"), opens=time(9), closes=time(12), lunch=None)
    now = datetime(2026, 10, 23, 12, 0, tzinfo=berlin)
    book_at = datetime(2026, 10, 24, 9, 0, tzinfo=berlin)
    cabinet_booking_create(cabinet=room, starts_at=book_at, duration_minutes=180, client_name="Иван Петров",
                           client_phone="+7 999 123-45-67", actor=Actor.staff(staff), channel=Channel.ADMIN, now=now)
    found = cabinet_alternatives(cabinet=room, starts_at=datetime(2026, 10, 24, 10, 0, tzinfo=berlin),
                                 duration_minutes=60, now=now, actor=Actor.telegram(alice))
    assert starts(found)[0] == (room.pk, "2026-10-25T10:00:00+01:00", 60)
    assert datetime.fromisoformat(found[0]["starts_at"]) - book_at == timedelta(days=1, hours=2)
