"""On SQLite (no exclusion constraint), IMMEDIATE transactions serialise writers: parallel requests for one
specialist in different cabinets still give exactly one appointment and clear refusals."""

from __future__ import annotations

from collections import Counter
from datetime import time

import pytest
from django.conf import settings

from kernel.channels import Actor, Channel
from specialists.models import Service
from specialists.services import appointment_create
from tests import factories
from tests.concurrency.test_races import race
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at, specialist

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_databases]
THREADS = 8


@pytest.fixture(autouse=True)
def sqlite_only():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the PostgreSQL races are in test_races.py")


def test_parallel_requests_for_one_specialist_give_one_appointment(db):
    staff = factories.StaffUserFactory(username="racer")
    rooms = [factories.with_week(factories.CabinetFactory(), lunch=None) for _ in range(THREADS)]
    anna = specialist("Анна Смирнова", {1: [(time(9), time(18))]})
    service = Service.objects.create(name="УЗИ", duration_minutes=60)
    service.specialists.set([anna])
    calls = [lambda room=room, n=n: appointment_create(
        service=service, specialist=anna, cabinet=room, starts_at=at(TUE, 10, 30 * (n % 2)),
        client_name="Иван Петров", client_phone="89990000000", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW) for n, room in enumerate(rooms)]
    assert race(calls) == Counter({"ok": 1, "specialist_busy": THREADS - 1})
