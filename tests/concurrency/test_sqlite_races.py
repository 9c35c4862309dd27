"""On SQLite (the embedded default), IMMEDIATE transactions serialise writers: parallel requests for the last
unit and for one cabinet slot still give exactly one booking and clear refusals, never "database is locked"."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.concurrency.test_races import race
from tests.conftest import NOW

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_databases]
MSK = ZoneInfo("Europe/Moscow")
TUE = date(2026, 11, 24)
THREADS = 8


@pytest.fixture(autouse=True)
def sqlite_only():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the PostgreSQL races are in test_races.py")


def test_parallel_requests_for_the_last_unit_give_one_booking(db):
    staff = factories.StaffUserFactory(username="racer")
    item = factories.ItemFactory(quantity=1)
    calls = [lambda: equipment_booking_create(item=item, start_date=TUE, client_name="Иван Петров",
                                              client_phone="89990000000", actor=Actor.staff(staff),
                                              channel=Channel.ADMIN, now=NOW)] * THREADS
    assert race(calls) == Counter({"ok": 1, "no_capacity": THREADS - 1})


def test_parallel_requests_for_one_cabinet_slot_give_one_booking(db):
    staff = factories.StaffUserFactory(username="racer")
    cabinet = factories.with_week(factories.CabinetFactory())
    start = datetime.combine(TUE, time(10), tzinfo=MSK)
    calls = [lambda: cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=60,
                                            client_name="Ольга Смирнова", client_phone="89990000000",
                                            actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)] * THREADS
    assert race(calls) == Counter({"ok": 1, "slot_taken": THREADS - 1})
