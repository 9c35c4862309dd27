"""Every partner create takes the client's optional `client_birthday` (YYYY-MM-DD, not in the future) and
`client_email`, stored on the client record of the phone; anything else is a 400 JSON error that books nothing."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Client
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from tests.api.test_auth_and_errors import assert_error

pytestmark = pytest.mark.django_db

CLIENT = {"client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"}


def equipment(accent, **fields):
    return ("/api/v1/equipment-bookings", {"item_id": accent.pk, "start_date": "2026-12-01", "end_date": "2026-12-01",
                                           "units": 1, "external_booking_id": "crm-1", **CLIENT, **fields})


def cabinet_booking(cabinet, **fields):
    return ("/api/v1/cabinet-bookings", {"cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00",
                                         "duration_minutes": 60, "external_booking_id": "crm-2", **CLIENT, **fields})


def series(cabinet, **fields):
    path, body = cabinet_booking(cabinet, **fields)
    return path, {**body, "repeat": {"every_weeks": 1, "count": 2}}


def book_device(accent, **fields):
    return ("/api/book-device", {"device_id": accent.pk, "date": "2026-12-01", "external_booking_id": "crm-3",
                                 **CLIENT, **fields})


@pytest.fixture(params=[equipment, cabinet_booking, series, book_device], ids=lambda make: make.__name__)
def create(request, accent, cabinet):
    resource = cabinet if request.param in (cabinet_booking, series) else accent
    return lambda **fields: request.param(resource, **fields)


def test_the_birthday_and_email_reach_the_client_of_the_phone(api, create):
    path, body = create(client_birthday="1985-04-12", client_email="Ivan.Petrov@Example.com")

    response = api.post(path, body)

    assert response.status_code in (200, 201), response.content
    client = Client.objects.get()
    assert (client.phone, client.name, client.birthday, client.email) == (
        "+79991234567", "Иван Петров", date(1985, 4, 12), "Ivan.Petrov@example.com")
    bookings = [*EquipmentBooking.objects.all(), *CabinetBooking.objects.all()]
    assert bookings and {booking.client_id for booking in bookings} == {client.pk}


def test_leaving_them_out_keeps_what_the_client_gave_before(api, create):
    Client.objects.create(phone="+79991234567", name="Иван Петров", birthday=date(1985, 4, 12),
                          email="ivan@example.com")

    path, body = create()
    assert api.post(path, body).status_code in (200, 201)

    client = Client.objects.get()
    assert (client.birthday, client.email) == (date(1985, 4, 12), "ivan@example.com")


@pytest.mark.parametrize(("fields", "field"), [
    ({"client_birthday": "12.04.1985"}, "client_birthday"),
    ({"client_birthday": "1985-02-30"}, "client_birthday"),
    ({"client_birthday": "2026-11-24"}, "client_birthday"),  # tomorrow
    ({"client_birthday": "1899-12-31"}, "client_birthday"),
    ({"client_birthday": 19850412}, "client_birthday"),
    ({"client_email": "ivan@"}, "client_email"),
    ({"client_email": "ivan petrov@example.com"}, "client_email"),
])
def test_a_birthday_or_email_that_cannot_be_is_a_400_naming_it_and_books_nothing(api, create, fields, field):
    path, body = create(**fields)

    answer = assert_error(api.post(path, body), 400, "invalid")

    assert field in answer["error"] or answer["details"]["field"] == field
    assert not Client.objects.exists()
    assert not EquipmentBooking.objects.exists() and not CabinetBooking.objects.exists()


def test_a_repeat_with_other_client_details_replays_the_booking_and_leaves_the_client(api, accent):
    path, body = equipment(accent, client_email="first@example.com")
    first = api.post(path, body)

    again = api.post(path, {**body, "client_email": "second@example.com"})

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Client.objects.get().email == "first@example.com"
