"""Prices in the admin: price fields on items, cabinets and services (a negative one is a form error), discount
rules (a percentage above 100, a negative one or an unknown kind is a form error), the daily quota with today's
use, every booking's price lines on its page, and a manager's override with a reason."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from cabinets.models import CabinetBookingStatusChange
from equipment.models import EquipmentBooking
from kernel.pricing.models import DiscountQuota, DiscountQuotaUse, DiscountRule
from kernel.pricing.services import booking_price
from specialists.models import Service
from tests.admin.test_catalogue_changes import item_data
from tests.admin.test_schedules import schedule_formset
from tests.api.conftest import ApiClient
from tests.clock import NOW, at
from tests.kernel.pricing.conftest import make_rule

RULE_ADD = "admin:pricing_discountrule_add"


def rule_form(**fields):
    return {"kind": "birthday", "percent": "12", "min_total": "", "active_from": "", "active_until": "",
            "is_active": "on", **fields}


def test_a_manager_adds_a_discount_rule(manager_client):
    response = manager_client.post(reverse(RULE_ADD), rule_form(kind="threshold", min_total="1000.00"))
    assert response.status_code == 302
    rule = DiscountRule.objects.get()
    assert (rule.kind, rule.percent, rule.min_total) == ("threshold", Decimal("12"), Decimal("1000.00"))


@pytest.mark.parametrize("fields, field", [
    ({"percent": "120"}, "percent"),
    ({"percent": "-5"}, "percent"),
    ({"kind": "vip"}, "kind"),
    ({"kind": "threshold"}, "min_total"),
    ({"kind": "threshold", "min_total": "-100"}, "min_total"),
    ({"min_total": "500"}, "min_total"),
    ({"active_from": "2026-12-10", "active_until": "2026-12-01"}, "active_until"),
])
def test_a_bad_discount_rule_is_a_form_error_on_its_field(manager_client, fields, field):
    response = manager_client.post(reverse(RULE_ADD), rule_form(**fields))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not DiscountRule.objects.exists()


def test_the_quota_page_shows_todays_use_and_sets_the_limit(manager_client, settings):
    settings.DISCOUNT_DAILY_QUOTA = 5
    DiscountQuotaUse.objects.create(day=NOW.date(), used=2)
    page = manager_client.get(reverse("admin:pricing_discountquota_changelist"), follow=True)
    assert page.status_code == 200
    assert "2 of 5" in page.content.decode() or "2 из 5" in page.content.decode()
    saved = manager_client.post(reverse("admin:pricing_discountquota_change", args=[1]), {"daily_limit": "3"})
    assert saved.status_code == 302 and DiscountQuota.objects.get().daily_limit == 3
    refused = manager_client.post(reverse("admin:pricing_discountquota_change", args=[1]), {"daily_limit": "-1"})
    assert refused.status_code == 200 and DiscountQuota.objects.get().daily_limit == 3


def test_a_negative_item_price_is_a_form_error_and_a_price_is_saved(manager_client, item):
    url = reverse("admin:equipment_item_change", args=[item.pk])
    refused = manager_client.post(url, item_data(item, price_per_day="-1"))
    assert refused.status_code == 200 and "price_per_day" in refused.context["adminform"].form.errors
    assert manager_client.post(url, item_data(item, price_per_day="750.50")).status_code == 302
    item.refresh_from_db()
    assert item.price_per_day == Decimal("750.50")


def test_a_negative_cabinet_price_is_a_form_error_and_a_price_is_saved(manager_client, cabinet):
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])
    refused = manager_client.post(url, schedule_formset(cabinet, price_per_slot="-10"))
    assert refused.status_code == 200 and "price_per_slot" in refused.context["adminform"].form.errors
    assert manager_client.post(url, schedule_formset(cabinet, price_per_slot="1000")).status_code == 302
    cabinet.refresh_from_db()
    assert cabinet.price_per_slot == Decimal("1000.00")


def test_a_negative_service_price_is_a_form_error(manager_client):
    response = manager_client.post(reverse("admin:specialists_service_add"), {
        "name": "УЗИ", "category": "", "duration_minutes": "60", "price": "-2500", "is_active": "on",
        "sort_order": "0", "equipment_lines-TOTAL_FORMS": "0", "equipment_lines-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and "price" in response.context["adminform"].form.errors
    assert not Service.objects.exists()


@pytest.fixture
def priced_booking(cabinet, item, book_cabinet):
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save()
    item.price_per_day = Decimal("500.00")
    item.save()
    make_rule("threshold", "10", "0")
    return book_cabinet(cabinet, at(2, 10), minutes=60, equipment=[(item, 1)])


def test_a_bookings_page_shows_its_price_lines_and_a_way_to_change_it(manager_client, priced_booking):
    page = manager_client.get(reverse("admin:cabinets_cabinetbooking_change", args=[priced_booking.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="booking-price"' in text
    assert "2\u00a0000\u00a0₽" in text and "−250\u00a0₽" in text and "2\u00a0250\u00a0₽" in text
    assert reverse("admin:cabinets_cabinetbooking_price", args=[priced_booking.pk]) in text


def test_an_equipment_bookings_page_shows_its_price_too(manager_client, item, book_item):
    booking = book_item(item, at(2, 0).date())
    page = manager_client.get(reverse("admin:equipment_equipmentbooking_change", args=[booking.pk]))
    assert 'id="booking-price"' in page.content.decode()


def test_a_manager_overrides_the_price_with_a_reason_kept_in_history(manager_client, priced_booking):
    url = reverse("admin:cabinets_cabinetbooking_price", args=[priced_booking.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"total": "2000", "reason": "Скидка постоянному клиенту"})
    assert response.status_code == 302
    price = booking_price(resource_type="cabinet", booking_id=priced_booking.pk)
    assert price.total == Decimal("2000.00") and price.lines[-1].kind == "override"
    history = CabinetBookingStatusChange.objects.filter(booking=priced_booking).latest("pk")
    assert "Скидка постоянному клиенту" in history.reason and history.actor == "admin:maria"


@pytest.mark.parametrize("data, field", [
    ({"total": "-1", "reason": "так"}, "total"),
    ({"total": "100.555", "reason": "так"}, "total"),
    ({"total": "100", "reason": ""}, "reason"),
])
def test_a_bad_override_is_a_form_error(manager_client, priced_booking, data, field):
    response = manager_client.post(reverse("admin:cabinets_cabinetbooking_price", args=[priced_booking.pk]), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert booking_price(resource_type="cabinet", booking_id=priced_booking.pk).total == Decimal("2250.00")


def test_an_admin_phone_booking_costs_what_the_api_quotes(manager_client, item, partner_key):
    item.price_per_day = Decimal("500.00")
    item.save()
    make_rule("threshold", "10", "1000.00")
    body = {"item_id": item.pk, "start_date": at(2, 0).date().isoformat(), "end_date": at(4, 0).date().isoformat(),
            "units": 1}
    quoted = ApiClient(partner_key[1]).post("/api/v1/quotes", body).json()["price"]
    manager_client.post(reverse("admin:equipment_equipmentbooking_add"), {
        "item": item.pk, "start_date": body["start_date"], "end_date": body["end_date"], "units": 1,
        "client_name": "Нина Орлова", "client_phone": "8 916 555-44-33", "comment": ""})
    booking = EquipmentBooking.objects.get()
    stored = booking_price(resource_type="equipment", booking_id=booking.pk)
    assert str(stored.total) == quoted["total"] == "1350.00"
    assert json.dumps([str(line.amount) for line in stored.lines]) == json.dumps(
        [line["amount"] for line in quoted["lines"]])


@pytest.fixture
def partner_key(db):
    from tests import factories

    return factories.partner_with_key(name="ClinicCRM")
