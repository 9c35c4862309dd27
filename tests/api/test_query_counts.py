"""Bulk and grid answers come from the calculators in a constant number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import MSK

pytestmark = pytest.mark.django_db


def test_bulk_availability_for_50_items_and_90_days_takes_at_most_5_queries(api, staff, now,
                                                                             django_assert_max_num_queries):
    items = [factories.ItemFactory(quantity=2) for _ in range(50)]
    for index, item in enumerate(items[:20]):
        equipment_booking_create(item=item, start_date=date(2026, 12, 1) + timedelta(days=index),
                                 end_date=date(2026, 12, 5) + timedelta(days=index), client_name="Клиент Один",
                                 client_phone="+79990000000", actor=Actor.staff(staff), channel=Channel.ADMIN,
                                 now=now)
    api.get("/api/v1/items")  # the partner's last-used stamp is written at most once a minute
    with django_assert_max_num_queries(5):
        response = api.post("/api/v1/availability/bulk", {"items": [i.name for i in items],
                                                          "start_date": "2026-12-01", "end_date": "2027-02-28"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50 * 90
    assert sum(not r["available"] for r in response.json()["results"]) == 0
    assert max(r["booked_count"] for r in response.json()["results"]) == 1


def test_items_availability_and_devices_take_a_constant_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(50):
        factories.ItemFactory()
    api.get("/api/v1/items")
    with django_assert_max_num_queries(5):
        assert api.post("/api/items/availability", {"start_date": "2026-12-01",
                                                    "end_date": "2027-02-28"}).status_code == 200
    with django_assert_max_num_queries(5):
        assert len(api.get("/api/devices").json()["devices"]) == 50


def test_the_cabinets_grid_for_50_cabinets_and_30_days_takes_at_most_5_queries(api, alice, now,
                                                                               django_assert_max_num_queries):
    cabinets = [factories.with_week(factories.CabinetFactory()) for _ in range(50)]
    factories.holiday(date(2026, 12, 4))
    factories.closure(cabinets[0], date(2026, 12, 2))
    cabinet_booking_create(cabinet=cabinets[1], starts_at=datetime(2026, 11, 24, 10, tzinfo=MSK), duration_minutes=60,
                           client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=now)
    api.get("/api/v1/items")
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/cabinets/availability", {"start_date": "2026-11-24", "end_date": "2026-12-23"})
    assert response.status_code == 200
    rows = response.json()["cabinets"]
    assert len(rows) == 50 and all(len(row["days"]) == 30 for row in rows)
    assert rows[1]["days"][0]["free"][:2] == ["09:00", "09:30"] and "10:00" not in rows[1]["days"][0]["free"]
    assert rows[0]["days"][8]["free"] == [] and rows[5]["days"][10]["free"] == []


BOOKING = {"start_date": "2026-12-01", "end_date": "2026-12-01", "units": 1, "client_name": "Иван Петров",
           "client_phone": "+79991234567"}


def statements_of(call) -> list[str]:
    """Every SQL statement `call()` sends, savepoints and the after-commit outbox dispatch included."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    from django.db import connection

    with connection.execute_wrapper(record):
        call()
    return sent


def partner_booking_statements(api, on_commit, *, item_id: int, external_booking_id: str
                               ) -> tuple[list[str], list[str]]:
    """The statements and the savepoints of one partner booking of Accent, its after-commit work included."""

    def book():
        with on_commit(execute=True):
            response = api.post("/api/v1/equipment-bookings", {**BOOKING, "item_id": item_id,
                                                               "external_booking_id": external_booking_id})
        assert response.status_code == 201, response.content

    sent = statements_of(book)
    savepoints = [sql for sql in sent if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert not any("lock_timeout = " in sql for sql in sent)  # no separate SET LOCAL
    return [sql for sql in sent if sql not in savepoints], savepoints


def test_a_partner_booking_for_a_returning_client_takes_14_statements_and_one_savepoint(
        api, accent, django_capture_on_commit_callbacks):
    """The key, the item, the partner's lock, the earlier booking by external id, the item's lock (its lock
    timeout set in the same statement), one availability read, the client by phone (known, nothing new: the
    booking is inserted pointing at it and the client is not written), four inserts (booking, its price,
    history, event; an item without a price has no price lines, and no discount rule is read for it; the answer
    shows the price just stored, not read back), then the outbox dispatch: the partners' webhooks (none, so the event is
    not read), the e-mail consumer's one read (whether the booking's client has an address) and the event
    marked processed. A booking event is no reminder's business, so the reminders consumers are not called.
    The booking's own savepoint is the only other pair; in a test the request's transaction is one more pair
    (in production it is BEGIN and COMMIT), so a partner booking is 16 statements in all."""
    api.get("/api/v1/items")  # the partner's last-used stamp is written at most once a minute
    partner_booking_statements(api, django_capture_on_commit_callbacks, item_id=accent.pk, external_booking_id="crm-0")
    statements, savepoints = partner_booking_statements(api, django_capture_on_commit_callbacks, item_id=accent.pk,
                                                        external_booking_id="crm-1")
    assert len(statements) == 14, "\n".join(statements)
    assert len(savepoints) == 4, "\n".join(savepoints)
    assert not any(sql.startswith(("INSERT INTO \"accounts_client\"", "UPDATE \"accounts_client\""))
                   for sql in statements)


def test_a_partner_booking_for_a_new_client_takes_one_statement_more_to_create_it(
        api, accent, django_capture_on_commit_callbacks):
    """The same, with the client's insert (which updates a client created meanwhile instead) after the read
    that did not find it, just before the booking's own insert: 15 statements. The booking row is never
    updated afterwards."""
    api.get("/api/v1/items")
    statements, savepoints = partner_booking_statements(api, django_capture_on_commit_callbacks, item_id=accent.pk,
                                                        external_booking_id="crm-1")
    assert len(statements) == 15, "\n".join(statements)
    assert len(savepoints) == 4, "\n".join(savepoints)
    client_insert, booking_insert = statements[7:9]
    assert client_insert.startswith("INSERT INTO \"accounts_client\"") and "ON CONFLICT" in client_insert
    assert booking_insert.startswith("INSERT INTO \"equipment_equipmentbooking\"")
    assert not any(sql.startswith("UPDATE \"equipment_equipmentbooking\"") for sql in statements)


def test_a_replayed_partner_booking_takes_5_statements_and_writes_nothing(api, accent,
                                                                         django_capture_on_commit_callbacks):
    """The key, the item, the partner's lock and the earlier booking, which is answered with the item just
    read (not read again for its name) and its stored price."""
    api.get("/api/v1/items")
    body = {**BOOKING, "item_id": accent.pk, "external_booking_id": "crm-2"}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/v1/equipment-bookings", body).status_code == 201
    responses = []
    sent = statements_of(lambda: responses.append(api.post("/api/v1/equipment-bookings", body)))
    assert responses[0].status_code == 201 and responses[0]["Idempotent-Replayed"] == "true"
    assert responses[0].json()["item_name"] == "Accent"
    statements = [sql for sql in sent if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 5, "\n".join(statements)
