"""The ASGI application the web server runs: the whole middleware chain and the view in one trip from the
event loop to a thread (Django's own handler made about a dozen per request, measured at 1.5 ms of CPU per
partner booking), with every middleware still applied."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from asgiref import sync
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache
from django.core.handlers.asgi import ASGIHandler
from django.utils import timezone

from tests.factories import ItemFactory, partner_with_key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def application():
    """The product's ASGI application (importing it marks the process as a web server; undone here)."""
    had = "SERVES_HTTP" in os.environ
    from booking_site.asgi import application

    if not had:
        os.environ.pop("SERVES_HTTP", None)
    return application


def call(app, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode())
                         for k, v in {**(headers or {}), "Content-Length": str(len(body))}.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}

    async def run():
        communicator = ApplicationCommunicator(app, scope)
        await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await communicator.receive_output(10)
        content = b""
        while True:
            message = await communicator.receive_output(10)
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        await communicator.wait(10)
        return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, content

    return async_to_sync(run)()


@pytest.fixture
def trips(monkeypatch):
    """How many times sync code was called from the event loop (each a trip to a thread and back)."""
    counted = []
    real = sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        counted.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counting)
    return counted


def test_a_partner_booking_through_the_asgi_application_passes_every_middleware(application):
    cache.clear()
    item = ItemFactory(name="Аппарат УЗИ", quantity=2)
    _partner, key = partner_with_key(name="ClinicCRM")
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = json.dumps({"item_id": item.pk, "start_date": day, "end_date": day, "units": 1, "client_name": "Иван",
                       "client_phone": "+79990001122", "external_booking_id": "asgi-1"}).encode()

    status, headers, content = call(application, "POST", "/api/v1/equipment-bookings", body, {
        "X-API-Key": key, "Content-Type": "application/json", "X-Request-ID": "asgi-req-1", "Host": "127.0.0.1"})
    refused, refused_headers, refused_body = call(application, "POST", "/api/v1/equipment-bookings", body, {
        "Content-Type": "application/json", "Host": "127.0.0.1"})

    assert status == 201, content
    assert headers["x-request-id"] == "asgi-req-1"  # the request id middleware
    assert headers["access-control-allow-origin"] == "*"  # the API's CORS middleware
    assert headers["x-content-type-options"] == "nosniff"  # the security middleware
    assert refused == 401 and refused_headers["content-type"] == "application/json"
    assert json.loads(refused_body)["error"] == "Authentication credentials were not provided."  # English


def test_a_request_makes_one_trip_for_its_middleware_and_view(application, trips):
    call(application, "GET", "/healthz", headers={"Host": "127.0.0.1"})
    ours = list(trips)
    trips.clear()
    call(ASGIHandler(), "GET", "/healthz", headers={"Host": "127.0.0.1"})  # Django's own, for comparison

    assert ours.count("BaseHandler.get_response") == 1
    assert len(ours) <= 4, ours  # the chain, plus the request started and finished signals and the close
    assert len(trips) > 10, trips  # what Django's own handler makes for the same request
