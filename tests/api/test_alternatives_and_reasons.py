"""The partner API explains a refusal and a closed or full day: `details.alternatives` in a 409 holds values
that can be posted as they are; availability adds `blocked_count` and `reason`, slots add `reason` and
`breaks`, while the old fields keep their meaning."""

from __future__ import annotations

from datetime import date, time

import pytest

from cabinets.services import cabinet_booking_create
from equipment.maintenance import maintenance_window_save
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

CLIENT = {"client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"}


def staff_books(item, staff, day, units=1):
    return equipment_booking_create(item=item, start_date=day, end_date=day, units=units, actor=Actor.staff(staff),
                                    channel=Channel.ADMIN, now=NOW, **CLIENT)


def test_a_full_day_is_409_with_alternatives_that_can_be_posted_as_they_are(api, staff):
    laser = factories.ItemFactory(name="Лазер", category="Лазеры", quantity=1)
    twin = factories.ItemFactory(name="Лазер 2", category="Лазеры", quantity=1)
    staff_books(laser, staff, date(2026, 12, 1))
    staff_books(twin, staff, date(2026, 12, 2))
    response = api.post("/api/v1/equipment-bookings", {"item_id": laser.pk, "start_date": "2026-12-01",
                                                       "end_date": "2026-12-02", "units": 1,
                                                       "external_booking_id": "crm-1", **CLIENT})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "no_capacity" and body["details"]["full_days"] == ["2026-12-01"]
    found = body["details"]["alternatives"]
    assert [(a["item_id"], a["start_date"], a["end_date"]) for a in found] == [
        (laser.pk, "2026-12-02", "2026-12-03"), (laser.pk, "2026-11-29", "2026-11-30"),
        (laser.pk, "2026-12-03", "2026-12-04")]  # the twin is taken on the 2nd
    first = {key: found[0][key] for key in ("item_id", "start_date", "end_date", "units")}
    again = api.post("/api/v1/equipment-bookings", {**first, "external_booking_id": "crm-2", **CLIENT})
    assert again.status_code == 201 and again.json()["start_date"] == "2026-12-02"


def test_a_taken_slot_is_409_with_nearby_windows_that_can_be_posted(api, cabinet, staff):
    cabinet_booking_create(cabinet=cabinet, starts_at=NOW.replace(day=24), duration_minutes=60,
                           actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW, **CLIENT)
    request = {"cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 60,
               "external_booking_id": "crm-1", **CLIENT}
    response = api.post("/api/v1/cabinet-bookings", request)
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"
    found = response.json()["details"]["alternatives"]
    assert [(a["cabinet_id"], a["starts_at"], a["duration_minutes"]) for a in found] == [
        (cabinet.pk, "2026-11-24T09:00:00+03:00", 60), (cabinet.pk, "2026-11-24T11:00:00+03:00", 60),
        (cabinet.pk, "2026-11-24T11:30:00+03:00", 60)]  # equally near: the earlier first
    retry = api.post("/api/v1/cabinet-bookings", {**request, "starts_at": found[1]["starts_at"]})
    assert retry.status_code == 201 and retry.json()["starts_at"] == "2026-11-24T11:00:00+03:00"


def test_availability_adds_blocked_count_and_reason_beside_the_old_fields(api, staff):
    laser = factories.ItemFactory(name="Лазер", quantity=2, turnaround_days=1)
    staff_books(laser, staff, date(2026, 12, 1), units=2)
    maintenance_window_save(item=laser, units=1, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3),
                            reason="Калибровка", actor=Actor.staff(staff), now=NOW)

    def on(day):
        return api.get("/api/v1/availability/Лазер", {"date": day}).json()

    assert on("2026-12-01") == {"available": False, "booked_count": 2, "total": 2, "blocked_count": 0,
                                "reason": "booked"}
    assert on("2026-12-02") == {"available": False, "booked_count": 0, "total": 2, "blocked_count": 2,
                                "reason": "turnaround"}
    assert on("2026-12-03") == {"available": True, "booked_count": 0, "total": 2, "blocked_count": 1,
                                "reason": None}
    bulk = api.post("/api/v1/availability/bulk", {"items": ["Лазер"], "dates": ["2026-12-02"]}).json()
    assert bulk["results"][0]["blocked_count"] == 2 and bulk["results"][0]["booked_count"] == 0
    device = api.get("/api/devices", {"date": "2026-12-02"}).json()["devices"][0]
    assert device["available"] is False


def test_a_maintenance_day_says_maintenance(api, staff):
    factories.ItemFactory(name="УЗИ", quantity=1)
    from equipment.models import Item

    maintenance_window_save(item=Item.objects.get(), units=1, start_date=date(2026, 12, 5),
                            end_date=date(2026, 12, 6), reason="Ремонт", actor=Actor.staff(staff), now=NOW)
    assert api.get("/api/v1/availability/УЗИ", {"date": "2026-12-05"}).json()["reason"] == "maintenance"


def test_slots_explain_booked_and_held_slots_lunch_and_closures(api, cabinet, staff, bob):
    from cabinets.services import slot_hold_take

    cabinet_booking_create(cabinet=cabinet, starts_at=NOW.replace(day=24, hour=11), duration_minutes=30,
                           actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW, **CLIENT)
    slot_hold_take(cabinet=cabinet, starts_at=NOW.replace(day=24, hour=12), account=bob, now=NOW)
    factories.closure(cabinet, date(2026, 11, 24), start=time(17), end=time(18))
    body = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-24"}).json()
    slots = {slot["start"]: slot for slot in body["slots"]}
    assert (slots["11:00"]["state"], slots["11:00"]["reason"]) == ("taken", "booked")
    assert slots["12:00"]["reason"] == "held" and slots["10:00"]["reason"] is None
    assert body["reason"] is None
    assert body["breaks"] == [{"start": "13:00", "end": "14:00", "reason": "lunch"},
                              {"start": "17:00", "end": "18:00", "reason": "closed"}]
    factories.holiday(date(2026, 11, 25))
    factories.closure(cabinet, date(2026, 11, 26))
    assert api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-25"}).json()["reason"] == "holiday"
    closed = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-26"}).json()
    assert (closed["reason"], closed["closed_reason"], closed["slots"]) == ("closed", "Ремонт", [])


def test_a_refusal_with_alternatives_costs_as_many_queries_with_many_bookings_as_with_one(api, staff, cabinet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    laser = factories.ItemFactory(name="Лазер", category="Лазеры", quantity=1)
    factories.ItemFactory(name="Лазер 2", category="Лазеры", quantity=1)

    def refused_queries(n: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.post("/api/v1/equipment-bookings", {"item_id": laser.pk, "start_date": "2026-12-10",
                                                               "end_date": "2026-12-10", "units": 1,
                                                               "external_booking_id": f"q{n}", **CLIENT})
        assert response.status_code == 409 and "alternatives" in response.json()["details"]
        return len(captured)

    staff_books(laser, staff, date(2026, 12, 10))
    refused_queries(0)  # the first request of a partner also records when it was last used
    few = refused_queries(1)
    for n in range(1, 29):
        if n != 10:
            staff_books(laser, staff, date(2026, 12, n))
    assert refused_queries(2) == few
