"""Fault behaviour of partner webhooks, with a real receiver on a free loopback port: it answers 500 for a
while and comes back (every event arrives once, in order), it hangs (bookings are not slowed), and it is
down for good (each event ends as a dead letter after 24 h, counted in /metrics, and nothing is lost)."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from django.core.cache import cache

from integrations.webhooks.delivery import webhook_deliveries_send_due
from integrations.webhooks.events import EVENT_TYPE_NAMES
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.services import webhook_create
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.integrations.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def partner(db, frozen):
    cache.clear()
    partner, key = factories.partner_with_key(name="ClinicCRM")
    yield partner, ApiClient(key)
    cache.clear()


@pytest.fixture
def secret(partner, receiver):
    _webhook, secret = webhook_create(partner=partner[0], url=receiver.url, event_types=EVENT_TYPE_NAMES, now=NOW)
    return secret


@pytest.fixture
def accent(db):
    return factories.ItemFactory(name="Accent", quantity=5)


def book(api, accent, external_id: str) -> None:
    response = api.post("/api/v1/equipment-bookings", {
        "item_id": accent.pk, "start_date": "2026-11-25", "end_date": "2026-11-25", "units": 1,
        "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": external_id})
    assert response.status_code == 201, response.content


def run_until_settled(*, start=NOW, limit: int = 200):
    """Run the sweep at each next due moment until nothing is pending; returns the moment it stopped."""
    at = start
    for _ in range(limit):
        webhook_deliveries_send_due(now=at)
        upcoming = (WebhookDelivery.objects.filter(status="pending").order_by("next_attempt_at")
                    .values_list("next_attempt_at", flat=True).first())
        if upcoming is None:
            return at
        at = max(at, upcoming)
    raise AssertionError("deliveries still pending")


def test_a_receiver_answering_500_then_back_gets_every_event_once(partner, secret, receiver, accent):
    _crm, api = partner
    receiver.answer(500, 500, 500, 502, 500)
    book(api, accent, "crm-1")
    book(api, accent, "crm-2")
    assert api.delete("/api/v1/equipment-bookings/crm-1").status_code == 200

    run_until_settled()

    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    delivered = {}
    for request in receiver.received:
        assert verify(secret=secret, header=request.headers["x-clinic-signature"], body=request.body)
        delivered.setdefault(request.json["id"], request.json)
    assert [(e["type"], e["data"]["external_booking_id"]) for e in delivered.values()] == [
        ("booking.created", "crm-1"), ("booking.created", "crm-2"), ("booking.cancelled", "crm-1")]
    assert len(receiver.received) == 3 + 5  # five refused attempts, then each event once
    # Later sweeps send nothing again.
    assert webhook_deliveries_send_due(now=NOW + timedelta(days=3)) == {}


def test_a_hanging_receiver_does_not_slow_bookings(partner, secret, receiver, accent):
    _crm, api = partner
    receiver.stop()
    silent = socket.socket()
    silent.bind(("127.0.0.1", receiver.port))
    silent.listen(16)  # accepts connections and never answers
    try:
        started = time.monotonic()
        for n in range(3):
            book(api, accent, f"crm-{n}")
        assert time.monotonic() - started < 3  # the web process never calls the receiver
        outcome = webhook_deliveries_send_due(now=NOW, timeout=0.3)
    finally:
        silent.close()
    assert outcome == {"pending": 3}
    assert all("timeout" in e for e in WebhookDelivery.objects.values_list("last_error", flat=True))
    receiver.start()
    run_until_settled(start=NOW + timedelta(minutes=1))
    assert len(receiver.received) == 3


def test_a_receiver_down_for_good_ends_as_dead_letters_counted_in_metrics(partner, secret, receiver, accent,
                                                                         client):
    _crm, api = partner
    receiver.stop()
    book(api, accent, "crm-1")
    book(api, accent, "crm-2")

    stopped_at = run_until_settled()

    assert stopped_at == NOW + timedelta(hours=24)
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["dead", "dead"]
    assert "webhook_dead_letters 2.0" in client.get("/metrics").content.decode()
    # The bookings themselves stood throughout.
    assert api.get("/api/v1/equipment-bookings/crm-2").json()["status"] == "approved"
