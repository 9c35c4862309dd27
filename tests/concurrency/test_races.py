"""Real parallel transactions on PostgreSQL: threads with their own connections race for the last unit, the
same cabinet slot and overlapping ranges. Exactly one wins; the others get a clear "taken" answer.

Two negative controls show the tests can see a race: with the application lock switched off, the database
guard alone still refuses a cabinet overlap, while equipment (guarded by the lock only) is overbooked."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create, cabinet_booking_create_for_partner
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create, equipment_booking_create_for_partner
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from tests import factories
from tests.conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
MSK = ZoneInfo("Europe/Moscow")
TUE = date(2026, 11, 24)
THREADS = 20
ROUNDS = 20


def race(calls) -> Counter:
    """Start every call at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            call()
            outcome = "ok"
        except BookingError as exc:
            outcome = exc.code
        except Exception as exc:  # anything else is a bug the test must show
            outcome = f"crash:{exc.__class__.__name__}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(outcomes)


@pytest.fixture
def slow_requests(monkeypatch):
    """Every request pauses between its check and its write, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.05)


@pytest.fixture
def people(db):
    staff = factories.StaffUserFactory(username="racer")
    partner, _ = factories.partner_with_key(name="RaceCRM")
    accounts = [factories.TelegramAccountFactory() for _ in range(THREADS)]
    return staff, partner, accounts


def mixed_channel_equipment_calls(item, people, round_no, ranges):
    staff, partner, accounts = people
    calls = []
    for i in range(THREADS):
        start, end = ranges(i)
        kind = i % 3
        if kind == 0:
            calls.append(lambda a=accounts[i], s=start, e=end: equipment_booking_create(
                item=item, start_date=s, end_date=e, units=1, client_name="Клиент Бота", client_phone="89990000001",
                actor=Actor.telegram(a), channel=Channel.BOT, now=NOW))
        elif kind == 1:
            calls.append(lambda s=start, e=end: equipment_booking_create(
                item=item, start_date=s, end_date=e, units=1, client_name="Клиент Админа",
                client_phone="89990000002", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))
        else:
            calls.append(lambda n=i, s=start, e=end: equipment_booking_create_for_partner(
                partner=partner, external_booking_id=f"r{round_no}-{n}", item=item, start_date=s, end_date=e,
                units=1, client_name="Клиент Партнёра", client_phone="89990000003", now=NOW))
    return calls


def assert_one_winner(outcomes: Counter, taken_code: str) -> None:
    assert outcomes == Counter({"ok": 1, taken_code: THREADS - 1}), outcomes


def test_twenty_requests_for_the_last_unit_give_one_booking(people, slow_requests):
    staff = people[0]
    for round_no in range(ROUNDS):
        item = factories.ItemFactory(quantity=3)
        for _ in range(2):  # k - 1 units already booked
            equipment_booking_create(item=item, start_date=TUE, client_name="Иван Петров", client_phone="89990000000",
                                     actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
        outcomes = race(mixed_channel_equipment_calls(item, people, round_no, lambda i: (TUE, TUE)))
        assert_one_winner(outcomes, "no_capacity")
        assert EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES).count() == 3


def test_twenty_overlapping_multi_day_ranges_give_one_booking(people, slow_requests):
    for round_no in range(ROUNDS):
        item = factories.ItemFactory(quantity=1)
        # Every range contains Thursday; they start and end on different days.
        ranges = lambda i: (TUE + timedelta(days=i % 3), TUE + timedelta(days=2 + i % 4))  # noqa: E731
        outcomes = race(mixed_channel_equipment_calls(item, people, round_no, ranges))
        assert_one_winner(outcomes, "no_capacity")


def cabinet_calls(cabinet, people, round_no, start):
    staff, partner, accounts = people
    calls = []
    for i in range(THREADS):
        if i % 3 == 0:
            calls.append(lambda a=accounts[i]: cabinet_booking_create(
                cabinet=cabinet, starts_at=start, duration_minutes=60, client_name="Клиент Бота",
                client_phone="89990000001", actor=Actor.telegram(a), channel=Channel.BOT, now=NOW))
        elif i % 3 == 1:
            calls.append(lambda: cabinet_booking_create(
                cabinet=cabinet, starts_at=start, duration_minutes=60, client_name="Клиент Админа",
                client_phone="89990000002", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))
        else:
            calls.append(lambda n=i: cabinet_booking_create_for_partner(
                partner=partner, external_booking_id=f"c{round_no}-{n}", cabinet=cabinet, starts_at=start,
                duration_minutes=60, client_name="Клиент Партнёра", client_phone="89990000003", now=NOW))
    return calls


def test_twenty_requests_for_the_same_cabinet_slot_give_one_booking(people, slow_requests):
    cabinet = factories.with_week(factories.CabinetFactory())
    for round_no in range(ROUNDS):
        start = datetime.combine(TUE + timedelta(days=round_no % 7), time(9 + round_no % 4), tzinfo=MSK)
        outcomes = race(cabinet_calls(cabinet, people, round_no, start))
        assert_one_winner(outcomes, "slot_taken")
    assert CabinetBooking.objects.filter(status__in=HOLDING_STATUSES).count() == ROUNDS


def test_without_the_lock_the_database_alone_still_refuses_a_cabinet_overlap(people, slow_requests, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    cabinet = factories.with_week(factories.CabinetFactory())
    for round_no in range(5):
        start = datetime.combine(TUE, time((10, 11, 15, 16, 17)[round_no]), tzinfo=MSK)
        outcomes = race(cabinet_calls(cabinet, people, round_no, start))
        assert_one_winner(outcomes, "slot_taken")


def test_without_the_lock_equipment_is_overbooked_so_the_race_is_real(people, slow_requests, monkeypatch):
    """The negative control: if this ever stops overbooking, the tests above prove nothing."""
    monkeypatch.setattr(locking, "enabled", False)
    item = factories.ItemFactory(quantity=1)
    outcomes = race(mixed_channel_equipment_calls(item, people, 0, lambda i: (TUE, TUE)))
    assert outcomes["ok"] > 1, outcomes
    assert EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES).count() > item.quantity


def test_parallel_partner_requests_with_one_external_id_never_crash(people):
    """Same external id, different items: the partner lock queues them, so one books and the rest are
    refused as a conflicting replay (never an IntegrityError)."""
    _staff, partner, _accounts = people
    items = [factories.ItemFactory(quantity=1) for _ in range(THREADS)]
    calls = [lambda item=item: equipment_booking_create_for_partner(
        partner=partner, external_booking_id="same-id", item=item, start_date=TUE, end_date=TUE, units=1,
        client_name="Клиент Партнёра", client_phone="89990000003", now=NOW) for item in items]
    assert race(calls) == Counter({"ok": 1, "idempotency_conflict": THREADS - 1})


def test_the_per_user_limit_holds_under_parallel_requests(people, settings):
    settings.MAX_ACTIVE_BOOKINGS_PER_USER = 1
    account = people[2][0]
    items = [factories.ItemFactory(quantity=1) for _ in range(THREADS)]
    calls = [lambda item=item: equipment_booking_create(
        item=item, start_date=TUE, units=1, client_name="Клиент Бота", client_phone="89990000001",
        actor=Actor.telegram(account), channel=Channel.BOT, now=NOW) for item in items]
    assert race(calls) == Counter({"ok": 1, "limit_reached": THREADS - 1})
