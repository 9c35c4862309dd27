"""A full request for whole days says what would fit instead: the nearest start dates for the same units and
length, then other items of the same category free on the asked days, in a fixed number of queries."""

from datetime import date

import pytest

from equipment.alternatives import equipment_alternatives
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def day(n: int) -> date:
    return date(2026, 12, n)


def book(item, who, start, end=None, units=1):
    return equipment_booking_create(item=item, start_date=start, end_date=end, units=units, client_name="Иван Петров",
                                    client_phone="+7 999 123-45-67", actor=who, channel=Channel.BOT, now=NOW)


@pytest.fixture
def lasers():
    return [factories.ItemFactory(name=f"Лазер {n}", category="Лазеры", quantity=1, sort_order=n) for n in (1, 2, 3)]


def test_a_full_day_offers_the_nearest_dates_then_other_items_of_the_category(lasers, alice, bob, staff):
    first, second, third = lasers
    factories.ItemFactory(name="Другой", category="УЗИ", quantity=5)
    factories.ItemFactory(name="Резерв", category="Лазеры", quantity=5, permanently_reserved=True)
    for n in (10, 11, 9):
        book(first, Actor.staff(staff), day(n))
    book(second, Actor.staff(staff), day(10))
    with pytest.raises(BookingError) as caught:
        book(first, Actor.telegram(alice), day(10))
    found = caught.value.details["alternatives"]
    assert [(a["item_id"], a["start_date"], a["end_date"]) for a in found] == [
        (first.pk, "2026-12-08", "2026-12-08"), (first.pk, "2026-12-12", "2026-12-12"),
        (first.pk, "2026-12-07", "2026-12-07"), (third.pk, "2026-12-10", "2026-12-10")]
    assert found[3] == {"item_id": third.pk, "item_name": "Лазер 3", "start_date": "2026-12-10",
                        "end_date": "2026-12-10", "units": 1}


def test_alternative_dates_keep_the_length_and_units_and_never_start_in_the_past(alice, staff):
    pair = factories.ItemFactory(name="Пара", quantity=2)
    book(pair, Actor.staff(staff), day(1), units=1)
    book(pair, Actor.staff(staff), date(2026, 11, 24), day(3), units=1)
    found = equipment_alternatives(item=pair, start_date=date(2026, 11, 24), end_date=date(2026, 11, 25), units=2,
                                   actor=Actor.telegram(alice), now=NOW)
    # Today is 23 November: the only earlier start is today itself, which overlaps the 24th.
    assert [(a["start_date"], a["end_date"], a["units"]) for a in found] == [
        ("2026-12-04", "2026-12-05", 2), ("2026-12-05", "2026-12-06", 2), ("2026-12-06", "2026-12-07", 2)]


def test_alternatives_respect_the_turnaround_of_each_item(alice, staff):
    laser = factories.ItemFactory(name="Лазер", quantity=1, turnaround_days=2)
    book(laser, Actor.staff(staff), day(10))
    found = equipment_alternatives(item=laser, start_date=day(10), units=1, actor=Actor.telegram(alice), now=NOW)
    assert [a["start_date"] for a in found] == ["2026-12-07", "2026-12-13", "2026-12-06"]


def test_no_alternative_is_invented_when_nothing_fits(alice, staff):
    laser = factories.ItemFactory(name="Лазер", quantity=1)
    for n in range(1, 31):
        book(laser, Actor.staff(staff), day(n))
    with pytest.raises(BookingError) as caught:
        book(laser, Actor.telegram(alice), day(15), units=1)
    assert caught.value.details["alternatives"] == []


def test_alternatives_take_a_fixed_number_of_queries_whatever_the_bookings(lasers, staff, alice,
                                                                          django_assert_max_num_queries):
    many = factories.ItemFactory(name="Много", category="Лазеры", quantity=60)
    for n in range(1, 31):
        book(many, Actor.staff(staff), day(n), units=2)
        if n % 3:
            book(lasers[0], Actor.staff(staff), day(n))
    with django_assert_max_num_queries(2):
        found = equipment_alternatives(item=lasers[0], start_date=day(10), end_date=day(12),
                                       actor=Actor.telegram(alice), now=NOW)
    assert found
