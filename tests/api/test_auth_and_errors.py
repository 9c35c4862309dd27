"""What every endpoint shares: keys, scopes, the rate limit, the error format, CORS and the request id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from accounts.models import Partner
from accounts.services import partner_revoke
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

# (method, path, body, scope) for every endpoint.
ENDPOINTS = [
    ("get", "/api/v1/items", None, "read:items"),
    ("get", "/api/v1/cabinets", None, "read:items"),
    ("get", "/api/v1/availability/Accent?date=2026-12-01", None, "read:availability"),
    ("post", "/api/v1/availability/bulk", {"items": ["Accent"], "dates": ["2026-12-01"]}, "read:availability"),
    ("post", "/api/items/availability", {"start_date": "2026-12-01", "end_date": "2026-12-01"}, "read:availability"),
    ("get", "/api/devices", None, "read:availability"),
    ("get", "/api/v1/cabinets/1/slots?date=2026-12-01", None, "read:availability"),
    ("get", "/api/v1/cabinets/availability?start_date=2026-12-01&end_date=2026-12-01", None, "read:availability"),
    ("post", "/api/book-device", {}, "write:bookings"),
    ("delete", "/api/book-device/x", None, "write:bookings"),
    ("post", "/api/v1/equipment-bookings", {}, "write:bookings"),
    ("get", "/api/v1/equipment-bookings/x", None, "write:bookings"),
    ("delete", "/api/v1/equipment-bookings/x", None, "write:bookings"),
    ("post", "/api/v1/cabinet-bookings", {}, "write:bookings"),
    ("get", "/api/v1/cabinet-bookings/x", None, "write:bookings"),
    ("delete", "/api/v1/cabinet-bookings/x", None, "write:bookings"),
    ("get", "/api/v1/services", None, "read:items"),
    ("get", "/api/v1/specialists", None, "read:items"),
    ("get", "/api/v1/services/1/availability?date=2026-12-01", None, "read:availability"),
    ("post", "/api/v1/appointments", {}, "write:bookings"),
    ("get", "/api/v1/appointments/x", None, "write:bookings"),
    ("delete", "/api/v1/appointments/x", None, "write:bookings"),
    ("post", "/api/v1/quotes", {}, "read:availability"),
]
ALL_SCOPES = {"read:items", "read:availability", "write:bookings"}


def call(client: ApiClient, method: str, path: str, body):
    return client.post(path, body) if method == "post" else getattr(client, method)(path)


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= {"error", "code", "details"} and body["code"] == code and body["error"]
    return body


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_every_endpoint_needs_a_key(frozen, db, method, path, body, scope):
    response = call(ApiClient(None), method, path, body)
    assert_error(response, 401, "not_authenticated")
    assert "X-API-Key" in response["WWW-Authenticate"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_every_endpoint_refuses_a_key_without_its_scope(frozen, db, method, path, body, scope):
    _partner, key = factories.partner_with_key(name="Narrow", scopes=sorted(ALL_SCOPES - {scope}))
    body = assert_error(call(ApiClient(key), method, path, body), 403, "missing_scope")
    assert body["details"] == {"required_scope": scope}


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_every_endpoint_lets_a_key_with_its_scope_through(frozen, db, method, path, body, scope):
    _partner, key = factories.partner_with_key(name="Exact", scopes=[scope])
    assert call(ApiClient(key), method, path, body).status_code not in (401, 403)


def test_an_unknown_or_revoked_key_is_401(frozen, partner_key):
    partner, key = partner_key
    assert_error(ApiClient(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/v1/items"), 401, "invalid_api_key")
    assert_error(ApiClient("short").get("/api/v1/items"), 401, "invalid_api_key")
    partner_revoke(partner=partner, now=frozen)
    assert_error(ApiClient(key).get("/api/v1/items"), 401, "invalid_api_key")


def test_a_partner_with_an_extra_secret_must_send_it(frozen, db):
    _partner, key = factories.partner_with_key(name="Old CRM", extra="s3cret")
    assert_error(ApiClient(key).get("/api/v1/items"), 401, "invalid_api_key")
    assert_error(ApiClient(key, **{"X-API-Extra": "wrong"}).get("/api/v1/items"), 401, "invalid_api_key")
    assert ApiClient(key, **{"X-API-Extra": "s3cret"}).get("/api/v1/items").status_code == 200


def test_a_key_in_the_query_string_is_refused(frozen, partner_key):
    _partner, key = partner_key
    assert_error(ApiClient(None).get("/api/v1/items", {"api_key": key}), 400, "api_key_in_query")
    assert_error(ApiClient(key).get("/api/v1/items", {"X-API-Key": key}), 400, "api_key_in_query")


def test_use_is_recorded_at_most_once_a_minute(api, crm, frozen, time_machine, django_assert_num_queries):
    api.get("/api/v1/items")
    crm.refresh_from_db()
    assert crm.last_used_at == frozen
    with django_assert_num_queries(2):  # the key, the items: no write
        api.get("/api/v1/items")
    time_machine.move_to(frozen + timedelta(minutes=2), tick=False)
    api.get("/api/v1/items")
    crm.refresh_from_db()
    assert crm.last_used_at == frozen + timedelta(minutes=2)


def test_errors_of_drf_itself_have_the_common_shape(api):
    assert_error(api.post("/api/v1/items", {}), 405, "method_not_allowed")
    assert_error(api.post("/api/v1/availability/bulk", "{not json"), 400, "parse_error")
    assert_error(api.post("/api/v1/availability/bulk", "[[[[" * 5000), 400, "parse_error")
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api.get("/api/v2/items"), 404, "not_found")


def test_unknown_fields_are_refused_by_name(api):
    body = assert_error(api.post("/api/v1/availability/bulk", {"items": ["A"], "dates": ["2026-12-01"], "iterms": 1}),
                        400, "invalid")
    assert body["details"]["fields"] == {"iterms": ["Unknown field."]} or "iterms" in body["details"]["fields"]


def test_a_body_over_the_limit_is_413(api):
    big = {"items": ["x" * 150] * 500, "dates": ["2026-12-01"]}
    assert_error(api.post("/api/v1/availability/bulk", big), 413, "body_too_large")


def test_cors_preflight_is_answered_without_a_key(db):
    response = ApiClient(None).options("/api/book-device", Origin="https://crm.example",
                                       **{"Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "X-API-Key, Idempotency-Key"})
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST", "DELETE"} <= {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-api-key", "x-api-extra", "idempotency-key", "x-request-id"} <= allowed


def test_cors_headers_are_on_answers_and_errors(api):
    assert api.get("/api/v1/items")["Access-Control-Allow-Origin"] == "*"
    assert ApiClient(None).get("/api/v1/items")["Access-Control-Allow-Origin"] == "*"


def test_the_request_id_is_echoed_or_generated(api):
    assert api.get("/api/v1/items", **{"X-Request-ID": "crm-req-42"})["X-Request-ID"] == "crm-req-42"
    generated = ApiClient(None).get("/api/v1/items")["X-Request-ID"]
    assert len(generated) >= 16


def test_a_burst_over_the_limit_gets_429_with_retry_after(frozen, db):
    _partner, key = factories.partner_with_key(name="Busy", rate_limit=5)
    client = ApiClient(key)
    assert [client.get("/api/v1/items").status_code for _ in range(5)] == [200] * 5
    response = client.get("/api/v1/items")
    body = assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 120
    assert body["details"]["retry_after"] == int(response["Retry-After"])


def test_the_limit_is_per_partner_and_the_window_slides(frozen, db, time_machine):
    _busy, busy_key = factories.partner_with_key(name="Busy", rate_limit=2)
    _calm, calm_key = factories.partner_with_key(name="Calm", rate_limit=2)
    busy, calm = ApiClient(busy_key), ApiClient(calm_key)
    assert [busy.get("/api/v1/items").status_code for _ in range(3)] == [200, 200, 429]
    assert calm.get("/api/v1/items").status_code == 200
    wait = int(busy.get("/api/v1/items")["Retry-After"])
    time_machine.move_to(frozen + timedelta(seconds=wait), tick=False)
    assert busy.get("/api/v1/items").status_code == 200
    time_machine.move_to(frozen + timedelta(minutes=3), tick=False)
    assert [busy.get("/api/v1/items").status_code for _ in range(3)] == [200, 200, 429]


DEAD_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}


def test_the_limit_fails_open_when_the_cache_is_down(frozen, db, caplog):
    from kernel.api import CacheDown

    _partner, key = factories.partner_with_key(name="Busy", rate_limit=1)
    client = ApiClient(key)
    try:
        with override_settings(CACHES=DEAD_CACHE):
            assert [client.get("/api/v1/items").status_code for _ in range(3)] == [200, 200, 200]
    finally:
        CacheDown.until = 0.0
    assert "rate limit skipped" in caplog.text
    assert Partner.objects.get(name="Busy").last_used_at is not None


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/v1/availability/bad%00name?date=2026-12-01", None),
    ("get", "/api/v1/availability/%F0%9F%92%A9?date=2026-12-01", None),
    ("get", "/api/v1/cabinets/99999999999999999999999/slots?date=2026-12-01", None),
    ("get", "/api/v1/equipment-bookings/a%00b", None),
    ("delete", "/api/book-device/a%00b", None),
    ("delete", "/api/v1/cabinet-bookings/" + "x" * 300, None),
    ("post", "/api/book-device", {"device_id": 10**30, "date": "2026-12-01", "external_booking_id": "a",
                                  "client_name": "Иван", "client_phone": "+79991234567"}),
    ("post", "/api/book-device", {"device_name": "a\x00b", "date": "2026-12-01", "external_booking_id": "a",
                                  "client_name": "Иван", "client_phone": "+79991234567"}),
    ("post", "/api/v1/equipment-bookings", {"item_id": 1, "start_date": "9999-12-31", "end_date": "9999-12-31",
                                            "units": 1, "client_name": "Иван", "client_phone": "+79991234567",
                                            "external_booking_id": "a\x00"}),
    ("post", "/api/v1/cabinet-bookings", {"cabinet_id": 1, "starts_at": "0001-01-01T00:00:00+14:00",
                                          "duration_minutes": 30, "client_name": "Иван",
                                          "client_phone": "+79991234567", "external_booking_id": "a"}),
    ("post", "/api/v1/availability/bulk", {"items": ["Accent"], "dates": ["9999-12-31"]}),
    ("post", "/api/v1/availability/bulk", ["not", "an", "object"]),
])
def test_hostile_input_gets_a_clear_4xx_never_a_500(api, accent, cabinet, method, path, body):
    response = call(api, method, path, body)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) >= {"error", "code", "details"}
