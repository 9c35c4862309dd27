"""Waitlist offers under real parallel transactions on PostgreSQL: two cancellations free two units at the same
instant while three waiters want one each. The offer passes that follow run under the item's lock, so exactly
two waiters are offered and no unit is handed to two of them. The negative control switches the lock off and
the same race hands out three offers for two units."""

from __future__ import annotations

from datetime import date

import pytest

from equipment.availability import equipment_grid
from equipment.services import equipment_booking_cancel, equipment_booking_create
from equipment.waitlist import equipment_wait_join
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.waitlist.models import Wait
from tests import factories
from tests.concurrency.test_races import race
from tests.conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = date(2026, 12, 1)
ROUNDS = 5


@pytest.fixture
def slow_passes(monkeypatch):
    """Each offer pass pauses between reading what is free and writing its offers, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.2)


def one_round(round_no: int) -> tuple[int, int]:
    item = factories.ItemFactory(name=f"Холтер {round_no}", quantity=2)
    bookings = [equipment_booking_create(item=item, start_date=DAY, end_date=DAY, units=1,
                                         client_name="Пётр Иванов", client_phone="+79990000000",
                                         actor=Actor.system(), channel=Channel.ADMIN, now=NOW) for _ in range(2)]
    for _ in range(3):
        equipment_wait_join(item=item, start_date=DAY, end_date=DAY, units=1, client_name="Анна Смирнова",
                            client_phone="+79991112233", actor=Actor.telegram(factories.TelegramAccountFactory()),
                            channel=Channel.BOT, now=NOW)
    outcomes = race([
        lambda booking=booking: equipment_booking_cancel(booking=booking, actor=Actor.system(), now=NOW)
        for booking in bookings
    ])
    assert outcomes == {"ok": 2}, outcomes
    offered = Wait.objects.filter(resource_type="equipment", resource_id=item.pk, status=Wait.Status.OFFERED).count()
    free = equipment_grid(items=[item], start_date=DAY, end_date=DAY, now=NOW).free(item.pk, DAY)
    return offered, free


def test_two_cancellations_and_three_waiters_never_hand_one_unit_to_two_waiters(slow_passes):
    for round_no in range(ROUNDS):
        offered, free = one_round(round_no)
        assert offered == 2, f"round {round_no}: {offered} offers for 2 freed units"
        assert free == 0


def test_negative_control_without_the_lock_the_same_race_offers_more_units_than_were_freed(
        slow_passes, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    results = [one_round(round_no)[0] for round_no in range(ROUNDS)]
    print(f"offers per round for 2 freed units, without the lock: {results}")
    assert max(results) > 2, f"no double offer seen without the lock: {results}"
