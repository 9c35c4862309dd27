"""The partner API of services: the lists, a service's free times, and appointments booked, read, retried and
cancelled with the same keys, scopes, errors and idempotency as cabinet bookings."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cabinets.models import CabinetBooking, Holiday
from equipment.models import EquipmentBooking
from specialists.api.answers import services_list
from specialists.availability import ServiceGrid
from specialists.models import DayOff, Service, ServiceEquipment
from tests import factories
from tests.api.conftest import ApiClient
from tests.api.test_auth_and_errors import assert_error
from tests.conftest import NOW
from tests.specialists.conftest import TUE, WEEKDAYS, at, specialist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner_key(db):
    return factories.partner_with_key(name="ClinicCRM")


@pytest.fixture
def api(partner_key, frozen):
    return ApiClient(partner_key[1])


@pytest.fixture
def scanner(ultrasound):
    item = factories.ItemFactory(name="УЗИ-сканер", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=item, units=1)
    return item


def appointment(service, starts_at, **fields):
    return {"service_id": service.pk, "starts_at": starts_at.isoformat(), "client_name": "Иван Петров",
            "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-1", **fields}


# --- the lists ------------------------------------------------------------------------------------------------


def test_services_list_their_price_specialists_cabinets_and_equipment(api, ultrasound, anna, boris, rooms, scanner):
    factories.CabinetFactory(is_active=False)
    Service.objects.create(name="Старая услуга", duration_minutes=30, is_active=False)
    body = api.get("/api/v1/services").json()
    assert body == {"services": [{
        "id": ultrasound.pk, "name": "УЗИ брюшной полости", "category": "Диагностика", "duration_minutes": 60,
        "price": "2500.00", "currency": "RUB", "specialist_ids": [anna.pk, boris.pk],
        "cabinet_ids": [rooms[0].pk, rooms[1].pk], "equipment": [{"item_id": scanner.pk, "units": 1}]}]}


def test_a_service_listing_its_cabinets_names_only_those_and_an_unpriced_one_says_null(api, ultrasound, rooms):
    ultrasound.cabinets.set([rooms[1]])
    ultrasound.price = None
    ultrasound.save()
    [row] = api.get("/api/v1/services").json()["services"]
    assert row["cabinet_ids"] == [rooms[1].pk] and row["price"] is None


def test_the_services_list_takes_the_same_queries_for_one_service_or_twenty(ultrasound, rooms, anna,
                                                                           django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        services_list()
    for n in range(20):
        Service.objects.create(name=f"Приём {n}", duration_minutes=30).specialists.set([anna])
    with django_assert_max_num_queries(5):
        assert len(services_list()) == 21


def test_specialists_list_the_services_they_perform(api, ultrasound, anna, boris):
    other = Service.objects.create(name="Консультация", duration_minutes=30)
    other.specialists.set([anna])
    assert api.get("/api/v1/specialists").json() == {"specialists": [
        {"id": anna.pk, "name": "Анна Смирнова", "service_ids": [ultrasound.pk, other.pk]},
        {"id": boris.pk, "name": "Борис Иванов", "service_ids": [ultrasound.pk]}]}


# --- availability ---------------------------------------------------------------------------------------------


def test_one_days_times_name_the_free_specialists_around_annas_lunch(api, ultrasound, anna, boris):
    body = api.get(f"/api/v1/services/{ultrasound.pk}/availability", {"date": TUE.isoformat()}).json()
    [day] = body["days"]
    assert body["service_id"] == ultrasound.pk and day["reason"] is None
    starts = {slot["starts_at"]: slot["specialist_ids"] for slot in day["slots"]}
    assert starts["2026-11-24T09:00:00+03:00"] == [anna.pk]
    assert starts["2026-11-24T12:30:00+03:00"] == [boris.pk]  # Анна's 12:30 would cross her lunch
    assert starts["2026-11-24T14:00:00+03:00"] == [anna.pk, boris.pk]


def test_a_range_says_why_a_day_has_no_times_and_one_specialist_can_be_asked(api, ultrasound, anna, boris):
    DayOff.objects.create(specialist=anna, from_date=TUE, to_date=TUE)
    body = api.get(f"/api/v1/services/{ultrasound.pk}/availability",
                   {"from": TUE.isoformat(), "to": (TUE + timedelta(days=5)).isoformat(),
                    "specialist_id": anna.pk}).json()
    reasons = [day["reason"] for day in body["days"]]
    assert reasons == ["day_off", None, None, None, "day_off", "day_off"]  # her day off, then Saturday, Sunday
    assert all(slot["specialist_ids"] == [anna.pk] for day in body["days"] for slot in day["slots"])


def test_the_availability_matches_the_services_grid(api, ultrasound):
    body = api.get(f"/api/v1/services/{ultrasound.pk}/availability", {"date": TUE.isoformat()}).json()
    grid = ServiceGrid(service=ultrasound, start_date=TUE, end_date=TUE, now=NOW)
    assert body["days"] == [day.as_dict() for day in grid.days()]


@pytest.mark.parametrize("query", [
    {}, {"date": "2026-13-01"}, {"from": "2026-11-24"}, {"date": "2026-11-24", "from": "2026-11-24"},
    {"from": "2026-11-24", "to": "2026-12-25"}, {"from": "2026-11-25", "to": "2026-11-24"},
    {"date": "2026-11-24", "specialist_id": "x"}, {"date": "2026-11-24", "colour": "red"},
])
def test_bad_availability_queries_are_400_json(api, ultrasound, query):
    assert_error(api.get(f"/api/v1/services/{ultrasound.pk}/availability", query), 400, "invalid")


def test_an_unknown_or_inactive_service_is_404(api, ultrasound):
    assert_error(api.get("/api/v1/services/999999/availability", {"date": "2026-11-24"}), 404, "not_found")
    ultrasound.is_active = False
    ultrasound.save()
    assert_error(api.get(f"/api/v1/services/{ultrasound.pk}/availability", {"date": "2026-11-24"}), 404,
                 "not_found")


def test_an_unknown_or_inactive_specialist_is_404_and_one_who_does_not_perform_the_service_is_400(api, ultrasound,
                                                                                                   anna):
    path = f"/api/v1/services/{ultrasound.pk}/availability"
    body = assert_error(api.get(path, {"date": "2026-11-24", "specialist_id": 999999}), 404, "not_found")
    assert body["details"] == {"specialist_id": 999999}
    stranger = specialist("Вера Кузнецова", {d: [(time(9), time(18))] for d in WEEKDAYS})
    body = assert_error(api.get(path, {"date": "2026-11-24", "specialist_id": stranger.pk}), 400, "invalid")
    assert body["error"] == "Вера Кузнецова does not perform УЗИ брюшной полости."
    assert body["details"]["field"] == "specialist_id"
    anna.is_active = False
    anna.save()
    assert_error(api.get(path, {"date": "2026-11-24", "specialist_id": anna.pk}), 404, "not_found")


def test_an_appointment_with_someone_who_does_not_perform_the_service_is_400_and_books_nothing(api, ultrasound):
    stranger = specialist("Вера Кузнецова", {d: [(time(9), time(18))] for d in WEEKDAYS})
    body = assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10),
                                                                     specialist_id=stranger.pk)), 400, "invalid")
    assert body["details"]["field"] == "specialist_id" and "alternatives" not in body["details"]
    assert not CabinetBooking.objects.exists()


def busy_clinic(specialists: int, cabinets: int, per_day: int, book):
    rooms = [factories.with_week(factories.CabinetFactory(sort_order=n), opens=time(8), closes=time(20))
             for n in range(cabinets)]
    people = [specialist(f"Врач {n}", {d: [(time(9), time(13)), (time(14), time(18))] for d in range(6)})
              for n in range(specialists)]
    service = Service.objects.create(name=f"Приём {specialists}", duration_minutes=60)
    service.specialists.set(people)
    service.cabinets.set(rooms)
    ServiceEquipment.objects.create(service=service, item=factories.ItemFactory(quantity=50), units=1)
    for offset in range(5):
        for n in range(per_day):
            book(service, at(TUE + timedelta(days=offset), 9 + n % 4), specialist=people[n % specialists],
                 cabinet=rooms[n % cabinets])
    return service


# The partner's key, the service with its equipment lines (and who an asked specialist is), and the services
# grid's four: its calendar, the cabinets with their schedules, their occupants, the equipment's usage.
ENDPOINT_BUDGET = 6


def test_the_availability_endpoint_takes_at_most_six_queries_for_a_quiet_day_or_a_busy_month(api, book):
    small = busy_clinic(1, 1, 1, book)
    large = busy_clinic(12, 8, 8, book)
    first, second = large.specialists.order_by("pk")[:2]
    DayOff.objects.create(specialist=first, from_date=TUE, to_date=TUE + timedelta(days=9))
    Holiday.objects.create(date=TUE + timedelta(days=10), name="Праздник")
    factories.closure(large.cabinets.order_by("pk").first(), TUE + timedelta(days=2), time(15), time(16))
    api.get("/api/v1/services")  # the partner's last-used stamp is written at most once a minute
    month = {"from": "2026-11-24", "to": "2026-12-24"}
    with CaptureQueriesContext(connection) as few:
        assert api.get(f"/api/v1/services/{small.pk}/availability", {"date": "2026-11-24"}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = api.get(f"/api/v1/services/{large.pk}/availability", month)
    with CaptureQueriesContext(connection) as one_specialist:
        only = api.get(f"/api/v1/services/{large.pk}/availability", {**month, "specialist_id": second.pk})
    assert response.status_code == only.status_code == 200 and len(response.json()["days"]) == 31
    assert response.json()["days"][10]["reason"] == "holiday"
    assert len(few) == len(many) == len(one_specialist) <= ENDPOINT_BUDGET, (
        len(few), len(many), len(one_specialist))


# --- appointments ---------------------------------------------------------------------------------------------


def test_an_appointment_is_booked_with_any_specialist_a_cabinet_and_the_equipment(api, ultrasound, anna, boris,
                                                                                rooms, scanner):
    response = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_id"] == ultrasound.pk and body["specialist_id"] == anna.pk  # both free: the lowest id
    assert body["cabinet_id"] == rooms[0].pk and body["status"] == "approved"
    assert body["starts_at"] == "2026-11-24T10:00:00+03:00" and body["ends_at"] == "2026-11-24T11:00:00+03:00"
    assert body["equipment"] == [{"item_id": scanner.pk, "item_name": "УЗИ-сканер", "units": 1}]
    assert body["reference"] and body["external_booking_id"] == "crm-1"
    assert api.get("/api/v1/appointments/crm-1").json() == body


def test_a_retry_replays_the_appointment_and_different_data_is_a_conflict(api, ultrasound, boris):
    first = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10)))
    again = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10)))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert CabinetBooking.objects.filter(service=ultrasound).count() == 1
    assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 11))), 409,
                 "idempotency_conflict")
    named = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10),
                                                         specialist_id=first.json()["specialist_id"]))
    assert named.status_code == 201 and named.json()["id"] == first.json()["id"]
    assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), specialist_id=boris.pk)),
                 409, "idempotency_conflict")


def test_a_busy_specialist_is_refused_with_their_nearest_times_then_others_then_the_next_days(
        api, ultrasound, anna, boris, book):
    book(ultrasound, at(TUE, 10), specialist=anna)
    body = assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10),
                                                                     specialist_id=anna.pk)), 409, "specialist_busy")
    offers = body["details"]["alternatives"]
    assert offers[:2] == [  # an hour before and an hour after: the earlier first
        {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": "2026-11-24T09:00:00+03:00"},
        {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": "2026-11-24T11:00:00+03:00"}]
    assert offers[2] == {"service_id": ultrasound.pk, "specialist_id": boris.pk,
                         "starts_at": "2026-11-24T10:00:00+03:00"}
    assert offers[3] == {"service_id": ultrasound.pk, "specialist_id": anna.pk,
                         "starts_at": "2026-11-25T09:00:00+03:00"}
    taken = api.post("/api/v1/appointments", {**appointment(ultrasound, at(TUE, 10)), **offers[2],
                                              "external_booking_id": "crm-2"})
    assert taken.status_code == 201 and taken.json()["specialist_id"] == boris.pk


@pytest.mark.parametrize(("hour", "minute", "code"), [(13, 0, "outside_hours"), (12, 30, "outside_hours")])
def test_times_outside_the_hours_are_refused_with_alternatives(api, ultrasound, anna, hour, minute, code):
    body = assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, hour, minute),
                                                                     specialist_id=anna.pk)), 409, code)
    assert body["details"]["alternatives"]
    assert all(offer["specialist_id"] for offer in body["details"]["alternatives"])


def test_a_day_off_is_refused_as_day_off_with_the_next_days_offered(api, ultrasound, anna):
    DayOff.objects.create(specialist=anna, from_date=TUE, to_date=TUE)
    body = assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10),
                                                                     specialist_id=anna.pk)), 409, "day_off")
    assert {"service_id": ultrasound.pk, "specialist_id": anna.pk,
            "starts_at": "2026-11-25T09:00:00+03:00"} in body["details"]["alternatives"]


def test_equipment_out_is_no_capacity_and_a_holiday_is_closed(api, ultrasound, scanner, staff):
    factories.holiday(TUE + timedelta(days=1))
    scanner.quantity = 0
    scanner.save()
    assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10))), 409, "no_capacity")
    body = assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE + timedelta(days=1), 10))),
                        409, "closed")
    assert "alternatives" in body["details"]


@pytest.mark.parametrize("change", [
    {"service_id": "x"}, {"starts_at": "tomorrow"}, {"client_name": None}, {"specialist_id": 0}, {"colour": 1},
    {"external_booking_id": ""},
])
def test_bad_appointment_requests_are_400_json(api, ultrasound, change):
    assert_error(api.post("/api/v1/appointments", {**appointment(ultrasound, at(TUE, 10)), **change}), 400,
                 "invalid")


def test_unknown_service_specialist_or_cabinet_is_404(api, ultrasound):
    for change in ({"service_id": 999999}, {"specialist_id": 999999}, {"cabinet_id": 999999}):
        assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), **change)), 404,
                     "not_found")


def test_a_cabinet_booking_is_not_an_appointment(api, ultrasound, rooms):
    api.post("/api/v1/cabinet-bookings", {
        "cabinet_id": rooms[0].pk, "starts_at": at(TUE, 10).isoformat(), "duration_minutes": 60,
        "client_name": "Иван Петров", "client_phone": "+79991234567", "external_booking_id": "cab-1"})
    assert_error(api.get("/api/v1/appointments/cab-1"), 404, "not_found")


def test_delete_frees_the_specialist_the_cabinet_and_the_equipment(api, ultrasound, anna, rooms, scanner):
    ultrasound.cabinets.set([rooms[0]])
    created = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), specialist_id=anna.pk)).json()
    assert_error(api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), specialist_id=anna.pk,
                                                              external_booking_id="crm-2")), 409, "specialist_busy")
    cancelled = api.delete("/api/v1/appointments/crm-1")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.delete("/api/v1/appointments/crm-1").status_code == 200  # safe to retry
    assert not EquipmentBooking.objects.filter(item=scanner, status__in=("pending", "approved")).exists()
    again = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), specialist_id=anna.pk,
                                                         external_booking_id="crm-2"))
    assert again.status_code == 201
    assert again.json()["cabinet_id"] == created["cabinet_id"] == rooms[0].pk


def test_the_appointment_endpoints_need_their_scopes(frozen, ultrasound):
    _partner, key = factories.partner_with_key(name="Narrow", scopes=["read:items"])
    narrow = ApiClient(key)
    assert narrow.get("/api/v1/services").status_code == 200
    assert_error(narrow.get(f"/api/v1/services/{ultrasound.pk}/availability", {"date": "2026-11-24"}), 403,
                 "missing_scope")
    assert_error(narrow.post("/api/v1/appointments", {}), 403, "missing_scope")
    assert_error(ApiClient(None).get("/api/v1/specialists"), 401, "not_authenticated")


def test_an_appointment_takes_the_clients_birthday_and_email_and_refuses_a_future_birthday(api, ultrasound, boris):
    from accounts.models import Client

    refused = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), client_birthday="2030-01-01"))
    assert_error(refused, 400, "invalid")
    assert not CabinetBooking.objects.exists()

    response = api.post("/api/v1/appointments", appointment(ultrasound, at(TUE, 10), client_birthday="1985-04-12",
                                                            client_email="ivan@example.com"))

    assert response.status_code == 201, response.content
    client = Client.objects.get()
    assert (client.birthday.isoformat(), client.email) == ("1985-04-12", "ivan@example.com")
    assert CabinetBooking.objects.get().client_id == client.pk
