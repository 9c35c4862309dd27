"""The daily discount quota under real parallel transactions on PostgreSQL: with a quota of 1, ten clients
(distinct phones) book at the same instant on their birthday, each a different item, so nothing but the quota
row's lock stands between them. Exactly one booking is discounted and the quota row counts one; cancelling that
booking gives the discount back, and the next booking gets it.

The negative control switches the lock off: the same race then discounts more than one booking (and the row
counts fewer discounts than were given), so the test above can see a race."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from equipment.services import equipment_booking_cancel, equipment_booking_create
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.pricing.models import BookingPrice, DiscountQuotaUse, DiscountRule
from kernel.pricing.quota import daily_limit_set, quota_used
from kernel.pricing.services import booking_price
from tests import factories
from tests.concurrency.test_races import race
from tests.conftest import NOW
from tests.kernel.pricing.conftest import make_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = date(2026, 12, 1)
CLIENTS = 10
ROUNDS = 3


@pytest.fixture
def slow_quota(monkeypatch):
    """Each booking pauses between reading the day's quota and counting its discount, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.05)


@pytest.fixture
def birthday_rule(db):
    daily_limit_set(1)
    return DiscountRule.objects.create(kind="birthday", percent=Decimal("12"))


def one_round(round_no: int, staff) -> tuple[list, int]:
    """Ten birthday clients book ten items at once (on a fresh day's quota): the bookings and the row's count."""
    now = NOW.replace(day=NOW.day + round_no)  # a new clinic day, a new quota
    # The day's row exists (the first booking of a day creates it, and a second insert waits on its unique
    # index): the race is for the count, which only the row's lock guards.
    DiscountQuotaUse.objects.create(day=now.date(), used=0)
    items = [factories.ItemFactory(name=f"Холтер {round_no}-{n}", price_per_day=Decimal("1000.00"))
             for n in range(CLIENTS)]
    clients = [make_client(phone=f"+7999{round_no:03d}{n:04d}", name=f"Клиент {n}", birthday=date(1990, 12, 1))
               for n in range(CLIENTS)]
    booked = []
    calls = [lambda item=item, client=client: booked.append(equipment_booking_create(
        item=item, start_date=DAY, units=1, client_name=client.name, client_phone=client.phone, client=client,
        actor=Actor.staff(staff), channel=Channel.ADMIN, now=now)) for item, client in zip(items, clients, strict=True)]
    outcomes = race(calls)
    assert outcomes == {"ok": CLIENTS}, outcomes
    return booked, quota_used(now.date())


def discounted(bookings) -> list:
    return [b for b in bookings if booking_price(resource_type="equipment", booking_id=b.pk).discount is not None]


def test_ten_birthday_clients_at_once_get_one_discount_and_a_cancellation_gives_it_back(
        birthday_rule, slow_quota):
    staff = factories.StaffUserFactory(username="racer")
    for round_no in range(ROUNDS):
        booked, used = one_round(round_no, staff)
        winners = discounted(booked)
        assert len(winners) == 1, f"round {round_no}: {len(winners)} discounted bookings for a quota of 1"
        assert used == 1
        others = [b for b in booked if b not in winners]
        assert all(booking_price(resource_type="equipment", booking_id=b.pk).lines[-1].label == "discount_limit"
                   for b in others)
    # Cancelling the discounted booking gives its discount back: the next booking that day gets it.
    now = NOW.replace(day=NOW.day + ROUNDS - 1)
    equipment_booking_cancel(booking=winners[0], actor=Actor.staff(staff), now=now)
    assert quota_used(now.date()) == 0
    client = make_client(phone="+79998887766", birthday=date(1990, 12, 1))
    late = equipment_booking_create(item=factories.ItemFactory(price_per_day=Decimal("1000.00")), start_date=DAY,
                                    client_name="Поздний Клиент", client_phone=client.phone, client=client,
                                    actor=Actor.staff(staff), channel=Channel.ADMIN, now=now)
    assert booking_price(resource_type="equipment", booking_id=late.pk).total == Decimal("880.00")
    assert quota_used(now.date()) == 1


def test_negative_control_without_the_lock_the_same_race_gives_more_discounts_than_the_quota(
        birthday_rule, slow_quota, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    staff = factories.StaffUserFactory(username="racer")
    results = []
    for round_no in range(ROUNDS):
        booked, used = one_round(round_no, staff)
        results.append((len(discounted(booked)), used))
    print(f"(discounted bookings, quota row) per round for a quota of 1, without the lock: {results}")
    assert max(count for count, _used in results) > 1, f"no over-discount seen without the lock: {results}"
    assert BookingPrice.objects.filter(quota_day__isnull=False).count() > ROUNDS
