"""The gRPC service's test cast: a real server on a free local port in this process (its worker threads open
their own connections to the test database, hence transactional_db), a channel to it, a partner key, and a
small catalogue with a full day, a turnaround day, a maintenance day, a reserved item and a booked cabinet."""

from __future__ import annotations

from datetime import date, time

import grpc
import pytest
from django.core.cache import cache

from equipment.maintenance import maintenance_window_save
from equipment.services import equipment_booking_create
from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2_grpc as bronivik_grpc
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2_grpc as clinic_grpc
from integrations.grpc.server import build_server
from kernel.channels import Actor, Channel
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import NOW

CLIENT = {"client_name": "Иван Петров", "client_phone": "+79991234567"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit windows live in the cache; every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def grpc_target(transactional_db, frozen):
    """The address of a running server. The calls set no deadline: the clock is frozen in the past and gRPC
    turns a timeout into an absolute time from it."""
    built = build_server(port=0, host="127.0.0.1", max_workers=4)
    built.server.start()
    yield f"127.0.0.1:{built.port}"
    built.server.stop(None).wait()


@pytest.fixture
def channel(grpc_target):
    with grpc.insecure_channel(grpc_target) as channel:
        yield channel


@pytest.fixture
def bronivik(channel):
    return bronivik_grpc.AvailabilityServiceStub(channel)


@pytest.fixture
def clinic(channel):
    return clinic_grpc.AvailabilityStub(channel)


@pytest.fixture
def partner_key(transactional_db):
    return factories.partner_with_key(name="ClinicCRM")


@pytest.fixture
def key(partner_key):
    return (("x-api-key", partner_key[1]),)


@pytest.fixture
def rest(partner_key, frozen):
    return ApiClient(partner_key[1])


@pytest.fixture
def catalogue(transactional_db, frozen):
    """Лазер (2 units, a day's rest after each booking): full on 12-01, resting on 12-02, one unit in
    maintenance on 12-03. УЗИ is permanently reserved. Кабинет №1 has a 90-minute booking on 11-24 at 10:00 and
    is closed 16:00-17:00 that day."""
    staff = factories.StaffUserFactory(username="manager")
    laser = factories.ItemFactory(name="Лазер", quantity=2, turnaround_days=1, category="Лазеры")
    uzi = factories.ItemFactory(name="УЗИ", quantity=1, permanently_reserved=True)
    equipment_booking_create(item=laser, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1), units=2,
                             actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW, **CLIENT)
    maintenance_window_save(item=laser, units=1, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3),
                            reason="Калибровка", actor=Actor.staff(staff), now=NOW)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="1", floor=2),
                                  opens=time(9), closes=time(21), lunch=(time(13), time(14)))
    factories.closure(cabinet, date(2026, 11, 24), start=time(16), end=time(17))
    _booker, booker_key = factories.partner_with_key(name="Booker")
    booked = ApiClient(booker_key).post("/api/v1/cabinet-bookings", {
        "cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 90,
        "external_booking_id": "crm-1", **CLIENT})
    assert booked.status_code == 201, booked.json()
    cache.clear()
    return {"laser": laser, "uzi": uzi, "cabinet": cabinet}


def as_row(message) -> dict:
    """A message as the REST API's JSON would have it: optional fields that are unset are None, repeated
    fields lists, nested messages dicts."""
    row = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.has_presence and field.message_type is None and not message.HasField(field.name):
            row[field.name] = None
        elif field.is_repeated:
            row[field.name] = [as_row(v) if field.message_type else v for v in value]
        else:
            row[field.name] = as_row(value) if field.message_type else value
    return row


def refusal(call, *args, **kwargs) -> tuple[grpc.StatusCode, str]:
    """Make a call that must fail, and return its status code and message."""
    with pytest.raises(grpc.RpcError) as failed:
        call(*args, **kwargs)
    return failed.value.code(), failed.value.details()
