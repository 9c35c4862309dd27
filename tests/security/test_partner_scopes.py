"""Every write of the partner API needs the write:bookings scope. The routes are walked from the URL resolver
(and checked against the OpenAPI document), so a write added later is refused here until it is listed with
a request that would succeed; each request is first refused to a key without the scope, changing nothing,
then made with the scope, changing something."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Partner
from specialists.models import Service
from tests.security.conftest import (
    ALL_SCOPES,
    CLIENT,
    PUBLIC,
    WRITE_METHODS,
    changed_tables,
    partner_routes,
    snapshot,
)

pytestmark = pytest.mark.django_db

WITHOUT_WRITE = ["read:items", "read:availability"]

# Queries sent as POST because their bodies are long: they need read:availability and write nothing
# (test_the_queries_sent_as_post_write_nothing keeps this list honest).
QUERIES_BY_POST = {
    ("api-availability-bulk", "post"): lambda h, c: (
        "/api/v1/availability/bulk", {"items": ["Accent"], "dates": ["2026-12-01"]}),
    ("api-items-availability", "post"): lambda h, c: (
        "/api/items/availability", {"start_date": "2026-12-01", "end_date": "2026-12-02"}),
    ("api-quotes", "post"): lambda h, c: (
        "/api/v1/quotes", {"cabinet_id": c[2].pk, "starts_at": "2026-11-26T17:00:00+03:00", "duration_minutes": 30,
                           "equipment": [{"item_id": c[0].pk, "units": 1}], **CLIENT}),
}

# For every write: a request the partner `h` could make with the scope, given the catalogue `c`.
WRITES = {
    ("api-book-device", "post"): lambda h, c: (
        "/api/book-device", {"device_id": c[0].pk, "date": "2026-12-05", "external_booking_id": "new-dev",
                             **CLIENT}),
    ("api-book-device-cancel", "delete"): lambda h, c: (f"/api/book-device/{h.device_booking}", None),
    ("api-equipment-bookings", "post"): lambda h, c: (
        "/api/v1/equipment-bookings", {"item_id": c[0].pk, "start_date": "2026-12-07", "end_date": "2026-12-07",
                                       "units": 1, "external_booking_id": "new-eq", **CLIENT}),
    ("api-equipment-booking", "delete"): lambda h, c: (f"/api/v1/equipment-bookings/{h.equipment_booking}", None),
    ("api-cabinet-bookings", "post"): lambda h, c: (
        "/api/v1/cabinet-bookings", {"cabinet_id": c[2].pk, "starts_at": "2026-11-26T17:00:00+03:00",
                                     "duration_minutes": 30, "external_booking_id": "new-cab", **CLIENT}),
    ("api-cabinet-booking", "delete"): lambda h, c: (f"/api/v1/cabinet-bookings/{h.cabinet_booking}", None),
    ("api-cabinet-series", "delete"): lambda h, c: (f"/api/v1/cabinet-series/{h.series}", None),
    ("api-waitlist", "post"): lambda h, c: (
        "/api/v1/waitlist", {"item_id": c[1].pk, "start_date": "2026-12-10", "external_booking_id": "new-w",
                             **CLIENT}),
    ("api-wait", "delete"): lambda h, c: (f"/api/v1/waitlist/{h.waiting}", None),
    ("api-wait-accept", "post"): lambda h, c: (f"/api/v1/waitlist/{h.offered}/accept", None),
    ("api-webhooks", "post"): lambda h, c: ("/api/v1/webhooks", {"url": f"{PUBLIC}/new"}),
    ("api-webhook", "delete"): lambda h, c: (f"/api/v1/webhooks/{h.webhook}", None),
    ("api-appointments", "post"): lambda h, c: (
        "/api/v1/appointments", {"service_id": Service.objects.get(name="УЗИ").pk,
                                 "starts_at": "2026-11-26T18:00:00+03:00", "external_booking_id": "new-appt",
                                 **CLIENT}),
    ("api-appointment", "delete"): lambda h, c: (f"/api/v1/appointments/{h.appointment}", None),
}


def write_operations() -> list[tuple[str, str]]:
    return sorted((route.name, method) for route in partner_routes() for method in route.methods
                  if method in WRITE_METHODS and (route.name, method) not in QUERIES_BY_POST)


def send(api, method: str, path: str, body):
    return api.post(path, body) if method == "post" else getattr(api, method)(path)


def set_scopes(partner, scopes) -> None:
    Partner.objects.filter(pk=partner.pk).update(scopes=list(scopes))


def test_the_resolver_and_the_openapi_document_list_the_same_writes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {(path, method) for path, operations in schema["paths"].items() for method in operations
                  if method in WRITE_METHODS}
    served = {(route.openapi_path, method) for route in partner_routes() for method in route.methods
              if method in WRITE_METHODS}
    assert documented == served
    assert len(write_operations()) >= 12


@pytest.mark.parametrize(("name", "method"), write_operations())
def test_a_key_without_write_bookings_is_refused_every_write_and_nothing_changes(crm, catalogue, name, method):
    assert (name, method) in WRITES, f"add a request for {method.upper()} {name} to WRITES"
    path, body = WRITES[name, method](crm, catalogue)
    set_scopes(crm.partner, WITHOUT_WRITE)
    before = snapshot()

    refused = send(crm.api, method, path, body)

    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "missing_scope"
    assert refused.json()["details"] == {"required_scope": "write:bookings"}
    assert changed_tables(before, snapshot()) == []

    # The same request with the scope goes through and changes something: the refusal above was the scope's.
    set_scopes(crm.partner, ALL_SCOPES)
    allowed = send(crm.api, method, path, body)
    assert 200 <= allowed.status_code < 300, allowed.content
    assert changed_tables(before, snapshot()) != []


@pytest.mark.parametrize(("name", "method"), write_operations())
def test_a_key_with_no_scope_but_write_bookings_still_writes(crm, catalogue, name, method):
    """The write scope alone is enough: no write is hidden behind a read scope instead."""
    path, body = WRITES[name, method](crm, catalogue)
    set_scopes(crm.partner, ["write:bookings"])
    response = send(crm.api, method, path, body)
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize(("name", "method"), sorted(QUERIES_BY_POST))
def test_the_queries_sent_as_post_write_nothing(crm, catalogue, name, method):
    assert name in {route.name for route in partner_routes()}
    path, body = QUERIES_BY_POST[name, method](crm, catalogue)
    set_scopes(crm.partner, ["read:availability"])
    before = snapshot()
    response = send(crm.api, method, path, body)
    assert response.status_code == 200, response.content
    assert changed_tables(before, snapshot()) == []
