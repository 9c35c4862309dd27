"""The security regression tests' cast: partners that own one of everything the partner API can touch, the
partner API's routes as the URL resolver knows them, and a snapshot of every table of ours to prove that a
refused request changed nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from cabinets.models import CabinetSeries
from equipment.services import equipment_booking_cancel, equipment_booking_create
from integrations.webhooks.models import PartnerWebhook
from kernel.api import PartnerAPIView
from kernel.channels import Actor, Channel
from kernel.waitlist.models import Wait
from specialists.models import Service, Specialist, WorkingHours
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.integrations.telegram.conftest import (  # noqa: F401  (the bots' cast, for the bot tests here)
    _bot_api_server,
    ann,
    ben,
    bot_api,
    clock,
    user_factory,
)

ALL_SCOPES = ("read:items", "read:availability", "write:bookings")
WRITE_METHODS = ("post", "put", "patch", "delete")
PUBLIC = "https://93.184.216.34/hooks"  # a public address written as one: no DNS needed
OUR_APPS = ("outbox", "waitlist", "pricing", "accounts", "cabinets", "equipment", "integrations", "webhooks",
            "calendar_feeds")
# Bookkeeping that a read may touch: when a key or a link was last used.
VOLATILE_FIELDS = {"last_used_at"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit windows live in the cache; every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


# --- The partner API's routes --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # as written in the URLconf, e.g. "api/v1/waitlist/<int:wait_id>"
    view_class: type
    methods: tuple[str, ...]

    @property
    def openapi_path(self) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.pattern)

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def partner_routes() -> list[Route]:
    """Every URL served by a partner API view, with the HTTP methods its view implements."""
    routes = []
    for pattern, entry in _walk(get_resolver().url_patterns):
        view_class = getattr(entry.callback, "view_class", None)
        if view_class is None or not issubclass(view_class, PartnerAPIView):
            continue
        methods = tuple(m for m in view_class.http_method_names if m not in ("options", "head")
                        and hasattr(view_class, m))
        routes.append(Route(entry.name, pattern, view_class, methods))
    return routes


# --- Snapshots ---------------------------------------------------------------------------------------


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table of ours (less the last-used stamps), to compare before and after."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        rows = list(model.objects.order_by("pk").values())
        tables[model._meta.label] = [{k: v for k, v in row.items() if k not in VOLATILE_FIELDS} for row in rows]
    return tables


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


# --- Partners that own one of everything --------------------------------------------------------------


CLIENT = {"client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"}


@dataclass
class Holdings:
    """What one partner owns, made through the API the way a partner makes it."""

    partner: object
    key: str
    api: ApiClient
    equipment_booking: str  # external ids
    device_booking: str
    cabinet_booking: str
    series: int
    waiting: int  # wait ids
    offered: int
    webhook: int
    appointment: str


@pytest.fixture
def catalogue(db):
    accent = factories.ItemFactory(name="Accent", quantity=10)
    scarce = factories.ItemFactory(name="Infini", quantity=1)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет №1", number="1"),
                                  opens=time(9), closes=time(21), lunch=(time(13), time(14)))
    specialist = Specialist.objects.create(name="Анна Смирнова")
    WorkingHours.objects.create(specialist=specialist, weekday=3, start=time(9), end=time(21))  # Thursdays
    Service.objects.create(name="УЗИ", duration_minutes=60).specialists.add(specialist)
    return accent, scarce, cabinet


def _created(response, *codes):
    assert response.status_code in (codes or (200, 201)), response.content
    return response.json()


def holdings_of(name: str, catalogue, *, tag: str, hour: int, django_capture_on_commit_callbacks) -> Holdings:
    """A partner with a key of every scope and one of each: equipment booking, device booking, cabinet
    booking, cabinet series, a wait in line, an offered wait and a webhook endpoint. `tag` keeps external ids
    apart; `hour` keeps cabinet times apart."""
    accent, scarce, cabinet = catalogue
    partner, key = factories.partner_with_key(name=name, scopes=ALL_SCOPES)
    api = ApiClient(key)
    _created(api.post("/api/v1/equipment-bookings", {
        "item_id": accent.pk, "start_date": "2026-12-01", "end_date": "2026-12-02", "units": 1,
        "external_booking_id": f"{tag}-eq", **CLIENT}))
    _created(api.post("/api/book-device", {"device_id": accent.pk, "date": "2026-12-03",
                                           "external_booking_id": f"{tag}-dev", **CLIENT}))
    _created(api.post("/api/v1/cabinet-bookings", {
        "cabinet_id": cabinet.pk, "starts_at": f"2026-11-24T{hour:02d}:00:00+03:00", "duration_minutes": 60,
        "external_booking_id": f"{tag}-cab", **CLIENT}))
    series = _created(api.post("/api/v1/cabinet-bookings", {
        "cabinet_id": cabinet.pk, "starts_at": f"2026-11-25T{hour:02d}:00:00+03:00", "duration_minutes": 60,
        "external_booking_id": f"{tag}-ser", "repeat": {"every_weeks": 1, "count": 3}, **CLIENT}))
    # The scarce item is full on two days: a wait in line on one, an offer on the other.
    days = [date(2026, 12, 10 + hour % 10), date(2026, 12, 20 + hour % 10)]
    holders = [equipment_booking_create(item=scarce, start_date=day, end_date=day, units=1, client_name="Ольга С",
                                        client_phone="+79990001122", actor=Actor.system(), channel=Channel.ADMIN,
                                        now=NOW) for day in days]
    waiting = _created(api.post("/api/v1/waitlist", {"item_id": scarce.pk, "start_date": days[0].isoformat(),
                                                     "external_booking_id": f"{tag}-w1", **CLIENT}))
    offered = _created(api.post("/api/v1/waitlist", {"item_id": scarce.pk, "start_date": days[1].isoformat(),
                                                     "external_booking_id": f"{tag}-w2", **CLIENT}))
    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_cancel(booking=holders[1], actor=Actor.system(), now=NOW)
    assert Wait.objects.get(pk=offered["id"]).status == Wait.Status.OFFERED
    webhook = _created(api.post("/api/v1/webhooks", {"url": f"{PUBLIC}/{tag}"}))
    _created(api.post("/api/v1/appointments", {
        "service_id": Service.objects.get(name="УЗИ").pk, "starts_at": f"2026-11-26T{hour:02d}:00:00+03:00",
        "external_booking_id": f"{tag}-appt", **CLIENT}))
    assert CabinetSeries.objects.filter(pk=series["id"], partner=partner).exists()
    assert PartnerWebhook.objects.filter(pk=webhook["id"], partner=partner).exists()
    return Holdings(partner=partner, key=key, api=api, equipment_booking=f"{tag}-eq", device_booking=f"{tag}-dev",
                    cabinet_booking=f"{tag}-cab", series=series["id"], waiting=waiting["id"],
                    offered=offered["id"], webhook=webhook["id"], appointment=f"{tag}-appt")


@pytest.fixture
def crm(catalogue, frozen, settings, django_capture_on_commit_callbacks) -> Holdings:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    return holdings_of("ClinicCRM", catalogue, tag="crm", hour=10,
                       django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)


@pytest.fixture
def medis(catalogue, frozen, settings, django_capture_on_commit_callbacks) -> Holdings:
    """A second partner, with the same kinds of holdings."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    return holdings_of("MedIS", catalogue, tag="medis", hour=15,
                       django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
