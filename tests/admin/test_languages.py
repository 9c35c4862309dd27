"""The admin speaks Russian by default and English when asked, including the services' refusals."""

from django.urls import reverse

from tests.clock import at


def test_the_manager_panel_is_in_russian_by_default(manager_client):
    page = manager_client.get(reverse("admin:index")).content.decode()

    assert "Панель менеджера" in page and "Расписание на день" in page


def test_the_manager_panel_is_in_english_when_the_browser_asks(manager_client):
    page = manager_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Manager panel" in page and "Day schedule" in page


def test_a_service_refusal_is_shown_in_the_managers_language(manager_client, cabinet, book_cabinet):
    book_cabinet(cabinet, at(1, 10))
    data = {"cabinet": cabinet.pk, "day": at(1, 0).date().isoformat(), "start_time": "10:00",
            "duration_minutes": "30", "client_name": "Нина Орлова", "client_phone": "+79165554433",
            "equipment-TOTAL_FORMS": "0", "equipment-INITIAL_FORMS": "0"}
    url = reverse("admin:cabinets_cabinetbooking_add")

    russian = manager_client.post(url, data).context["form"].non_field_errors()[0]
    english = manager_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").context["form"].non_field_errors()[0]

    assert russian == "10:00 в кабинете «Кабинет 1» уже занято."
    assert english == "10:00 in Кабинет 1 is already taken."


def test_the_language_can_be_switched_from_the_index(manager_client):
    manager_client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})

    assert "Manager panel" in manager_client.get(reverse("admin:index")).content.decode()
