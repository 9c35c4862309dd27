"""Revenue over a period from the prices bookings stored: per clinic day, service, specialist, cabinet and item;
cancelled and rejected bookings do not count, pending ones do, a manager's change counts, and equipment taken
with a cabinet booking is that booking's money, not its item's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cabinets.services import cabinet_booking_cancel, cabinet_booking_create
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.pricing.services import booking_price_override
from specialists.revenue import revenue
from tests import factories
from tests.conftest import NOW
from tests.kernel.pricing.conftest import make_rule
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db
WED = TUE + timedelta(days=1)


def totals(lines) -> dict:
    return {name: (money.bookings, money.base, money.discounts, money.changes, money.total) for name, money in lines}


@pytest.fixture
def month(book, ultrasound, anna, boris, rooms, staff, alice):
    """Two appointments with Анна (one changed by a manager to 2 000), one with Борис cancelled, a pending
    cabinet booking with a monitor, and three days of the monitor alone."""
    make_rule("threshold", "10", "3000.00")  # only the monitor's three days reach it
    rooms[1].price_per_slot = Decimal("400.00")
    rooms[1].save(update_fields=["price_per_slot"])
    monitor = factories.ItemFactory(name="Монитор", quantity=3, price_per_day=Decimal("1200.00"))
    first = book(ultrasound, at(TUE, 9), specialist=anna)
    book(ultrasound, at(WED, 9), specialist=anna)
    cancelled = book(ultrasound, at(TUE, 10), specialist=boris)
    cabinet_booking_cancel(booking=cancelled, actor=Actor.staff(staff), now=NOW)
    booking_price_override(booking=first, resource_type="cabinet", total="2000.00", reason="regular client",
                           actor=Actor.staff(staff), now=NOW)
    cabinet_booking_create(cabinet=rooms[1], starts_at=at(TUE, 15), duration_minutes=60, client_name="Ольга",
                           client_phone="+79990001122", actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW,
                           equipment=[(monitor, 1)])  # 2 × 400 + 1 200, pending
    equipment_booking_create(item=monitor, start_date=WED, end_date=WED + timedelta(days=2), client_name="Ольга",
                             client_phone="+79990001122", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    return monitor


def test_the_revenue_of_a_period_per_day_service_specialist_cabinet_and_item(month):
    report = revenue(start=TUE, end=WED)

    d = Decimal
    assert totals(report.days) == {
        TUE: (2, d("4500"), d("0"), d("-500"), d("4000")),  # the changed appointment and the pending cabinet
        WED: (2, d("6100"), d("-360"), d("0"), d("5740"))}  # an appointment and 3 × 1 200 less 10 %
    assert totals(report.services) == {"УЗИ брюшной полости": (2, d("5000"), d("0"), d("-500"), d("4500"))}
    assert totals(report.specialists) == {"Анна Смирнова": (2, d("5000"), d("0"), d("-500"), d("4500"))}
    assert totals(report.cabinets) == {"Кабинет УЗИ 1": (2, d("5000"), d("0"), d("-500"), d("4500")),
                                       "Кабинет УЗИ 2": (1, d("2000"), d("0"), d("0"), d("2000"))}
    assert totals(report.items) == {"Монитор": (1, d("3600"), d("-360"), d("0"), d("3240"))}
    assert report.total.total == d("9740") and report.total.bookings == 4


def test_a_day_outside_the_bookings_is_there_with_nothing(month):
    report = revenue(start=date(2026, 11, 23), end=date(2026, 11, 23))
    assert totals(report.days) == {date(2026, 11, 23): (0, 0, 0, 0, 0)}
    assert report.services == report.items == []


def test_a_period_longer_than_a_year_is_refused(db):
    with pytest.raises(ValueError):
        revenue(start=TUE, end=TUE + timedelta(days=366))


def test_the_revenue_reads_a_fixed_number_of_queries(month, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        revenue(start=TUE, end=WED)
