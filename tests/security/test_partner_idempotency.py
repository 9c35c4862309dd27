"""Idempotency is per partner: the same external_booking_id or Idempotency-Key sent by two partners makes two
bookings (neither partner ever gets the other's answer back), and a partner's repeat with a different body
is refused with 409 and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.security.conftest import ALL_SCOPES, changed_tables, snapshot

pytestmark = pytest.mark.django_db

CLIENTS = {"crm": {"client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"},
           "medis": {"client_name": "Ольга Смирнова", "client_phone": "+7 912 765-43-21"}}


def creates(accent, scarce, cabinet):
    """Every partner create: (path, body of a partner with `who` and `hour`, a change that makes it differ)."""
    return {
        "equipment booking": ("/api/v1/equipment-bookings", lambda who, hour: {
            "item_id": accent.pk, "start_date": "2026-12-01", "end_date": "2026-12-02", "units": 1, **CLIENTS[who]},
            {"units": 2}),
        "device booking": ("/api/book-device", lambda who, hour: {
            "device_id": accent.pk, "date": "2026-12-03", **CLIENTS[who]}, {"date": "2026-12-04"}),
        "cabinet booking": ("/api/v1/cabinet-bookings", lambda who, hour: {
            "cabinet_id": cabinet.pk, "starts_at": f"2026-11-24T{hour}:00:00+03:00", "duration_minutes": 60,
            **CLIENTS[who]}, {"duration_minutes": 30}),
        "cabinet series": ("/api/v1/cabinet-bookings", lambda who, hour: {
            "cabinet_id": cabinet.pk, "starts_at": f"2026-11-25T{hour}:00:00+03:00", "duration_minutes": 60,
            "repeat": {"every_weeks": 1, "count": 2}, **CLIENTS[who]}, {"repeat": {"every_weeks": 2, "count": 2}}),
        "wait": ("/api/v1/waitlist", lambda who, hour: {
            "item_id": scarce.pk, "start_date": "2026-12-10", **CLIENTS[who]}, {"end_date": "2026-12-11"}),
    }


@pytest.fixture
def kinds(db):
    accent = factories.ItemFactory(name="Accent", quantity=10)
    scarce = factories.ItemFactory(name="Infini", quantity=1)
    equipment_booking_create(item=scarce, start_date=date(2026, 12, 10), end_date=date(2026, 12, 11), units=1,
                             client_name="Пётр Иванов", client_phone="+79990000000", actor=Actor.system(),
                             channel=Channel.ADMIN, now=NOW)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="1"))
    return creates(accent, scarce, cabinet)


@pytest.fixture
def two(frozen):
    return {who: ApiClient(factories.partner_with_key(name=who, scopes=ALL_SCOPES)[1]) for who in CLIENTS}


KINDS = ["equipment booking", "device booking", "cabinet booking", "cabinet series", "wait"]


def identity(body: dict):
    return body.get("id", body.get("booking_id"))


@pytest.mark.parametrize("kind", KINDS)
def test_one_external_id_from_two_partners_makes_two_bookings(kinds, two, kind):
    path, body, _change = kinds[kind]
    first = two["crm"].post(path, {**body("crm", 10), "external_booking_id": "shared-1"})
    second = two["medis"].post(path, {**body("medis", 15), "external_booking_id": "shared-1"})

    assert first.status_code in (200, 201) and second.status_code in (200, 201), (first.content, second.content)
    assert not second.has_header("Idempotent-Replayed")
    assert identity(first.json()) != identity(second.json())
    assert "Иван Петров" not in second.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_one_idempotency_key_from_two_partners_makes_two_bookings(kinds, two, kind):
    path, body, _change = kinds[kind]
    key = {"Idempotency-Key": "9b1f3c1e-shared"}
    first = two["crm"].post(path, {**body("crm", 10), "external_booking_id": "crm-1"}, **key)
    second = two["medis"].post(path, {**body("medis", 15), "external_booking_id": "medis-1"}, **key)

    assert first.status_code in (200, 201) and second.status_code in (200, 201), (first.content, second.content)
    assert not second.has_header("Idempotent-Replayed")
    assert identity(first.json()) != identity(second.json())
    assert "Иван Петров" not in second.content.decode()


@pytest.mark.parametrize("kind", ["equipment booking", "device booking", "wait"])
def test_the_very_same_request_from_another_partner_is_not_a_replay(kinds, two, kind):
    """Same body, same external id, same Idempotency-Key: still the other partner's own new booking."""
    path, body, _change = kinds[kind]
    request, key = {**body("crm", 10), "external_booking_id": "same"}, {"Idempotency-Key": "same-key"}
    first = two["crm"].post(path, request, **key)
    second = two["medis"].post(path, request, **key)

    assert first.status_code in (200, 201) and second.status_code in (200, 201), (first.content, second.content)
    assert not second.has_header("Idempotent-Replayed")
    assert identity(first.json()) != identity(second.json())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("by", ["external_booking_id", "Idempotency-Key"])
def test_a_repeat_with_a_different_body_is_refused_and_changes_nothing(kinds, two, kind, by):
    path, body, change = kinds[kind]
    api = two["crm"]
    key = {"Idempotency-Key": "k-1"} if by == "Idempotency-Key" else {}
    original = {**body("crm", 10), "external_booking_id": "crm-1"}
    made = api.post(path, original, **key)
    assert made.status_code in (200, 201), made.content
    repeat = {**original, **change}
    if by == "Idempotency-Key":
        repeat["external_booking_id"] = "crm-2"  # only the key is shared
    before = snapshot()

    refused = api.post(path, repeat, **key)

    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "idempotency_conflict"
    assert changed_tables(before, snapshot()) == []
    replayed = api.post(path, original, **key)
    assert replayed.status_code == made.status_code and replayed["Idempotent-Replayed"] == "true"
    assert identity(replayed.json()) == identity(made.json())
