"""`POST /api/v1/quotes` and the `price` of every booking the API answers with: the body of any create gets the
price that create would get, in the request's language, without booking or using the daily discount quota;
the booking made from the same body then carries the same total."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from equipment.models import EquipmentBooking
from kernel.pricing.models import BookingPrice, DiscountQuotaUse
from kernel.pricing.quota import daily_limit_set
from specialists.models import Service, Specialist, WorkingHours
from tests.api.test_auth_and_errors import assert_error
from tests.kernel.pricing.conftest import make_client, make_rule

pytestmark = pytest.mark.django_db
PERSON = {"client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"}


@pytest.fixture
def priced(accent, cabinet):
    accent.price_per_day = Decimal("500.00")
    accent.save()
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save()
    doctor = Specialist.objects.create(name="Анна Смирнова")
    for weekday in range(7):
        WorkingHours.objects.create(specialist=doctor, weekday=weekday, start=time(9), end=time(18))
    service = Service.objects.create(name="УЗИ", duration_minutes=60, price=Decimal("2500.00"))
    service.specialists.set([doctor])
    return accent, cabinet, service


def equipment_body(accent, **fields):
    return {"item_id": accent.pk, "start_date": "2026-12-01", "end_date": "2026-12-03", "units": 2,
            "external_booking_id": "crm-1", **PERSON, **fields}


def cabinet_body(cabinet, accent, **fields):
    return {"cabinet_id": cabinet.pk, "starts_at": "2026-12-01T10:00:00+03:00", "duration_minutes": 90,
            "equipment": [{"item_id": accent.pk, "units": 1}], "external_booking_id": "crm-2", **PERSON, **fields}


def appointment_body(service, **fields):
    return {"service_id": service.pk, "starts_at": "2026-12-01T10:00:00+03:00", "external_booking_id": "crm-3",
            **PERSON, **fields}


def test_an_equipment_body_is_quoted_in_english_by_default_and_in_russian_when_asked(api, priced):
    accent = priced[0]
    english = api.post("/api/v1/quotes", equipment_body(accent))
    assert english.status_code == 200, english.content
    assert english.json() == {"price": {"currency": "RUB", "total": "3000.00", "lines": [
        {"kind": "base", "label": "Accent · 2 pcs × 3 days × 500\u00a0₽", "amount": "3000.00"}]}}
    russian = api.post("/api/v1/quotes", equipment_body(accent), **{"Accept-Language": "ru"})
    assert russian.json()["price"]["lines"][0]["label"] == "Accent · 2 шт. × 3 дня × 500\u00a0₽"


def test_a_cabinet_body_costs_its_slots_and_its_equipment(api, priced):
    accent, cabinet, _service = priced
    price = api.post("/api/v1/quotes", cabinet_body(cabinet, accent)).json()["price"]
    assert [(line["kind"], line["amount"]) for line in price["lines"]] == [("base", "3000.00"), ("base", "500.00")]
    assert price["total"] == "3500.00"


def test_an_appointment_costs_its_service_alone_with_the_clients_birthday_discount(api, priced):
    service = priced[2]
    rule = make_rule("birthday", "12")
    make_client(phone="+79991234567", birthday=date(1990, 12, 1))
    price = api.post("/api/v1/quotes", appointment_body(service)).json()["price"]
    assert price == {"currency": "RUB", "total": "2200.00", "lines": [
        {"kind": "base", "label": "УЗИ", "amount": "2500.00"},
        {"kind": "discount", "label": "birthday discount −12\u00a0%", "amount": "-300.00", "rule_id": rule.pk}]}


def test_the_bodys_birthday_wins_over_the_stored_one(api, priced):
    make_rule("birthday", "12")
    make_client(phone="+79991234567", birthday=date(1990, 5, 5))
    body = appointment_body(priced[2], client_birthday="1990-12-01")
    assert api.post("/api/v1/quotes", body).json()["price"]["total"] == "2200.00"


def test_a_spent_quota_shows_the_full_price_with_a_note_and_a_quote_never_uses_the_quota(api, priced):
    make_rule("threshold", "10", "1000.00")
    daily_limit_set(1)
    first = api.post("/api/v1/quotes", equipment_body(priced[0])).json()["price"]
    assert first["total"] == "2700.00"
    assert not DiscountQuotaUse.objects.exists() and not EquipmentBooking.objects.exists()
    DiscountQuotaUse.objects.create(day=date(2026, 11, 23), used=1)
    spent = api.post("/api/v1/quotes", equipment_body(priced[0])).json()["price"]
    assert spent["total"] == "3000.00"
    assert spent["lines"][-1] == {"kind": "info", "label": "daily discount limit reached", "amount": "0.00"}


@pytest.mark.parametrize("make_body", ["equipment", "cabinet", "appointment"])
def test_the_booking_made_from_a_quoted_body_carries_the_same_price(api, priced, make_body):
    accent, cabinet, service = priced
    make_rule("threshold", "10", "3000.00")
    body = {"equipment": equipment_body(accent), "cabinet": cabinet_body(cabinet, accent),
            "appointment": appointment_body(service)}[make_body]
    path = {"equipment": "/api/v1/equipment-bookings", "cabinet": "/api/v1/cabinet-bookings",
            "appointment": "/api/v1/appointments"}[make_body]
    quoted = api.post("/api/v1/quotes", body).json()["price"]
    created = api.post(path, body)
    assert created.status_code == 201, created.content
    assert created.json()["price"] == quoted
    read = api.get(f"{path}/{body['external_booking_id']}")
    assert read.json()["price"] == quoted


def test_a_booking_made_before_prices_answers_a_null_price(api, priced):
    api.post("/api/v1/equipment-bookings", equipment_body(priced[0]))
    BookingPrice.objects.all().delete()
    assert api.get("/api/v1/equipment-bookings/crm-1").json()["price"] is None


@pytest.mark.parametrize("body, status, code", [
    (lambda p: equipment_body(p[0], item_id=999_999), 404, "not_found"),
    (lambda p: {"service_id": 999_999, "starts_at": "2026-12-01T10:00:00+03:00"}, 404, "not_found"),
    (lambda p: equipment_body(p[0], start_date="01.12.2026"), 400, "invalid"),
    (lambda p: equipment_body(p[0], end_date="2026-11-30"), 400, "bad_range"),
    (lambda p: equipment_body(p[0], start_date="2026-11-01", end_date="2026-11-02"), 400, "date_in_past"),
    (lambda p: equipment_body(p[0], client_birthday="1 Dec"), 400, "invalid"),
    (lambda p: equipment_body(p[0], client_birthday="1850-01-01"), 400, "invalid"),
    (lambda p: equipment_body(p[0], client_phone="12"), 400, "invalid"),
    (lambda p: cabinet_body(p[1], p[0], repeat={"every_weeks": 1, "count": 2}), 400, "invalid"),
    (lambda p: cabinet_body(p[1], p[0], unknown=1), 400, "invalid"),
    (lambda p: [1, 2], 400, "invalid"),
    (lambda p: {}, 400, "invalid"),
])
def test_bad_input_is_a_clear_error(api, priced, body, status, code):
    assert_error(api.post("/api/v1/quotes", body(priced)), status, code)
