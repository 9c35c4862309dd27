"""Cabinets for partners: the list, a day's slots, the free-slot grid and cabinet bookings."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import MSK

pytestmark = pytest.mark.django_db

BOOKING = {"starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 90, "client_name": "Иван Петров",
           "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-777"}


def test_cabinets_lists_every_cabinet(api, cabinet):
    closed = factories.CabinetFactory(name="Склад", number="0", is_active=False)
    assert api.get("/api/v1/cabinets").json() == {"cabinets": [
        {"id": cabinet.pk, "name": "Кабинет №1", "number": "1", "floor": 2, "is_active": True},
        {"id": closed.pk, "name": "Склад", "number": "0", "floor": None, "is_active": False}]}


def test_slots_of_a_day_show_states_and_durations(api, cabinet, alice, now):
    cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 24, 11, 0, tzinfo=MSK), duration_minutes=30,
                           client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=now)
    response = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-24"})
    assert response.status_code == 200
    body = response.json()
    assert body["cabinet_id"] == cabinet.pk and body["date"] == "2026-11-24" and body["closed_reason"] is None
    slots = {slot["start"]: slot for slot in body["slots"]}
    assert slots["09:00"] == {"start": "09:00", "end": "09:30", "available": True, "state": "free",
                              "durations": [30, 60, 90, 120], "reason": None}
    assert slots["11:00"]["available"] is False and slots["11:00"]["state"] == "taken"
    assert "13:00" not in slots  # lunch
    assert body["slots"][-1]["end"] == "21:00"


def test_slots_say_why_a_day_is_closed(api, cabinet):
    factories.holiday(datetime(2026, 11, 25).date(), "Праздник")
    body = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-25"}).json()
    assert body["closed_reason"] == "Праздник" and body["slots"] == []


def test_slots_of_an_unknown_cabinet_is_404_and_a_bad_date_400(api, cabinet):
    assert api.get("/api/v1/cabinets/999999/slots", {"date": "2026-11-24"}).status_code == 404
    assert api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "24.11.2026"}).status_code == 400
    assert api.get(f"/api/v1/cabinets/{cabinet.pk}/slots").status_code == 400


def test_grid_lists_free_starts_per_active_cabinet_and_day(api, cabinet, alice, now):
    factories.CabinetFactory(is_active=False)
    cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 24, 9, 0, tzinfo=MSK), duration_minutes=60,
                           client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=now)
    response = api.get("/api/v1/cabinets/availability", {"start_date": "2026-11-23", "end_date": "2026-11-24"})
    assert response.status_code == 200
    [row] = response.json()["cabinets"]
    assert (row["id"], row["name"]) == (cabinet.pk, "Кабинет №1")
    today, tomorrow = row["days"]
    assert today["date"] == "2026-11-23" and today["free"][0] == "11:00"  # an hour of lead time from 10:00
    assert tomorrow["free"][:2] == ["10:00", "10:30"] and "13:00" not in tomorrow["free"]


@pytest.mark.parametrize("params", [
    {"start_date": "2026-11-24"},
    {"start_date": "2026-11-24", "end_date": "2026-11-23"},
    {"start_date": "2026-11-24", "end_date": "2027-03-01"},
    {"start_date": "2026-11-24", "end_date": "2026-11-31"},
])
def test_grid_refuses_bad_ranges(api, cabinet, params):
    assert api.get("/api/v1/cabinets/availability", params).status_code == 400


def test_create_a_cabinet_booking_with_equipment(api, crm, cabinet, accent):
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk,
                                                     "equipment": [{"item_id": accent.pk, "units": 2}]})
    assert response.status_code == 201, response.json()
    booking = CabinetBooking.objects.get()
    assert response.json() == {
        "id": booking.pk, "reference": f"C-{booking.pk}", "external_booking_id": "crm-777",
        "cabinet_id": cabinet.pk,
        "starts_at": "2026-11-24T10:00:00+03:00", "ends_at": "2026-11-24T11:30:00+03:00", "status": "approved",
        "payment_status": "not_required",
        "equipment": [{"item_id": accent.pk, "item_name": "Accent", "units": 2}], "client_name": "Иван Петров",
        "client_phone": "+79991234567", "comment": "", "series_id": None, "created_at": "2026-11-23T10:00:00+03:00",
        "price": {"currency": "RUB", "total": "0.00", "lines": []}}  # neither the cabinet nor Accent has a price
    assert booking.partner == crm and booking.channel == "api"
    assert api.get("/api/v1/cabinet-bookings/crm-777").json() == response.json()


def test_a_time_without_offset_is_read_in_clinic_time(api, cabinet):
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk,
                                                     "starts_at": "2026-11-24T10:00:00"})
    assert response.status_code == 201
    assert response.json()["starts_at"] == "2026-11-24T10:00:00+03:00"
    utc = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk, "external_booking_id": "x2",
                                                "starts_at": "2026-11-24T11:00:00Z"})
    assert utc.status_code == 201 and utc.json()["starts_at"] == "2026-11-24T14:00:00+03:00"


def test_a_taken_slot_is_409_and_nothing_is_written(api, cabinet, accent):
    api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk})
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk, "external_booking_id": "b",
                                                     "starts_at": "2026-11-24T11:00:00+03:00",
                                                     "equipment": [{"item_id": accent.pk, "units": 1}]})
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    assert CabinetBooking.objects.count() == 1 and not EquipmentBooking.objects.exists()


def test_cabinet_booking_replay_and_conflict_with_idempotency_key(api, cabinet):
    payload = {**BOOKING, "cabinet_id": cabinet.pk}
    first = api.post("/api/v1/cabinet-bookings", payload, **{"Idempotency-Key": "abc"})
    again = api.post("/api/v1/cabinet-bookings", payload, **{"Idempotency-Key": "abc"})
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = api.post("/api/v1/cabinet-bookings", {**payload, "duration_minutes": 30}, **{"Idempotency-Key": "abc"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert CabinetBooking.objects.count() == 1


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"starts_at": "2026-11-23T10:30:00+03:00"}, 409, "too_soon"),
    ({"starts_at": "2026-11-22T10:00:00+03:00"}, 400, "date_in_past"),
    ({"starts_at": "2027-01-10T10:00:00+03:00"}, 400, "too_far_ahead"),
    ({"starts_at": "2026-11-24T10:10:00+03:00"}, 400, "not_a_slot"),
    ({"duration_minutes": 45}, 400, "not_a_slot"),
    ({"duration_minutes": 240}, 400, "too_long"),
    ({"starts_at": "2026-11-24T12:30:00+03:00", "duration_minutes": 60}, 409, "closed"),  # runs into lunch
    ({"starts_at": "2026-11-24T20:30:00+03:00", "duration_minutes": 60}, 400, "too_long"),  # runs past closing
    ({"starts_at": "tomorrow"}, 400, "invalid"),
    ({"cabinet_id": 999999}, 404, "not_found"),
    ({"equipment": [{"item_id": 999999, "units": 1}]}, 404, "not_found"),
    ({"equipment": [{"item_id": 1, "units": 1, "colour": "red"}]}, 400, "invalid"),
])
def test_cabinet_booking_refusals(api, cabinet, changes, status, code):
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk, **changes})
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert not CabinetBooking.objects.exists()


def test_a_start_at_lunch_is_refused_as_the_lunch_break_with_free_windows_nearby(api, cabinet):
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk,
                                                     "starts_at": "2026-11-24T13:00:00+03:00"})
    body = response.json()
    assert (response.status_code, body["code"]) == (409, "closed")
    assert body["error"] == f"13:00 is during the lunch break (13:00–14:00) in {cabinet.name}."
    assert body["details"]["reason"] == "lunch"
    assert body["details"]["alternatives"][0]["starts_at"] in ("2026-11-24T12:00:00+03:00", "2026-11-24T14:00:00+03:00")
    assert not CabinetBooking.objects.exists()


def test_cancel_a_cabinet_booking_frees_its_slots_and_equipment(api, cabinet, accent):
    api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk,
                                          "equipment": [{"item_id": accent.pk, "units": 3}]})
    response = api.delete("/api/v1/cabinet-bookings/crm-777")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert EquipmentBooking.objects.get().status == "cancelled"
    slots = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-24"}).json()["slots"]
    assert next(s for s in slots if s["start"] == "10:00")["available"] is True
    assert api.delete("/api/v1/cabinet-bookings/unknown").status_code == 404


def test_a_repeated_cancel_of_a_cabinet_booking_answers_it_as_it_is(api, cabinet):
    api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk})
    cancelled = api.delete("/api/v1/cabinet-bookings/crm-777")
    again = api.delete("/api/v1/cabinet-bookings/crm-777")
    assert again.status_code == 200 and again.json() == cancelled.json()
    assert again.json()["status"] == "cancelled" and again.json()["reference"].startswith("C-")


@pytest.mark.parametrize("final", ["rejected", "completed"])
def test_cancelling_a_rejected_or_completed_cabinet_booking_is_still_409(api, cabinet, final):
    api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk})
    CabinetBooking.objects.update(status=final)
    response = api.delete("/api/v1/cabinet-bookings/crm-777")
    assert response.status_code == 409 and response.json()["code"] == "bad_transition"


def test_the_equipment_of_a_closed_cabinet_day_is_not_booked(api, cabinet, accent):
    factories.closure(cabinet, datetime(2026, 11, 24).date(), time(9), time(12))
    response = api.post("/api/v1/cabinet-bookings", {**BOOKING, "cabinet_id": cabinet.pk,
                                                     "equipment": [{"item_id": accent.pk, "units": 1}]})
    assert response.status_code in (400, 409)
    assert not EquipmentBooking.objects.exists()
