"""The booking page's Services tab over JSON: the services by category with who performs them, a service's
days with their free times, an appointment with a chosen specialist or any, refusals as the page's 4xx, and
My bookings naming the service and the specialist."""

from __future__ import annotations

import pytest

from cabinets.models import CabinetBooking
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

# The specialists' cast: Анна and Борис performing an hour-long ultrasound in two cabinets.
rooms, anna, boris, ultrasound = cast.rooms, cast.anna, cast.boris, cast.ultrasound

pytestmark = pytest.mark.django_db


def test_the_services_are_listed_by_category_with_length_price_and_specialists(client, ultrasound, clock):
    answer = client.get("/app/api/services").json()
    [category] = answer["categories"]
    [service] = category["services"]
    assert category["name"] == "Диагностика"
    assert service["name"] == "УЗИ брюшной полости"
    assert (service["duration_minutes"], service["price"]) == (60, "2500.00")
    assert [s["name"] for s in service["specialists"]] == ["Анна Смирнова", "Борис Иванов"]


def test_a_service_s_days_mark_which_have_a_free_time(client, ultrasound, anna, clock):
    days = client.get(f"/app/api/services/{ultrasound.pk}/days", {"from": TUE.isoformat(),
                                                                   "specialist_id": anna.pk}).json()["days"]
    tuesday, saturday = days[0], days[4]
    assert tuesday["date"] == "2026-11-24" and tuesday["reason"] is None
    assert tuesday["slots"][0] == {"starts_at": at(TUE, 9).isoformat(), "specialist_ids": [anna.pk]}
    assert saturday["reason"] == "day_off" and saturday["slots"] == []


def test_booking_a_service_with_any_specialist_names_the_specialist_and_the_cabinet(ann, ultrasound, clock):
    response = ann.post("/appointments", {"service_id": ultrasound.pk, "specialist_id": None,
                                          "starts_at": at(TUE, 11).isoformat(), "client_name": "Анна Петрова",
                                          "client_phone": "+79991234567"})
    assert response.status_code == 201, response.content
    booking = response.json()["booking"]
    assert booking["service"] == "УЗИ брюшной полости"
    assert booking["specialist"] in ("Анна Смирнова", "Борис Иванов")
    assert booking["cabinet"] == "Кабинет УЗИ 1"
    appointment = CabinetBooking.objects.get(pk=booking["id"])
    assert appointment.service == ultrasound and appointment.channel == "webapp"


def test_my_bookings_show_the_appointment_with_its_service_and_specialist(ann, ultrasound, boris, clock):
    ann.post("/appointments", {"service_id": ultrasound.pk, "specialist_id": boris.pk,
                               "starts_at": at(TUE, 15).isoformat(), "client_name": "Анна Петрова",
                               "client_phone": "+79991234567"})
    [booking] = ann.get("/me").json()["bookings"]
    assert (booking["service"], booking["specialist"]) == ("УЗИ брюшной полости", "Борис Иванов")


def test_a_specialist_s_busy_time_is_refused_as_a_409_with_the_reason(ann, mini_app_user, ultrasound, anna, clock):
    asked = {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": at(TUE, 10).isoformat(),
             "client_name": "Анна Петрова", "client_phone": "+79991234567"}
    assert ann.post("/appointments", asked).status_code == 201
    response = mini_app_user(1002).post("/appointments", asked)
    assert response.status_code == 409
    assert response.json()["code"] == "specialist_busy"


def test_a_refused_time_names_the_services_alternatives_and_one_of_them_books(ann, mini_app_user, ultrasound,
                                                                              anna, boris, clock):
    asked = {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": at(TUE, 10).isoformat(),
             "client_name": "Анна Петрова", "client_phone": "+79991234567"}
    assert mini_app_user(1002).post("/appointments", asked).status_code == 201
    refused = ann.post("/appointments", asked)
    assert refused.status_code == 409
    offers = refused.json()["details"]["alternatives"]
    assert offers[:3] == [  # Анна's nearest times that day, then Борис at the asked time
        {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": "2026-11-24T09:00:00+03:00"},
        {"service_id": ultrasound.pk, "specialist_id": anna.pk, "starts_at": "2026-11-24T11:00:00+03:00"},
        {"service_id": ultrasound.pk, "specialist_id": boris.pk, "starts_at": "2026-11-24T10:00:00+03:00"}]
    again = ann.post("/appointments", {**asked, **offers[2]})
    assert again.status_code == 201 and again.json()["booking"]["specialist"] == "Борис Иванов"


def test_outside_the_specialist_s_hours_is_refused(ann, ultrasound, anna, clock):
    response = ann.post("/appointments", {"service_id": ultrasound.pk, "specialist_id": anna.pk,
                                          "starts_at": at(TUE, 13).isoformat(), "client_name": "Анна Петрова",
                                          "client_phone": "+79991234567"})
    assert response.status_code == 409
    assert response.json()["code"] == "outside_hours"


@pytest.mark.parametrize("body", [
    {"service_id": "x", "starts_at": "2026-11-24T11:00:00+03:00"},
    {"service_id": 10**12, "starts_at": "2026-11-24T11:00:00+03:00"},
    {"service_id": 1, "starts_at": "tomorrow"},
    {"service_id": 1, "specialist_id": [1], "starts_at": "2026-11-24T11:00:00+03:00"},
    {"service_id": 1, "starts_at": "2026-11-24T11:00:00+03:00", "client_name": 5},
])
def test_a_malformed_appointment_is_a_400_naming_the_field(ann, ultrasound, clock, body):
    response = ann.post("/appointments", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_unknown_service_or_a_specialist_who_does_not_perform_it_is_a_404(ann, client, ultrasound, clock):
    from specialists.models import Specialist

    outsider = Specialist.objects.create(name="Вера")
    assert client.get(f"/app/api/services/{ultrasound.pk + 100}/days").status_code == 404
    assert client.get(f"/app/api/services/{ultrasound.pk}/days", {"specialist_id": outsider.pk}).status_code == 404
    assert client.get(f"/app/api/services/{ultrasound.pk}/days", {"from": "2026-02-30"}).status_code == 400


def test_booking_a_service_needs_a_signed_telegram_session(client, ultrasound, clock):
    response = client.post("/app/api/appointments", data="{}", content_type="application/json")
    assert response.status_code == 401
