"""The old system's equipment endpoints and the new equipment bookings, as a partner sees them."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories

pytestmark = pytest.mark.django_db

BOOKING = {"device_id": None, "date": "2026-12-01", "external_booking_id": "crm-1", "client_name": "Иван Петров",
           "client_phone": "8 (999) 123-45-67"}


def book_device(api, item, **changes):
    return api.post("/api/book-device", {**BOOKING, "device_id": item.pk, **changes})


def test_items_lists_every_item_with_the_old_fields(api, accent, infini, cabinet):
    factories.ItemFactory(name="Старый", is_active=False, sort_order=5)
    factories.ItemFactory(name="Резерв", permanently_reserved=True, cabinet=cabinet, sort_order=6)
    response = api.get("/api/v1/items")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["name"] for i in items] == ["Infini, УФА (ёмкость)", "Accent", "Старый", "Резерв"]
    assert items[1] == {"id": accent.pk, "name": "Accent", "description": "Радиочастотный аппарат",
                        "category": "", "total_quantity": 3, "sort_order": 2, "is_active": True,
                        "permanent_reserved": False, "created_at": "2026-11-23T10:00:00+03:00",
                        "updated_at": "2026-11-23T10:00:00+03:00"}
    assert "cabinet_id" not in items[0]
    assert items[3]["cabinet_id"] == cabinet.pk and items[3]["permanent_reserved"] is True
    assert items[2]["is_active"] is False


def test_availability_of_an_item_whose_name_has_punctuation_and_yo(api, infini):
    response = api.get(f"/api/v1/availability/{quote(infini.name)}", {"date": "2026-12-01"})
    assert response.status_code == 200
    assert response.json() == {"available": True, "booked_count": 0, "total": 1, "blocked_count": 0, "reason": None}


def test_availability_counts_the_peak_of_units_in_use(api, accent, alice, now):
    for _ in range(2):
        equipment_booking_create(item=accent, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2),
                                 client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                                 channel=Channel.BOT, now=now)
    body = api.get("/api/v1/availability/Accent", {"date": "2026-12-02"}).json()
    assert body == {"available": True, "booked_count": 2, "total": 3, "blocked_count": 0, "reason": None}


@pytest.mark.parametrize("value", ["2026-02-30", "2026-1-05", "01.12.2026", "20261201", "", "2026-12-01T10:00"])
def test_availability_refuses_dates_that_are_not_strict_iso(api, accent, value):
    response = api.get("/api/v1/availability/Accent", {"date": value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "date" in response.json()["details"]["fields"]


def test_availability_needs_a_date(api, accent):
    response = api.get("/api/v1/availability/Accent")
    assert response.status_code == 400 and "date" in response.json()["error"]


def test_availability_of_an_unknown_item_is_404(api):
    response = api.get("/api/v1/availability/Nope", {"date": "2026-12-01"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_reserved_item_is_never_available_to_partners(api):
    factories.ItemFactory(name="Резерв", quantity=2, permanently_reserved=True)
    assert api.get("/api/v1/availability/Резерв", {"date": "2026-12-01"}).json() == {
        "available": False, "booked_count": 0, "total": 2, "blocked_count": 0, "reason": "reserved"}


def test_bulk_availability_by_dates_is_item_major_and_lists_unknown_names(api, accent, infini):
    response = api.post("/api/v1/availability/bulk", {"items": [infini.name, "Nope", "Accent"],
                                                      "dates": ["2026-12-02", "2026-12-01"]})
    assert response.status_code == 200
    body = response.json()
    assert [(r["item_name"], r["date"]) for r in body["results"]] == [
        (infini.name, "2026-12-02"), (infini.name, "2026-12-01"), ("Accent", "2026-12-02"), ("Accent", "2026-12-01")]
    assert body["results"][0] == {"item_name": infini.name, "date": "2026-12-02", "available": True,
                                  "booked_count": 0, "total": 1, "blocked_count": 0, "reason": None}
    assert body["unknown_items"] == ["Nope"]


def test_bulk_availability_by_range(api, accent):
    body = api.post("/api/v1/availability/bulk", {"items": ["Accent"], "start_date": "2026-12-01",
                                                  "end_date": "2026-12-03"}).json()
    assert [r["date"] for r in body["results"]] == ["2026-12-01", "2026-12-02", "2026-12-03"]


@pytest.mark.parametrize("body", [
    {"items": [], "dates": ["2026-12-01"]},
    {"items": ["Accent"]},
    {"items": ["Accent"], "dates": ["2026-12-01"], "start_date": "2026-12-01", "end_date": "2026-12-01"},
    {"items": ["Accent"], "start_date": "2026-12-01"},
    {"items": ["Accent"], "start_date": "2026-12-05", "end_date": "2026-12-01"},
    {"items": ["Accent"], "start_date": "2026-12-01", "end_date": "2027-03-01"},
    {"items": ["Accent"], "dates": ["2026-02-30"]},
    {"items": [f"x{i}" for i in range(101)], "dates": ["2026-12-01"]},
    {"items": ["Accent"], "dates": [f"2027-01-{d:02d}" for d in range(1, 32)] * 3},
    {"items": ["Accent"], "dates": ["2026-12-01"], "extra": 1},
    {"items": "Accent", "dates": ["2026-12-01"]},
])
def test_bulk_availability_refuses_bad_or_oversized_requests(api, accent, body):
    response = api.post("/api/v1/availability/bulk", body)
    assert response.status_code == 400, response.json()
    assert set(response.json()) == {"error", "code", "details"}


def test_items_availability_gives_reasons(api, accent, infini, alice, now, cabinet):
    factories.ItemFactory(name="Резерв", permanently_reserved=True)
    factories.ItemFactory(name="Старый", is_active=False)
    factories.ItemFactory(name="Лампа", cabinet=cabinet)
    equipment_booking_create(item=infini, start_date=date(2026, 12, 2), client_name="Алиса Б",
                             client_phone="+79990000000", actor=Actor.telegram(alice), channel=Channel.BOT, now=now)
    response = api.post("/api/items/availability", {"start_date": "2026-12-01", "end_date": "2026-12-02"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-12-01", "end": "2026-12-02"}
    by_name = {row["name"]: row for row in body["items"]}
    assert "Старый" not in by_name
    assert by_name[infini.name]["availability"] == [
        {"date": "2026-12-01", "available": True}, {"date": "2026-12-02", "available": False, "reason": "booked"}]
    assert by_name["Резерв"]["availability"][0] == {"date": "2026-12-01", "available": False, "reason": "reserved"}
    assert by_name["Лампа"]["cabinet_id"] == cabinet.pk
    assert by_name["Лампа"]["availability"][0]["reason"] == "installed_in_cabinet"


def test_items_availability_filters_by_ids_and_cabinet(api, accent, infini, cabinet):
    installed = factories.ItemFactory(name="Лампа", cabinet=cabinet)
    ids = api.post("/api/items/availability", {"start_date": "2026-12-01", "end_date": "2026-12-01",
                                               "item_ids": [accent.pk]}).json()
    assert [row["id"] for row in ids["items"]] == [accent.pk]
    by_cabinet = api.post("/api/items/availability", {"start_date": "2026-12-01", "end_date": "2026-12-01",
                                                      "cabinet_id": cabinet.pk}).json()
    assert [row["id"] for row in by_cabinet["items"]] == [installed.pk]


@pytest.mark.parametrize("body", [
    {"start_date": "2026-12-01"},
    {"start_date": "2026-12-01", "end_date": "2026-03-01"},
    {"start_date": "2026-12-01", "end_date": "2027-03-02"},
    {"start_date": "2026-12-01", "end_date": "2026-12-01", "colour": "red"},
])
def test_items_availability_refuses_bad_ranges(api, body):
    assert api.post("/api/items/availability", body).status_code == 400


def test_devices_lists_active_items_in_a_stable_order(api, accent, infini):
    factories.ItemFactory(name="Старый", is_active=False)
    reserved = factories.ItemFactory(name="Резерв", permanently_reserved=True, sort_order=99)
    body = api.get("/api/devices", {"date": "2026-12-01"}).json()
    assert [d["name"] for d in body["devices"]] == [infini.name, "Accent"]
    assert body["devices"][1] == {"id": accent.pk, "name": "Accent", "description": "Радиочастотный аппарат",
                                  "available": True, "permanent_reserved": False}
    with_reserved = api.get("/api/devices", {"date": "2026-12-01", "include_reserved": "true"}).json()
    assert with_reserved["devices"][-1] == {"id": reserved.pk, "name": "Резерв", "available": False,
                                            "permanent_reserved": True}


def test_devices_defaults_to_today_and_refuses_a_bad_date(api, infini, alice, now):
    equipment_booking_create(item=infini, start_date=date(2026, 11, 23), client_name="Алиса Б",
                             client_phone="+79990000000", actor=Actor.telegram(alice), channel=Channel.BOT, now=now)
    assert api.get("/api/devices").json()["devices"][0]["available"] is False
    assert api.get("/api/devices", {"date": "2026-02-30"}).status_code == 400


def test_book_device_books_one_approved_unit(api, crm, infini):
    response = book_device(api, infini)
    assert response.status_code == 200
    booking = EquipmentBooking.objects.get()
    assert response.json() == {"success": True, "booking_id": booking.pk}
    assert (booking.status, booking.channel, booking.partner, booking.units) == ("approved", "api", crm, 1)
    assert booking.client_phone == "+79991234567"
    assert (booking.start_date, booking.end_date) == (date(2026, 12, 1), date(2026, 12, 1))


def test_book_device_by_name_ignores_old_time_fields(api, infini):
    response = api.post("/api/book-device", {**BOOKING, "device_id": 0, "device_name": infini.name,
                                             "start_time": "10:00", "end_time": "12:00"})
    assert response.status_code == 200 and response.json()["success"] is True


def test_a_full_device_is_409_never_500(api, infini):
    assert book_device(api, infini).status_code == 200
    response = book_device(api, infini, external_booking_id="crm-2")
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False and body["code"] == "no_capacity"
    assert body["details"]["full_days"] == ["2026-12-01"]
    assert EquipmentBooking.objects.count() == 1


def test_book_device_replay_returns_the_same_booking(api, infini):
    first = book_device(api, infini).json()
    again = book_device(api, infini)
    assert again.status_code == 200 and again.json() == first
    assert again["Idempotent-Replayed"] == "true"
    assert EquipmentBooking.objects.count() == 1


def test_book_device_with_the_same_id_and_other_data_is_409(api, infini):
    book_device(api, infini)
    response = book_device(api, infini, date="2026-12-02")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"


@pytest.mark.parametrize(("changes", "code", "status"), [
    ({"date": "2026-11-20"}, "date_in_past", 400),
    ({"date": "2028-01-01"}, "too_far_ahead", 400),
    ({"date": "2026-02-30"}, "invalid", 400),
    ({"external_booking_id": ""}, "invalid", 400),
    ({"client_name": ""}, "invalid", 400),
    ({"client_phone": "12"}, "invalid", 400),
    ({"notes": "x"}, "invalid", 400),
    ({"device_id": 0}, "invalid", 400),
    ({"device_id": 999999}, "not_found", 404),
])
def test_book_device_refuses_bad_requests_clearly(api, infini, changes, code, status):
    response = book_device(api, infini, **changes)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code and response.json()["success"] is False
    assert not EquipmentBooking.objects.exists()


def test_book_device_refuses_inactive_and_reserved_items(api):
    inactive = factories.ItemFactory(is_active=False)
    reserved = factories.ItemFactory(permanently_reserved=True)
    assert book_device(api, inactive).json()["code"] == "inactive"
    assert book_device(api, reserved, external_booking_id="crm-9").json()["code"] == "reserved"
    assert book_device(api, reserved, external_booking_id="crm-9").status_code == 409


def test_cancel_device_booking_frees_the_unit_and_a_second_cancel_is_404(api, infini):
    book_device(api, infini)
    response = api.delete("/api/book-device/crm-1")
    assert response.status_code == 200 and response.json() == {"success": True}
    assert EquipmentBooking.objects.get().status == "cancelled"
    assert api.get(f"/api/v1/availability/{quote(infini.name)}", {"date": "2026-12-01"}).json()["available"]
    again = api.delete("/api/book-device/crm-1")
    assert again.status_code == 404 and again.json()["success"] is False
    assert api.delete("/api/book-device/unknown").status_code == 404


def test_a_partner_cannot_cancel_another_partners_booking(api, infini):
    book_device(api, infini)
    _other, other_key = factories.partner_with_key(name="Other")
    from tests.api.conftest import ApiClient

    assert ApiClient(other_key).delete("/api/book-device/crm-1").status_code == 404
    assert EquipmentBooking.objects.get().status == "approved"


# --- New equipment bookings --------------------------------------------------------------------------

NEW = {"start_date": "2026-12-01", "end_date": "2026-12-03", "units": 2, "client_name": "Иван Петров",
       "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-100", "comment": "До обеда"}


def test_create_read_and_cancel_an_equipment_booking(api, accent):
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    assert response.status_code == 201
    body = response.json()
    booking = EquipmentBooking.objects.get()
    assert body == {"id": booking.pk, "reference": f"E-{booking.pk}", "external_booking_id": "crm-100",
                    "item_id": accent.pk, "item_name": "Accent",
                    "start_date": "2026-12-01", "end_date": "2026-12-03", "units": 2, "status": "approved",
                    "payment_status": "not_required", "client_name": "Иван Петров", "client_phone": "+79991234567",
                    "comment": "До обеда",
                    "price": {"currency": "RUB", "total": "0.00", "lines": []},  # Accent has no price
                    "created_at": "2026-11-23T10:00:00+03:00"}
    assert "Idempotent-Replayed" not in response
    assert api.get("/api/v1/equipment-bookings/crm-100").json() == body
    cancelled = api.delete("/api/v1/equipment-bookings/crm-100")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.get("/api/v1/equipment-bookings/nope").status_code == 404


def test_a_repeated_cancel_answers_the_booking_as_it_is(api, accent):
    api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    cancelled = api.delete("/api/v1/equipment-bookings/crm-100")
    again = api.delete("/api/v1/equipment-bookings/crm-100")
    assert again.status_code == 200 and again.json() == cancelled.json()
    assert again.json()["status"] == "cancelled"
    assert EquipmentBooking.objects.get().history.filter(to_status="cancelled").count() == 1


@pytest.mark.parametrize("final", ["rejected", "completed"])
def test_cancelling_a_rejected_or_completed_booking_is_still_409(api, accent, final):
    api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    EquipmentBooking.objects.update(status=final)
    response = api.delete("/api/v1/equipment-bookings/crm-100")
    assert response.status_code == 409 and response.json()["code"] == "bad_transition"


def test_a_one_letter_client_name_is_accepted_and_a_blank_one_refused(api, accent):
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk, "client_name": "Я"})
    assert response.status_code == 201 and response.json()["client_name"] == "Я"
    blank = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk, "client_name": "\u200b",
                                                    "external_booking_id": "crm-101"})
    assert blank.status_code == 400 and blank.json()["details"]["field"] == "client_name"


def test_idempotency_key_replays_the_original_response(api, accent):
    payload = {**NEW, "item_id": accent.pk}
    first = api.post("/api/v1/equipment-bookings", payload, **{"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/equipment-bookings", payload, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert EquipmentBooking.objects.count() == 1


def test_idempotency_key_with_a_different_payload_is_409(api, accent):
    api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk}, **{"Idempotency-Key": "k-1"})
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk, "units": 1,
                                                       "external_booking_id": "crm-101"},
                        **{"Idempotency-Key": "k-1"})
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    assert EquipmentBooking.objects.count() == 1


def test_an_external_id_of_a_cancelled_booking_cannot_be_reused(api, accent):
    api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    api.delete("/api/v1/equipment-bookings/crm-100")
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    assert response.status_code == 409 and response.json()["code"] == "external_id_reused"


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"units": 4}, 409, "no_capacity"),
    ({"units": 0}, 400, "invalid"),
    ({"start_date": "2026-11-22"}, 400, "date_in_past"),
    ({"end_date": "2026-11-30"}, 400, "bad_range"),
    ({"end_date": "2027-01-15"}, 400, "range_too_long"),
    ({"item_id": 999999}, 404, "not_found"),
    ({"units": "two"}, 400, "invalid"),
])
def test_equipment_booking_refusals(api, accent, changes, status, code):
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk, **changes})
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()


def test_an_idempotency_key_must_be_printable_ascii(api, accent):
    response = api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk},
                        **{"Idempotency-Key": "x" * 129})
    assert response.status_code == 400


def test_an_external_id_with_slashes_can_be_read_and_cancelled(api):
    item = factories.ItemFactory(name="ЭКГ", quantity=1)
    created = api.post("/api/v1/equipment-bookings", {
        "item_id": item.pk, "start_date": "2026-11-25", "end_date": "2026-11-25", "units": 1,
        "client_name": "Иван Петров", "client_phone": "+79991234567", "external_booking_id": "crm/2026/15"})
    assert created.status_code == 201
    assert api.get("/api/v1/equipment-bookings/crm/2026/15").status_code == 200
    assert api.delete("/api/v1/equipment-bookings/crm/2026/15").json()["status"] == "cancelled"


def test_a_cancel_that_loses_the_race_to_a_concurrent_retry_answers_200(api, accent, monkeypatch):
    from equipment.api import views
    from equipment.services import equipment_booking_cancel

    def cancelled_meanwhile(*, booking, **kwargs):
        equipment_booking_cancel(booking=EquipmentBooking.objects.get(pk=booking.pk), **kwargs)  # the other call
        return equipment_booking_cancel(booking=booking, **kwargs)

    api.post("/api/v1/equipment-bookings", {**NEW, "item_id": accent.pk})
    monkeypatch.setattr(views, "equipment_booking_cancel", cancelled_meanwhile)
    response = api.delete("/api/v1/equipment-bookings/crm-100")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
