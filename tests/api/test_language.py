"""Partners read English messages by default and Russian ones when they ask for them."""

from tests import factories


def test_errors_are_english_unless_the_partner_asks_for_another_language(api):
    item = factories.ItemFactory(name="Accent", quantity=1)
    body = {"device_id": item.pk, "date": "2026-11-22", "external_booking_id": "crm-1",
            "client_name": "Иван Петров", "client_phone": "+79991234567"}
    english = api.post("/api/book-device", body)
    assert english.status_code == 400
    assert english.json()["error"] == "You cannot book a date in the past."
    russian = api.post("/api/book-device", body, **{"Accept-Language": "ru"})
    assert russian.json()["error"] == "Нельзя забронировать прошедшую дату."
    assert russian.json()["code"] == english.json()["code"] == "date_in_past"


def test_api_framework_messages_are_translated_too(api):
    assert api.get("/api/v1/nothing-here").json()["error"] == "No such endpoint."
    assert api.get("/api/v1/nothing-here", **{"Accept-Language": "ru"}).json()["error"] == "Такого адреса нет."

