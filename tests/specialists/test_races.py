"""Real parallel transactions on PostgreSQL: twenty clients ask for one specialist at overlapping times in
twenty different cabinets (so no cabinet guard can help), or for "any specialist" of a service two people
perform. The specialist lock decides, and the exclusion constraint has the last word.

Negative controls: with the lock switched off the constraint alone still keeps one appointment; with the
constraint dropped too, the specialist is double-booked, so these tests can see a race."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import time

import pytest
from django.db import connection

from cabinets.models import CabinetBooking
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from specialists.models import Service
from specialists.services import appointment_create
from tests import factories
from tests.concurrency.test_races import THREADS, race
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at, specialist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROUNDS = 5


@pytest.fixture
def slow_requests(monkeypatch):
    monkeypatch.setattr(locking, "pause_after_check", 0.05)


@pytest.fixture
def clinic(db):
    cabinets = [factories.with_week(factories.CabinetFactory(name=f"Кабинет {n}", sort_order=n), opens=time(8),
                                    closes=time(20), lunch=None) for n in range(THREADS)]
    weekdays = {d: [(time(8), time(20))] for d in range(5)}
    first, second = specialist("Анна Смирнова", weekdays), specialist("Борис Иванов", weekdays)
    service = Service.objects.create(name="УЗИ", duration_minutes=60)
    service.specialists.set([first, second])
    staff = factories.StaffUserFactory(username="racer")
    accounts = [factories.TelegramAccountFactory() for _ in range(THREADS)]
    return cabinets, first, second, service, staff, accounts


def calls(clinic, *, hour: int, any_specialist: bool = False):
    """Twenty requests: a third through the bot, the rest by managers; each asks for its own cabinet unless it
    leaves the choice to the service; start times alternate on the half hour, so every pair overlaps."""
    cabinets, first, _second, service, staff, accounts = clinic
    made = []
    for i in range(THREADS):
        actor, channel = (Actor.telegram(accounts[i]), Channel.BOT) if i % 3 == 0 else (Actor.staff(staff),
                                                                                       Channel.ADMIN)
        starts_at = at(TUE, hour, 30 * (i % 2)) if not any_specialist else at(TUE, hour)
        made.append(lambda a=actor, c=channel, s=starts_at, room=cabinets[i]: appointment_create(
            service=service, specialist=None if any_specialist else first, cabinet=None if any_specialist else room,
            starts_at=s, client_name="Клиент Гонки", client_phone="89990000001", actor=a, channel=c, now=NOW))
    return made


def live(specialist_obj=None) -> int:
    found = CabinetBooking.objects.filter(status__in=HOLDING_STATUSES)
    return (found.filter(specialist=specialist_obj) if specialist_obj else found).count()


def test_twenty_clients_for_one_specialist_in_twenty_cabinets_give_one_appointment(clinic, slow_requests):
    first = clinic[1]
    for round_no in range(ROUNDS):
        outcomes = race(calls(clinic, hour=9 + 2 * round_no))
        assert outcomes == Counter({"ok": 1, "specialist_busy": THREADS - 1}), outcomes
    assert live(first) == ROUNDS


def test_twenty_clients_for_any_of_two_specialists_give_two_appointments(clinic, slow_requests):
    _cabinets, first, second, *_rest = clinic
    for round_no in range(ROUNDS):
        outcomes = race(calls(clinic, hour=9 + 2 * round_no, any_specialist=True))
        assert outcomes == Counter({"ok": 2, "specialist_busy": THREADS - 2}), outcomes
    assert live(first) == ROUNDS and live(second) == ROUNDS


def test_without_the_lock_the_constraint_alone_still_keeps_one_appointment(clinic, slow_requests, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    for round_no in range(3):
        outcomes = race(calls(clinic, hour=9 + 2 * round_no))
        assert outcomes["ok"] == 1, outcomes
        assert set(outcomes) <= {"ok", "specialist_busy"}, outcomes


@pytest.fixture
def without_the_constraint(clinic):
    migration = importlib.import_module("cabinets.migrations.0008_appointment_service_and_specialist")
    drop, create = migration.DROP, migration.CREATE
    with connection.cursor() as cursor:
        cursor.execute(drop)
    yield
    CabinetBooking.objects.update(status="cancelled")  # the overlaps this control made would block the constraint
    with connection.cursor() as cursor:
        cursor.execute(create)


def test_without_the_lock_and_the_constraint_the_specialist_is_double_booked(
        clinic, slow_requests, monkeypatch, without_the_constraint):
    """The negative control: if this ever stops double-booking, the tests above prove nothing."""
    monkeypatch.setattr(locking, "enabled", False)
    outcomes = race(calls(clinic, hour=10))
    assert outcomes["ok"] > 1, outcomes
    assert live(clinic[1]) > 1
