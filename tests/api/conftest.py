"""The partner API's test cast: a partner key with every scope, a client that sends it, a small catalogue."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories


class ApiClient:
    """Django's test client speaking JSON with a partner key."""

    def __init__(self, key: str | None, **headers: str):
        self.headers = {"X-API-Key": key, **headers} if key else dict(headers)
        self.client = Client()

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path: str, body=None, **headers):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type="application/json", headers={**self.headers, **headers})

    def delete(self, path: str, **headers):
        return self.client.delete(path, headers={**self.headers, **headers})

    def options(self, path: str, **headers):
        return self.client.options(path, headers={**self.headers, **headers})


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit windows live in the cache; every test starts with none used."""
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
def accent(db):
    return factories.ItemFactory(name="Accent", quantity=3, description="Радиочастотный аппарат", sort_order=2)


@pytest.fixture
def infini(db):
    return factories.ItemFactory(name="Infini, УФА (ёмкость)", quantity=1, sort_order=1)


@pytest.fixture
def cabinet(db):
    return factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="1", floor=2),
                               opens=time(9), closes=time(21), lunch=(time(13), time(14)))
