"""What a client of the booking page notices: one reference per booking whatever its kind, the form filled
with what they gave last time, "required" for an empty field, and a Cabinets tab that opens on a day
with something free."""

from datetime import date, timedelta

import pytest

from tests import factories
from tests.integrations.webapp.test_api import EQUIPMENT, cabinet_request

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)  # NOW's day


def test_an_equipment_and_a_cabinet_booking_have_references_that_cannot_be_confused(ann, catalogue):
    equipment = ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk}).json()["booking"]
    cabinet = ann.post("/bookings", cabinet_request(catalogue)).json()["booking"]
    assert equipment["reference"] == f"E-{equipment['id']}"
    assert cabinet["reference"] == f"C-{cabinet['id']}"
    listed = {b["reference"] for b in ann.get("/me").json()["bookings"]}
    assert listed == {equipment["reference"], cabinet["reference"]}


def test_the_form_starts_with_the_name_and_phone_of_the_last_booking(ann, catalogue):
    before = ann.get("/me").json()["user"]
    assert (before["name"], before["phone"]) == ("Ann", "")  # nothing booked yet: the Telegram name
    ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk, "client_name": "Анна Смирнова",
                           "client_phone": "8 999 123 45 67"})
    after = ann.get("/me").json()["user"]
    assert (after["name"], after["phone"]) == ("Анна Смирнова", "+7 999 123-45-67")


def test_a_manager_booking_for_clients_gets_no_clients_details_in_the_form(mini_app_user, catalogue, manager):
    maria = mini_app_user(9001, first_name="Maria")
    maria.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk})
    assert maria.get("/me").json()["user"]["name"] == "Maria"


@pytest.mark.parametrize(("language", "field", "said"), [
    ("en", "client_phone", "The phone number is required."),
    ("en", "client_name", "The client's name is required."),
    ("ru", "client_phone", "Укажите номер телефона: это обязательное поле."),
])
def test_an_empty_name_or_phone_is_required_not_invalid(mini_app_user, catalogue, language, field, said):
    user = mini_app_user(1001, language=language)
    answer = user.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk, field: ""})
    assert answer.status_code == 400
    assert answer.json()["error"] == said
    assert answer.json()["details"] == {"field": field}


def test_the_cabinets_day_can_start_at_the_first_day_with_a_free_slot(client, catalogue, clock):
    factories.closure(catalogue["cabinet"], MONDAY)
    factories.closure(catalogue["cabinet"], MONDAY + timedelta(days=1))
    asked = client.get("/app/api/cabinets/day", {"date": MONDAY.isoformat()}).json()
    assert asked["date"] == "2026-11-23" and not any(s["state"] == "free" for s in asked["cabinets"][0]["slots"])
    first = client.get("/app/api/cabinets/day", {"date": MONDAY.isoformat(), "first_free": "1"}).json()
    assert first["date"] == "2026-11-25"
    assert [s["start"] for s in first["cabinets"][0]["slots"] if s["state"] == "free"][:2] == ["09:00", "09:30"]


def test_with_nothing_free_in_the_window_the_first_free_day_is_the_day_asked(client, catalogue, clock, settings):
    settings.CABINET_MAX_ADVANCE_DAYS = 9
    for n in range(10):
        factories.closure(catalogue["cabinet"], MONDAY + timedelta(days=n))
    answer = client.get("/app/api/cabinets/day", {"date": MONDAY.isoformat(), "first_free": "1"})
    assert answer.status_code == 200 and answer.json()["date"] == "2026-11-23"
