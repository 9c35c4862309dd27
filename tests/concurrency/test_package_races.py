"""A package's last session under real parallel transactions on PostgreSQL: one client's four appointments of
the package's service start at the same instant, each with a different specialist in a different cabinet, so
nothing but the package row's lock stands between them. Exactly one is a session of the package; the others
cost the service's price.

The negative control switches the locks off: the same race then uses the last session more than once, so the
test above can see a race."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Client
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.pricing.services import booking_prices
from payments.models import ClientPackage, PackageProduct
from payments.packages import package_sell, sessions_used
from specialists.models import Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.clock import NOW, TUE, at
from tests.concurrency.test_races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
BOOKINGS = 4
ROUNDS = 3


@pytest.fixture
def slow_bookings(monkeypatch):
    """Each booking pauses between counting the package's sessions and storing its price, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.05)


@pytest.fixture
def clinic(db):
    """An ultrasound four specialists perform, each in a cabinet of their own."""
    service = Service.objects.create(name="УЗИ", duration_minutes=60, price=Decimal("2500.00"))
    pairs = []
    for n in range(BOOKINGS):
        doctor = Specialist.objects.create(name=f"Врач {n}")
        WorkingHours.objects.create(specialist=doctor, weekday=TUE.weekday(), start=at(TUE, 9).time(),
                                    end=at(TUE, 18).time())
        cabinet = factories.with_week(factories.CabinetFactory(name=f"Кабинет {n}"))
        service.specialists.add(doctor)
        service.cabinets.add(cabinet)
        pairs.append((doctor, cabinet))
    product = PackageProduct.objects.create(service=service, sessions=1, price=Decimal("2000.00"), validity_days=30)
    return service, pairs, product


def one_round(round_no: int, clinic) -> tuple[ClientPackage, list]:
    """A client with a one-session package books four appointments at once: the package and the bookings."""
    service, pairs, product = clinic
    client = Client.objects.create(phone=f"+7999000{round_no:04d}", name=f"Клиент {round_no}")
    package = package_sell(product=product, client=client, paid_by="cash", actor=Actor.system(), now=NOW,
                           idempotency_key=f"race-{round_no}")
    booked = []
    calls = [lambda doctor=doctor, cabinet=cabinet: booked.append(appointment_create(
        service=service, starts_at=at(TUE, (9, 11, 15)[round_no]), specialist=doctor, cabinet=cabinet,
        client_name=client.name, client_phone=client.phone, actor=Actor.system(),
        channel=Channel.ADMIN, now=NOW)) for doctor, cabinet in pairs]
    outcomes = race(calls)
    assert outcomes == {"ok": BOOKINGS}, outcomes
    return package, booked


def sessions_taken(booked) -> int:
    prices = booking_prices(resource_type="cabinet", booking_ids=[b.pk for b in booked])
    return sum(1 for price in prices.values() if any(line.kind == "package" for line in price.lines))


def test_four_appointments_at_once_use_a_packages_last_session_once(clinic, slow_bookings):
    for round_no in range(ROUNDS):
        package, booked = one_round(round_no, clinic)
        assert sessions_taken(booked) == 1, f"round {round_no}: the last session was used more than once"
        assert sessions_used([package.pk]) == {package.pk: 1}
        totals = sorted(str(price.total) for price in
                        booking_prices(resource_type="cabinet", booking_ids=[b.pk for b in booked]).values())
        assert totals == ["0.00", "2500.00", "2500.00", "2500.00"]


def test_negative_control_without_the_lock_the_same_race_uses_the_last_session_more_than_once(
        clinic, slow_bookings, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    taken = [sessions_taken(one_round(round_no, clinic)[1]) for round_no in range(ROUNDS)]
    print(f"appointments priced as the one last session, per round, without the lock: {taken}")
    assert max(taken) > 1, f"no double use seen without the lock: {taken}"
