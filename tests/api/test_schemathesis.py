"""Property-based run of the whole API against its own OpenAPI document: no 5xx, and every answer matches
the document (status codes, content type, headers, body schema). Fixed seed, bounded examples."""

from __future__ import annotations

from datetime import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from specialists.models import Service, Specialist, WorkingHours
from tests import factories

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(db):
    """The schema as the real WSGI app serves it. Calls go through that app and the test's database
    transaction, so the app must not close the connection after each request (Django's own test client
    disconnects the same handler)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32 renames the test node through `node._nodeid`, which pytest 9 no longer has; give it
    the attribute so its per-operation reporting works (pytest itself reads the id from elsewhere)."""
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def full_key(db):
    """A key with every scope and a limit no test run reaches, over a small catalogue."""
    _partner, key = factories.partner_with_key(name="Fuzzer", rate_limit=1_000_000)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет №1"), opens=time(9), closes=time(21))
    factories.ItemFactory(name="Accent", quantity=3)
    factories.ItemFactory(name="Infini, УФА", cabinet=cabinet)
    factories.ItemFactory(name="Резерв", permanently_reserved=True)
    doctor = Specialist.objects.create(name="Анна Смирнова")
    for weekday in range(7):
        WorkingHours.objects.create(specialist=doctor, weekday=weekday, start=time(9), end=time(18))
    service = Service.objects.create(name="УЗИ", duration_minutes=60)
    service.specialists.set([doctor])
    return key


@pytest.mark.slow
@schema.parametrize()
@seed(20261123)
@settings(max_examples=25, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case, full_key):
    case.call_and_validate(headers={"X-API-Key": full_key}, checks=CHECKS)


def test_successful_answers_match_the_schema(api_schema, full_key):
    """Random data rarely books anything, so the success answers are checked with real data too."""
    from datetime import timedelta

    from django.utils import timezone

    from cabinets.models import Cabinet
    from equipment.models import Item

    accent, cabinet = Item.objects.get(name="Accent"), Cabinet.objects.get()
    day = timezone.localdate() + timedelta(days=2)
    starts_at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    equipment_booking, cabinet_booking = ({"path_parameters": {"external_booking_id": ext}} for ext in ("e-1", "c-1"))
    person = {"client_name": "Иван Петров", "client_phone": "+79991234567"}
    calls = [
        ("/api/v1/items", "GET", {}),
        ("/api/v1/cabinets", "GET", {}),
        ("/api/v1/availability/{item_name}", "GET", {"path_parameters": {"item_name": "Infini, УФА"},
                                                     "query": {"date": day.isoformat()}}),
        ("/api/v1/availability/bulk", "POST", {"body": {"items": ["Accent"], "dates": [day.isoformat()]}}),
        ("/api/items/availability", "POST", {"body": {"start_date": day.isoformat(), "end_date": day.isoformat()}}),
        ("/api/devices", "GET", {"query": {"include_reserved": "true"}}),
        ("/api/v1/cabinets/{cabinet_id}/slots", "GET", {"path_parameters": {"cabinet_id": cabinet.pk},
                                                        "query": {"date": day.isoformat()}}),
        ("/api/v1/cabinets/availability", "GET", {"query": {"start_date": day.isoformat(),
                                                            "end_date": day.isoformat()}}),
        ("/api/book-device", "POST", {"body": {"device_id": accent.pk, "date": day.isoformat(),
                                               "external_booking_id": "d-1", **person}}),
        ("/api/book-device/{external_booking_id}", "DELETE", {"path_parameters": {"external_booking_id": "d-1"}}),
        ("/api/v1/equipment-bookings", "POST", {"body": {"item_id": accent.pk, "start_date": day.isoformat(),
                                                         "end_date": day.isoformat(), "units": 1,
                                                         "external_booking_id": "e-1", **person}}),
        ("/api/v1/equipment-bookings/{external_booking_id}", "GET", equipment_booking),
        ("/api/v1/equipment-bookings/{external_booking_id}", "DELETE", equipment_booking),
        ("/api/v1/cabinet-bookings", "POST", {"body": {"cabinet_id": cabinet.pk, "starts_at": starts_at.isoformat(),
                                                       "duration_minutes": 60, "external_booking_id": "c-1",
                                                       "equipment": [{"item_id": accent.pk, "units": 1}], **person}}),
        ("/api/v1/cabinet-bookings/{external_booking_id}", "GET", cabinet_booking),
        ("/api/v1/cabinet-bookings/{external_booking_id}", "DELETE", cabinet_booking),
    ]
    for path, method, data in calls:
        case = api_schema[path][method].Case(headers={"X-API-Key": full_key}, **data)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code in (200, 201), (path, method, response.text)
