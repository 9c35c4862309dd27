"""Real parallel transactions on PostgreSQL: maintenance windows and bookings race for the last unit. The
item lock queues them, so exactly one gets it and the units in use plus out of service never exceed the
quantity. The negative control shows the race is real: without the lock, the unit is given twice."""

from __future__ import annotations

import pytest

from equipment.availability import equipment_grid
from equipment.maintenance import maintenance_window_save
from equipment.services import equipment_booking_create
from kernel import locking
from kernel.channels import Actor, Channel
from tests import factories
from tests.concurrency.test_races import NOW, TUE, race
from tests.concurrency.test_races import people as people
from tests.concurrency.test_races import slow_requests as slow_requests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROUNDS = 10
EACH = 5  # maintenance windows and bookings per round


def calls_for(item, people):
    staff, _partner, accounts = people
    calls = []
    for n in range(EACH):
        calls.append(lambda: maintenance_window_save(item=item, units=1, start_date=TUE, end_date=TUE,
                                                     reason="Калибровка", actor=Actor.staff(staff), now=NOW))
        calls.append(lambda a=accounts[n]: equipment_booking_create(
            item=item, start_date=TUE, units=1, client_name="Клиент Бота", client_phone="89990000001",
            actor=Actor.telegram(a), channel=Channel.BOT, now=NOW))
    return calls


def in_use(item) -> int:
    grid = equipment_grid(items=[item], start_date=TUE, end_date=TUE)
    return grid.peak(item.pk, TUE) + grid.blocked(item.pk, TUE)


def test_a_maintenance_window_and_bookings_racing_for_the_last_unit_never_overbook(people, slow_requests):
    staff = people[0]
    for _round in range(ROUNDS):
        item = factories.ItemFactory(quantity=2)
        equipment_booking_create(item=item, start_date=TUE, client_name="Иван Петров", client_phone="89990000000",
                                 actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
        outcomes = race(calls_for(item, people))
        assert outcomes["ok"] == 1, outcomes
        assert set(outcomes) <= {"ok", "no_capacity", "schedule_conflict"}, outcomes
        assert in_use(item) == 2


def test_without_the_lock_the_last_unit_is_given_twice_so_the_race_is_real(people, slow_requests, monkeypatch):
    """The negative control: if this ever stops overbooking, the test above proves nothing."""
    monkeypatch.setattr(locking, "enabled", False)
    item = factories.ItemFactory(quantity=1)
    outcomes = race(calls_for(item, people))
    assert outcomes["ok"] > 1, outcomes
    assert in_use(item) > item.quantity
