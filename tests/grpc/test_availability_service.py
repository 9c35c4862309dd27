"""The gRPC availability services over a real channel: every method answers what the REST API answers for the
same question, with the REST API's keys, scopes, formats, limits and rate limit, and its refusals as status
codes."""

from __future__ import annotations

from datetime import date, time

import grpc
import pytest
from prometheus_client import REGISTRY

from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2 as bronivik_pb2
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2 as clinic_pb2
from specialists.models import Service
from tests import factories
from tests.grpc.conftest import as_row, refusal
from tests.specialists.conftest import specialist

pytestmark = pytest.mark.postgres

WEEK = ("2026-11-30", "2026-12-06")


# --- The original service -------------------------------------------------------------------------


def test_get_availability_answers_like_the_rest_endpoint_for_a_full_a_resting_and_a_free_day(
        bronivik, key, rest, catalogue):
    for day in ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"):
        answer = bronivik.GetAvailability(bronivik_pb2.GetAvailabilityRequest(item_name="Лазер", date=day),
                                          metadata=key)
        expected = rest.get("/api/v1/availability/Лазер", {"date": day}).json()
        assert as_row(answer) == {"item_name": "Лазер", "date": day, "available": expected["available"],
                                  "booked_count": expected["booked_count"], "total": expected["total"]}
    full = bronivik.GetAvailability(bronivik_pb2.GetAvailabilityRequest(item_name="Лазер", date="2026-12-01"),
                                    metadata=key)
    assert (full.available, full.booked_count, full.total) == (False, 2, 2)


def test_get_availability_bulk_answers_like_the_rest_bulk_endpoint_item_major_skipping_unknown_names(
        bronivik, key, rest, catalogue):
    items, dates = ["УЗИ", "Нет такого", "Лазер"], ["2026-12-02", "2026-12-01", "2026-12-04"]
    answer = bronivik.GetAvailabilityBulk(bronivik_pb2.GetAvailabilityBulkRequest(items=items, dates=dates),
                                          metadata=key)
    expected = rest.post("/api/v1/availability/bulk", {"items": items, "dates": dates}).json()["results"]
    fields = ("item_name", "date", "available", "booked_count", "total")
    assert [as_row(row) for row in answer.results] == [{name: row[name] for name in fields} for row in expected]
    assert [(row.item_name, row.date) for row in answer.results] == [
        ("УЗИ", "2026-12-02"), ("УЗИ", "2026-12-01"), ("УЗИ", "2026-12-04"),
        ("Лазер", "2026-12-02"), ("Лазер", "2026-12-01"), ("Лазер", "2026-12-04")]


def test_list_items_of_the_original_service_are_the_rest_items_ids_names_and_units(bronivik, key, rest, catalogue):
    answer = bronivik.ListItems(bronivik_pb2.ListItemsRequest(), metadata=key)
    expected = rest.get("/api/v1/items").json()["items"]
    assert [as_row(item) for item in answer.items] == [
        {"id": item["id"], "name": item["name"], "total_quantity": item["total_quantity"]} for item in expected]
    assert len(answer.items) == 2


# --- The clinic's service -------------------------------------------------------------------------


def test_list_items_equals_the_rest_items_field_for_field(clinic, key, rest, catalogue):
    answer = clinic.ListItems(clinic_pb2.ListItemsRequest(), metadata=key)
    expected = rest.get("/api/v1/items").json()["items"]
    assert [as_row(item) for item in answer.items] == [{"cabinet_id": None, **item} for item in expected]


def test_an_items_days_equal_the_rest_bulk_range_day_for_day(clinic, key, rest, catalogue):
    laser = catalogue["laser"]
    answer = clinic.GetItemAvailability(clinic_pb2.GetItemAvailabilityRequest(
        item_id=laser.pk, start_date=WEEK[0], end_date=WEEK[1]), metadata=key)
    expected = rest.post("/api/v1/availability/bulk", {"items": ["Лазер"], "start_date": WEEK[0],
                                                       "end_date": WEEK[1]}).json()["results"]
    assert (answer.item_id, answer.item_name, answer.total) == (laser.pk, "Лазер", 2)
    assert [as_row(day) for day in answer.days] == [
        {name: value for name, value in row.items() if name not in ("item_name", "total")} for row in expected]
    reasons = {day.date: day.reason for day in answer.days if day.HasField("reason")}
    assert reasons == {"2026-12-01": "booked", "2026-12-02": "turnaround"}
    assert as_row(answer.days[3]) == {"date": "2026-12-03", "available": True, "booked_count": 0,
                                      "blocked_count": 1, "reason": None}


def test_a_reserved_item_says_why_on_every_day_like_rest(clinic, key, rest, catalogue):
    answer = clinic.GetItemAvailability(clinic_pb2.GetItemAvailabilityRequest(
        item_id=catalogue["uzi"].pk, start_date="2026-12-01", end_date="2026-12-02"), metadata=key)
    assert [(day.available, day.reason) for day in answer.days] == [(False, "reserved"), (False, "reserved")]


def test_cabinet_slots_equal_the_rest_slots_with_states_durations_reasons_and_breaks(clinic, key, rest, catalogue):
    cabinet = catalogue["cabinet"]
    answer = clinic.ListCabinetSlots(clinic_pb2.ListCabinetSlotsRequest(cabinet_id=cabinet.pk, date="2026-11-24"),
                                     metadata=key)
    expected = rest.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-24"}).json()
    assert as_row(answer) == expected
    taken = [slot.start for slot in answer.slots if slot.reason == "booked"]
    assert taken == ["10:00", "10:30", "11:00"]
    assert [(gap.start, gap.end, gap.reason) for gap in answer.breaks] == [("13:00", "14:00", "lunch"),
                                                                          ("16:00", "17:00", "closed")]


def test_a_holiday_has_no_slots_and_says_why_like_rest(clinic, key, rest, catalogue):
    factories.holiday(date(2026, 11, 25), name="День клиники")
    cabinet = catalogue["cabinet"]
    answer = clinic.ListCabinetSlots(clinic_pb2.ListCabinetSlotsRequest(cabinet_id=cabinet.pk, date="2026-11-25"),
                                     metadata=key)
    assert as_row(answer) == rest.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-11-25"}).json()
    assert (answer.reason, len(answer.slots)) == ("holiday", 0)


def test_concurrent_calls_on_the_server_threads_get_the_same_answer(clinic, key, catalogue):
    request = clinic_pb2.GetItemAvailabilityRequest(item_id=catalogue["laser"].pk, start_date=WEEK[0],
                                                    end_date=WEEK[1])
    calls = [clinic.GetItemAvailability.future(request, metadata=key) for _ in range(12)]
    answers = [call.result() for call in calls]
    assert all(answer == answers[0] for answer in answers) and len(answers[0].days) == 7


@pytest.fixture
def ultrasound(transactional_db):
    """Анна works 09-13 and 14-18 on weekdays, Борис 10-19; a one-hour УЗИ in one cabinet open 08-20."""
    room = factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"), opens=time(8), closes=time(20),
                               lunch=None)
    anna = specialist("Анна Смирнова", {d: [(time(9), time(13)), (time(14), time(18))] for d in range(5)})
    boris = specialist("Борис Иванов", {d: [(time(10), time(19))] for d in range(5)})
    service = Service.objects.create(name="УЗИ брюшной полости", duration_minutes=60)
    service.specialists.set([anna, boris])
    service.cabinets.set([room])
    return service, anna, boris, room


def test_service_slots_answer_like_the_rest_availability_one_row_per_free_specialist(clinic, key, rest, ultrasound):
    service, anna, _boris, room = ultrasound
    answer = clinic.ListServiceSlots(clinic_pb2.ListServiceSlotsRequest(service_id=service.pk, date="2026-11-24"),
                                     metadata=key)
    [day] = rest.get(f"/api/v1/services/{service.pk}/availability", {"date": "2026-11-24"}).json()["days"]
    expected = [{"start": slot["starts_at"][11:16], "specialist_id": pk} for slot in day["slots"]
                for pk in slot["specialist_ids"]]
    assert [{"start": row.start, "specialist_id": row.specialist_id} for row in answer.slots] == expected
    assert (answer.service_id, answer.date) == (service.pk, "2026-11-24")
    assert {(row.start, row.end) for row in answer.slots} >= {("09:00", "10:00"), ("17:00", "18:00")}
    assert {row.cabinet_id for row in answer.slots} == {room.pk}
    only_anna = clinic.ListServiceSlots(clinic_pb2.ListServiceSlotsRequest(
        service_id=service.pk, date="2026-11-24", specialist_id=anna.pk), metadata=key)
    assert {row.specialist_id for row in only_anna.slots} == {anna.pk} and "12:30" not in {
        row.start for row in only_anna.slots}


def test_service_slots_refuse_an_unknown_service_and_a_bad_date(clinic, key, ultrasound):
    assert refusal(clinic.ListServiceSlots, clinic_pb2.ListServiceSlotsRequest(service_id=999999, date="2026-11-24"),
                   metadata=key)[0] == grpc.StatusCode.NOT_FOUND
    assert refusal(clinic.ListServiceSlots, clinic_pb2.ListServiceSlotsRequest(
        service_id=ultrasound[0].pk, date="24.11.2026"), metadata=key)[0] == grpc.StatusCode.INVALID_ARGUMENT


def test_service_slots_refuse_an_unknown_specialist_and_one_who_does_not_perform_the_service(clinic, key,
                                                                                              ultrasound):
    service = ultrasound[0]
    assert refusal(clinic.ListServiceSlots, clinic_pb2.ListServiceSlotsRequest(
        service_id=service.pk, date="2026-11-24", specialist_id=999999), metadata=key) == (
        grpc.StatusCode.NOT_FOUND, "Specialist not found.")
    stranger = specialist("Вера Кузнецова", {d: [(time(9), time(18))] for d in range(5)})
    assert refusal(clinic.ListServiceSlots, clinic_pb2.ListServiceSlotsRequest(
        service_id=service.pk, date="2026-11-24", specialist_id=stranger.pk), metadata=key) == (
        grpc.StatusCode.INVALID_ARGUMENT, "Вера Кузнецова does not perform УЗИ брюшной полости.")


# --- Keys, scopes and the rate limit --------------------------------------------------------------


def test_a_call_without_a_key_or_with_a_wrong_one_is_unauthenticated(clinic, partner_key, catalogue):
    request = clinic_pb2.ListItemsRequest()
    assert refusal(clinic.ListItems, request)[0] == grpc.StatusCode.UNAUTHENTICATED
    assert refusal(clinic.ListItems, request, metadata=(("x-api-key", "  "),))[0] == grpc.StatusCode.UNAUTHENTICATED
    wrong = partner_key[1][:-1] + ("A" if partner_key[1][-1] != "A" else "B")
    code, message = refusal(clinic.ListItems, request, metadata=(("x-api-key", wrong),))
    assert (code, message) == (grpc.StatusCode.UNAUTHENTICATED, "Invalid API key.")


def test_a_key_with_an_extra_secret_needs_it_in_x_api_extra(clinic, catalogue):
    _partner, raw = factories.partner_with_key(name="Extra", extra="s3cret-extra")
    request = clinic_pb2.ListItemsRequest()
    assert refusal(clinic.ListItems, request, metadata=(("x-api-key", raw),))[0] == grpc.StatusCode.UNAUTHENTICATED
    assert refusal(clinic.ListItems, request, metadata=(("x-api-key", raw), ("x-api-extra", "wrong")))[0] == (
        grpc.StatusCode.UNAUTHENTICATED)
    answer = clinic.ListItems(request, metadata=(("x-api-key", raw), ("x-api-extra", "s3cret-extra")))
    assert len(answer.items) == 2


def test_a_key_without_the_scope_is_permission_denied_and_one_with_it_is_served(clinic, bronivik, catalogue):
    _partner, items_only = factories.partner_with_key(name="Catalogue", scopes=("read:items",))
    metadata = (("x-api-key", items_only),)
    assert len(bronivik.ListItems(bronivik_pb2.ListItemsRequest(), metadata=metadata).items) == 2
    code, message = refusal(bronivik.GetAvailability, bronivik_pb2.GetAvailabilityRequest(
        item_name="Лазер", date="2026-12-01"), metadata=metadata)
    assert (code, message) == (grpc.StatusCode.PERMISSION_DENIED, "This API key lacks the read:availability scope.")
    _partner, availability_only = factories.partner_with_key(name="Slots", scopes=("read:availability",))
    assert refusal(clinic.ListItems, clinic_pb2.ListItemsRequest(), metadata=(("x-api-key", availability_only),))[
        0] == grpc.StatusCode.PERMISSION_DENIED


def test_the_rate_limit_is_the_rest_one_and_counts_both_doors_together(clinic, catalogue, frozen):
    from tests.api.conftest import ApiClient

    _partner, raw = factories.partner_with_key(name="Slow", rate_limit=3)
    metadata = (("x-api-key", raw),)
    assert ApiClient(raw).get("/api/v1/items").status_code == 200
    clinic.ListItems(clinic_pb2.ListItemsRequest(), metadata=metadata)
    clinic.ListItems(clinic_pb2.ListItemsRequest(), metadata=metadata)
    with pytest.raises(grpc.RpcError) as limited:
        clinic.ListItems(clinic_pb2.ListItemsRequest(), metadata=metadata)
    assert limited.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    retry_after = dict(limited.value.trailing_metadata())["retry-after"]
    assert int(retry_after) >= 1 and retry_after in limited.value.details()
    assert ApiClient(raw).get("/api/v1/items").status_code == 429


# --- Invalid arguments and unknown ids ------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "words"), [
    ("2026-02-30", "2026-03-01", "start_date: This date does not exist."),
    ("01.12.2026", "2026-12-02", "start_date: Use the YYYY-MM-DD format."),
    ("", "2026-12-02", "start_date: Use the YYYY-MM-DD format."),
    ("2026-12-05", "2026-12-01", "end_date: end_date must not be before start_date."),
    ("2026-12-01", "2027-03-01", "end_date: At most 90 days per request."),
])
def test_bad_dates_and_too_long_ranges_are_invalid_arguments_with_the_rest_messages(
        clinic, key, catalogue, start, end, words):
    code, message = refusal(clinic.GetItemAvailability, clinic_pb2.GetItemAvailabilityRequest(
        item_id=catalogue["laser"].pk, start_date=start, end_date=end), metadata=key)
    assert (code, message) == (grpc.StatusCode.INVALID_ARGUMENT, words)


def test_the_bulk_limits_are_the_rest_ones(bronivik, key, catalogue):
    too_many_days = [f"2026-12-{day:02d}" for day in range(1, 32)] * 3
    code, message = refusal(bronivik.GetAvailabilityBulk, bronivik_pb2.GetAvailabilityBulkRequest(
        items=["Лазер"], dates=too_many_days), metadata=key)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("dates:")
    code, _message = refusal(bronivik.GetAvailabilityBulk, bronivik_pb2.GetAvailabilityBulkRequest(
        items=["Лазер"]), metadata=key)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, _message = refusal(bronivik.GetAvailability, bronivik_pb2.GetAvailabilityRequest(
        item_name="Лазер", date="2026-13-01"), metadata=key)
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_items_and_cabinets_are_not_found(clinic, bronivik, key, catalogue):
    assert refusal(bronivik.GetAvailability, bronivik_pb2.GetAvailabilityRequest(
        item_name="Нет такого", date="2026-12-01"), metadata=key) == (grpc.StatusCode.NOT_FOUND, "Item not found.")
    assert refusal(clinic.GetItemAvailability, clinic_pb2.GetItemAvailabilityRequest(
        item_id=10**12, start_date="2026-12-01", end_date="2026-12-01"), metadata=key)[0] == grpc.StatusCode.NOT_FOUND
    assert refusal(clinic.ListCabinetSlots, clinic_pb2.ListCabinetSlotsRequest(
        cabinet_id=0, date="2026-12-01"), metadata=key) == (grpc.StatusCode.NOT_FOUND, "Cabinet not found.")


# --- Metrics --------------------------------------------------------------------------------------


def test_every_call_is_counted_by_method_and_status_code(clinic, key, catalogue):
    method = "/clinic.booking.v1.Availability/ListItems"

    def count(code: str) -> float:
        return REGISTRY.get_sample_value("grpc_requests_total", {"method": method, "code": code}) or 0.0

    def timed() -> float:
        return REGISTRY.get_sample_value("grpc_request_duration_seconds_count", {"method": method}) or 0.0

    ok, unauthenticated, observed = count("OK"), count("UNAUTHENTICATED"), timed()
    clinic.ListItems(clinic_pb2.ListItemsRequest(), metadata=key)
    refusal(clinic.ListItems, clinic_pb2.ListItemsRequest())
    assert (count("OK") - ok, count("UNAUTHENTICATED") - unauthenticated, timed() - observed) == (1, 1, 2)
