"""Many first bookings of one new client at once (one phone, so one client record to create): the client record
is written after the lock and the availability check, so it neither decides who gets the capacity nor turns a
race into an error.

- Twenty bookings of twenty items for one new phone all succeed and all point at the one client made.
- With the lock, twenty bookings of the last unit for one new phone give one booking and nineteen clear
  refusals (never "busy", never a server error).
- The negative control: with the lock switched off the same race still overbooks, so waiting for the client
  row does not queue the bookings ahead of their check (which would hide the race the lock exists for).
- On the cabinets' database guard alone (lock off), the same phone racing for one slot gives one booking and
  clear "taken" refusals: the booking row is never updated after its insert, which would re-check the
  exclusion constraint against the losers and deadlock."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time

import pytest

from accounts.models import Client
from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create, equipment_booking_create_for_partner
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from tests import factories
from tests.concurrency.test_races import MSK, THREADS, TUE, race
from tests.conftest import NOW

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
PHONE = "+79995550011"
ROUNDS = 5


@pytest.fixture
def slow_requests(monkeypatch):
    monkeypatch.setattr(locking, "pause_after_check", 0.05)


@pytest.fixture
def cast(db):
    staff = factories.StaffUserFactory(username="client-racer")
    partner, _ = factories.partner_with_key(name="ClientRaceCRM")
    accounts = [factories.TelegramAccountFactory() for _ in range(THREADS)]
    return staff, partner, accounts


def one_clients_calls(items, cast, round_no):
    """Each call books one unit of its item for the same new client, through the three kinds of actor."""
    staff, partner, accounts = cast
    phone = f"{PHONE[:-2]}{round_no:02d}"
    calls = []
    for i, item in enumerate(items):
        if i % 3 == 0:
            calls.append(lambda item=item, a=accounts[i]: equipment_booking_create(
                item=item, start_date=TUE, client_name="Новая Клиентка", client_phone=phone, actor=Actor.telegram(a),
                channel=Channel.BOT, now=NOW, client_email=f"new{round_no}@example.com"))
        elif i % 3 == 1:
            calls.append(lambda item=item: equipment_booking_create(
                item=item, start_date=TUE, client_name="Новая Клиентка", client_phone=phone, actor=Actor.staff(staff),
                channel=Channel.ADMIN, now=NOW))
        else:
            calls.append(lambda item=item, n=i: equipment_booking_create_for_partner(
                partner=partner, external_booking_id=f"cl{round_no}-{n}", item=item, start_date=TUE,
                client_name="Новая Клиентка", client_phone=phone, now=NOW))
    return calls


def test_twenty_first_bookings_of_one_new_client_on_twenty_items_all_succeed_with_one_client(cast, slow_requests):
    for round_no in range(ROUNDS):
        items = [factories.ItemFactory(quantity=1) for _ in range(THREADS)]
        outcomes = race(one_clients_calls(items, cast, round_no))
        assert outcomes == Counter({"ok": THREADS}), outcomes
        [client] = Client.objects.filter(phone=f"{PHONE[:-2]}{round_no:02d}")
        bookings = EquipmentBooking.objects.filter(item__in=items)
        assert bookings.count() == THREADS and set(bookings.values_list("client_id", flat=True)) == {client.pk}


def test_twenty_first_bookings_of_one_new_client_for_the_last_unit_give_one_booking(cast, slow_requests):
    for round_no in range(ROUNDS):
        item = factories.ItemFactory(quantity=1)
        outcomes = race(one_clients_calls([item] * THREADS, cast, round_no))
        assert outcomes == Counter({"ok": 1, "no_capacity": THREADS - 1}), outcomes
        assert Client.objects.filter(phone=f"{PHONE[:-2]}{round_no:02d}").count() == 1


def test_without_the_lock_one_new_clients_bookings_overbook_so_the_client_row_hides_no_race(cast, slow_requests,
                                                                                         monkeypatch):
    """The negative control: if this ever stops overbooking, the client write has started to queue bookings
    ahead of their availability check."""
    monkeypatch.setattr(locking, "enabled", False)
    item = factories.ItemFactory(quantity=1)
    outcomes = race(one_clients_calls([item] * THREADS, cast, 0))
    assert outcomes["ok"] > 1 and set(outcomes) <= {"ok", "no_capacity"}, outcomes
    assert EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES).count() > item.quantity
    assert Client.objects.filter(phone=f"{PHONE[:-2]}00").count() == 1


def test_without_the_lock_one_new_client_racing_for_a_slot_gets_one_booking_and_clear_refusals(cast, slow_requests,
                                                                                            monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    staff = cast[0]
    cabinet = factories.with_week(factories.CabinetFactory())
    for round_no in range(ROUNDS):
        start = datetime.combine(TUE, time((10, 11, 15, 16, 17)[round_no]), tzinfo=MSK)  # around lunch
        phone = f"{PHONE[:-2]}{round_no:02d}"
        outcomes = race([lambda start=start, phone=phone: cabinet_booking_create(
            cabinet=cabinet, starts_at=start, duration_minutes=60, client_name="Новая Клиентка", client_phone=phone,
            actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW) for _ in range(THREADS)])
        assert outcomes == Counter({"ok": 1, "slot_taken": THREADS - 1}), outcomes
    assert CabinetBooking.objects.filter(status__in=HOLDING_STATUSES).count() == ROUNDS
