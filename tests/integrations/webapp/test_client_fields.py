"""The booking page's client fields: an optional e-mail, and the birthday asked once per client (shown only while
the client was never asked; left empty, it is skipped for good, in the bots too)."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Client
from cabinets.models import CabinetBooking
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

rooms, anna, boris, ultrasound = cast.rooms, cast.anna, cast.boris, cast.ultrasound

pytestmark = pytest.mark.django_db

EQUIPMENT = {"kind": "equipment", "start_date": "2026-11-25", "units": 1, "client_name": "Анна Смирнова",
             "client_phone": "+7 999 123-45-67"}


def book(ann, catalogue, **fields):
    return ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk, **fields})


def test_a_new_user_is_asked_for_the_birthday_and_a_given_one_and_the_email_reach_the_client(ann, catalogue):
    assert ann.get("/me").json()["user"]["ask_birthday"] is True

    response = book(ann, catalogue, client_birthday="1990-05-17", birthday_asked=True,
                    client_email="anna@example.com")

    assert response.status_code == 201, response.content
    client = Client.objects.get()
    assert (client.birthday, client.email, client.telegram_account.telegram_id) == (
        date(1990, 5, 17), "anna@example.com", 1001)
    user = ann.get("/me").json()["user"]
    assert (user["ask_birthday"], user["email"]) == (False, "anna@example.com")


def test_an_empty_birthday_the_page_asked_for_is_skipped_and_not_asked_again(ann, catalogue):
    assert book(ann, catalogue, client_birthday=None, birthday_asked=True).status_code == 201

    client = Client.objects.get()
    assert client.birthday is None and client.birthday_asked_at is not None
    assert ann.get("/me").json()["user"]["ask_birthday"] is False


def test_a_booking_that_did_not_show_the_question_does_not_count_as_asked(ann, catalogue):
    assert book(ann, catalogue).status_code == 201

    assert Client.objects.get().birthday_asked_at is None
    assert ann.get("/me").json()["user"]["ask_birthday"] is True


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"client_birthday": "17.05.1990"}, "client_birthday", "YYYY-MM-DD"),
    ({"client_birthday": "2026-11-24"}, "client_birthday", "future"),
    ({"client_email": "anna@"}, "client_email", "e-mail address is not valid"),
])
def test_a_bad_birthday_or_email_is_a_400_naming_the_field_and_books_nothing(ann, catalogue, fields, field, message):
    response = book(ann, catalogue, **fields)

    assert response.status_code == 400, response.content
    assert response.json()["details"]["field"] == field and message in response.json()["error"]
    assert not Client.objects.exists()


def test_an_appointment_from_the_page_takes_the_birthday_and_email_too(ann, ultrasound, clock):
    response = ann.post("/appointments", {"service_id": ultrasound.pk, "specialist_id": None,
                                          "starts_at": at(TUE, 11).isoformat(), "client_name": "Анна Петрова",
                                          "client_phone": "+79991234567", "client_birthday": "1985-03-03",
                                          "client_email": "anna@example.com", "birthday_asked": True})

    assert response.status_code == 201, response.content
    appointment = CabinetBooking.objects.get(pk=response.json()["booking"]["id"])
    assert (appointment.client.birthday, appointment.client.email) == (date(1985, 3, 3), "anna@example.com")
