"""Partners book weekly cabinet series through POST /api/v1/cabinet-bookings with "repeat", read them and
cancel them from a date on through /api/v1/cabinet-series/{id}."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cabinets.models import CabinetBooking, CabinetSeries
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import MSK

pytestmark = pytest.mark.django_db

SERIES = {"starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 60, "client_name": "Иван Петров",
          "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-900",
          "repeat": {"every_weeks": 1, "count": 4}}


def series_request(cabinet, **changes):
    repeat = {**SERIES["repeat"], **changes.pop("repeat", {})}
    for key in [k for k, v in repeat.items() if v is None]:
        del repeat[key]
    return {**SERIES, "cabinet_id": cabinet.pk, "repeat": repeat, **changes}


def take(cabinet, day: date, staff, hour=10):
    return cabinet_booking_create(cabinet=cabinet, starts_at=datetime(day.year, day.month, day.day, hour, tzinfo=MSK),
                                  duration_minutes=60, client_name="Другой Клиент", client_phone="+79990000009",
                                  actor=Actor.staff(staff), channel=Channel.ADMIN, now=datetime(2026, 11, 23, 9,
                                                                                                tzinfo=MSK))


def test_it_books_every_week_for_a_count_with_ids_per_occurrence(api, cabinet):
    response = api.post("/api/v1/cabinet-bookings", series_request(cabinet))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [o["starts_at"] for o in body["occurrences"]] == [
        "2026-11-24T10:00:00+03:00", "2026-12-01T10:00:00+03:00", "2026-12-08T10:00:00+03:00",
        "2026-12-15T10:00:00+03:00"]
    assert [o["external_booking_id"] for o in body["occurrences"]] == [f"crm-900#{i}" for i in range(1, 5)]
    assert body["skipped"] == [] and body["status"] == "approved" and body["every_weeks"] == 1
    one = api.get("/api/v1/cabinet-bookings/crm-900%233").json()
    assert one["starts_at"] == "2026-12-08T10:00:00+03:00" and one["series_id"] == body["id"]
    assert api.get(f"/api/v1/cabinet-series/{body['id']}").json() == body


def test_it_books_all_or_nothing_and_lists_the_conflicting_dates(api, cabinet, staff):
    take(cabinet, date(2026, 12, 8), staff)
    factories.holiday(date(2026, 12, 1), "День клиники")
    response = api.post("/api/v1/cabinet-bookings", series_request(cabinet))
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "series_conflict"
    assert [(c["date"], c["code"]) for c in error["details"]["conflicts"]] == [
        ("2026-12-01", "closed"), ("2026-12-08", "slot_taken")]
    assert "01.12.2026" in error["error"] and "08.12.2026" in error["error"]
    assert not CabinetSeries.objects.exists()
    assert CabinetBooking.objects.count() == 1  # only the one that was there


def test_with_skip_conflicts_it_books_the_free_dates_and_returns_the_skipped(api, cabinet, staff):
    take(cabinet, date(2026, 12, 8), staff)
    response = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"skip_conflicts": True}))
    assert response.status_code == 201
    body = response.json()
    assert [o["index"] for o in body["occurrences"]] == [1, 2, 4]
    assert [(s["date"], s["code"]) for s in body["skipped"]] == [("2026-12-08", "slot_taken")]


def test_it_repeats_every_two_weeks_until_a_date(api, cabinet):
    request = series_request(cabinet, repeat={"every_weeks": 2, "count": None, "until": "2026-12-31"})
    body = api.post("/api/v1/cabinet-bookings", request).json()
    assert [o["starts_at"][:10] for o in body["occurrences"]] == ["2026-11-24", "2026-12-08", "2026-12-22"]
    assert body["until"] == "2026-12-31" and body["count"] is None


def test_later_dates_may_lie_beyond_the_single_booking_advance_limit(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"count": 8})).json()
    assert body["occurrences"][-1]["starts_at"] == "2027-01-12T10:00:00+03:00"  # 50 days ahead


def test_a_series_starting_too_far_ahead_is_refused(api, cabinet):
    response = api.post("/api/v1/cabinet-bookings", series_request(cabinet, starts_at="2027-01-12T10:00:00+03:00"))
    assert response.status_code == 400 and response.json()["code"] == "too_far_ahead"


def test_equipment_is_booked_with_every_occurrence(api, cabinet, accent):
    body = api.post("/api/v1/cabinet-bookings", series_request(
        cabinet, equipment=[{"item_id": accent.pk, "units": 2}])).json()
    assert body["equipment"] == [{"item_id": accent.pk, "units": 2}]
    assert EquipmentBooking.objects.filter(item=accent, units=2, cabinet_booking__series_id=body["id"]).count() == 4


def test_equipment_that_is_full_on_one_date_is_a_conflict_of_that_date(api, cabinet, infini, staff):
    other = factories.with_week(factories.CabinetFactory())
    cabinet_booking_create(cabinet=other, starts_at=datetime(2026, 12, 1, 10, 30, tzinfo=MSK), duration_minutes=30,
                           client_name="Другой Клиент", client_phone="+79990000009", equipment=[(infini, 1)],
                           actor=Actor.staff(staff), channel=Channel.ADMIN, now=datetime(2026, 11, 23, 9, tzinfo=MSK))
    error = api.post("/api/v1/cabinet-bookings", series_request(
        cabinet, equipment=[{"item_id": infini.pk, "units": 1}])).json()
    assert error["code"] == "series_conflict"
    assert [(c["date"], c["code"]) for c in error["details"]["conflicts"]] == [("2026-12-01", "no_capacity")]


def test_a_replay_returns_the_original_series_and_different_data_is_409(api, cabinet, staff):
    first = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"skip_conflicts": True}))
    take(cabinet, date(2026, 12, 15), staff, hour=15)  # the state changes; the replay still answers the same
    again = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"skip_conflicts": True}))
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CabinetSeries.objects.count() == 1 and CabinetBooking.objects.filter(series__isnull=False).count() == 4
    other = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"count": 5}))
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"


def test_an_idempotency_key_replays_the_series(api, cabinet):
    first = api.post("/api/v1/cabinet-bookings", series_request(cabinet), **{"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/cabinet-bookings", series_request(cabinet), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json() == first.json()
    single = {**series_request(cabinet, external_booking_id="crm-901")}
    del single["repeat"]
    reused = api.post("/api/v1/cabinet-bookings", single, **{"Idempotency-Key": "k-1"})
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_conflict"


def test_a_series_cannot_take_the_id_of_a_single_booking(api, cabinet):
    single = series_request(cabinet, external_booking_id="crm-900#2", starts_at="2026-11-25T15:00:00+03:00")
    del single["repeat"]
    assert api.post("/api/v1/cabinet-bookings", single).status_code == 201
    response = api.post("/api/v1/cabinet-bookings", series_request(cabinet))
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"


def test_a_cancelled_series_id_cannot_be_used_again(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    assert api.delete(f"/api/v1/cabinet-series/{body['id']}").json()["status"] == "cancelled"
    again = api.post("/api/v1/cabinet-bookings", series_request(cabinet))
    assert again.status_code == 409 and again.json()["code"] == "external_id_reused"


def test_it_cancels_a_series_from_a_date_on(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    response = api.delete(f"/api/v1/cabinet-series/{body['id']}?from=2026-12-08")
    assert response.status_code == 200
    assert [o["status"] for o in response.json()["occurrences"]] == ["approved", "approved", "cancelled",
                                                                     "cancelled"]
    assert response.json()["status"] == "approved"  # two dates are still ahead
    free = api.get(f"/api/v1/cabinets/{cabinet.pk}/slots", {"date": "2026-12-08"}).json()
    assert next(s for s in free["slots"] if s["start"] == "10:00")["state"] == "free"
    again = api.delete(f"/api/v1/cabinet-series/{body['id']}?from=2026-12-08")
    assert again.status_code == 200 and again.json() == response.json()


def test_a_repeated_cancel_of_a_whole_series_answers_it_as_it_is(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    assert [o["reference"] for o in body["occurrences"]] == [f"C-{o['id']}" for o in body["occurrences"]]
    first = api.delete(f"/api/v1/cabinet-series/{body['id']}")
    again = api.delete(f"/api/v1/cabinet-series/{body['id']}")
    assert again.status_code == 200 and again.json() == first.json() and again.json()["status"] == "cancelled"


def test_one_occurrence_is_cancelled_alone(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    assert api.delete("/api/v1/cabinet-bookings/crm-900%232").json()["status"] == "cancelled"
    statuses = [o["status"] for o in api.get(f"/api/v1/cabinet-series/{body['id']}").json()["occurrences"]]
    assert statuses == ["approved", "cancelled", "approved", "approved"]


def test_another_partners_series_is_404(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    other = factories.partner_with_key(name="OtherCRM")[1]
    from tests.api.conftest import ApiClient

    assert ApiClient(other).get(f"/api/v1/cabinet-series/{body['id']}").status_code == 404
    assert ApiClient(other).delete(f"/api/v1/cabinet-series/{body['id']}").status_code == 404
    assert CabinetBooking.objects.filter(status__in=HOLDING_STATUSES).count() == 4


@pytest.mark.parametrize("repeat", [
    {"every_weeks": 0, "count": 4}, {"every_weeks": 5, "count": 4}, {"every_weeks": 1, "count": 27},
    {"every_weeks": 1, "count": 0}, {"every_weeks": 1, "count": 4, "until": "2026-12-31"}, {"every_weeks": 1},
    {"every_weeks": 1, "until": "31.12.2026"}, {"every_weeks": "x", "count": 2}, {"count": 2},
    {"every_weeks": 1, "count": 2, "weekday": 3}, "weekly", [1], {"every_weeks": 1, "count": True},
])
def test_a_bad_repeat_is_400(api, cabinet, repeat):
    request = {**series_request(cabinet), "repeat": repeat}
    response = api.post("/api/v1/cabinet-bookings", request)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert not CabinetSeries.objects.exists()


def test_until_before_the_start_or_beyond_26_dates_is_400(api, cabinet):
    before = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"count": None,
                                                                                    "until": "2026-11-20"}))
    assert before.status_code == 400 and before.json()["code"] == "invalid"
    beyond = api.post("/api/v1/cabinet-bookings", series_request(cabinet, repeat={"count": None,
                                                                                    "until": "2027-06-30"}))
    assert beyond.status_code == 400 and beyond.json()["code"] == "series_too_long"


def test_a_bad_cancel_date_is_400_and_an_unknown_series_404(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    assert api.delete(f"/api/v1/cabinet-series/{body['id']}?from=08.12.2026").status_code == 400
    assert api.get("/api/v1/cabinet-series/999999").status_code == 404


def test_cancelling_a_series_whose_dates_all_completed_is_still_409(api, cabinet):
    body = api.post("/api/v1/cabinet-bookings", series_request(cabinet)).json()
    CabinetBooking.objects.filter(series_id=body["id"]).update(status="completed")
    response = api.delete(f"/api/v1/cabinet-series/{body['id']}")
    assert response.status_code == 409 and response.json()["code"] == "bad_transition"
