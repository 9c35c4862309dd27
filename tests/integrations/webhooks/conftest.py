"""The partner-webhook cast: a receiver on a free loopback port, the partner ClinicCRM with a key and an
endpoint pointing at the receiver (its secret as the product returned it), and a small catalogue."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.cache import cache

from integrations.webhooks.services import webhook_create
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.integrations.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner_key(db):
    return factories.partner_with_key(name="ClinicCRM")


@pytest.fixture
def crm(partner_key):
    return partner_key[0]


@pytest.fixture
def api(partner_key, frozen):
    return ApiClient(partner_key[1])


@pytest.fixture
def hook(crm, receiver):
    """(endpoint, secret): subscribed to every event type."""
    from integrations.webhooks.events import EVENT_TYPE_NAMES

    return webhook_create(partner=crm, url=receiver.url, event_types=EVENT_TYPE_NAMES, now=NOW)


@pytest.fixture
def accent(db):
    return factories.ItemFactory(name="Accent", quantity=3)


@pytest.fixture
def cabinet(db):
    return factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="1", floor=2),
                               opens=time(9), closes=time(21), lunch=(time(13), time(14)))


def book_accent(api, accent, external_id="crm-1", start="2026-11-25"):
    response = api.post("/api/v1/equipment-bookings", {
        "item_id": accent.pk, "start_date": start, "end_date": start, "units": 1, "client_name": "Иван Петров",
        "client_phone": "+7 999 123-45-67", "external_booking_id": external_id})
    assert response.status_code == 201, response.content
    return response.json()
