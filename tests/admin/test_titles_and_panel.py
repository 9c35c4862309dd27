"""What a new manager reads: a booking named by its reference, resource, clinic time and client; the
manager's pages in the sidebar and above the booking lists; "View site" leading to the booking page."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from cabinets.models import CabinetSeries
from tests.admin.test_series import series_form
from tests.clock import at

CABINET_LIST = "admin:cabinets_cabinetbooking_changelist"
EQUIPMENT_LIST = "admin:equipment_equipmentbooking_changelist"
pytestmark = pytest.mark.django_db


@pytest.fixture
def cabinet_booking(cabinet, book_cabinet):
    """Cabinet 1 on 24 November 11:00–12:00 Moscow time (08:00 UTC), for Ольга Иванова."""
    return book_cabinet(cabinet, at(1, 11), 60, name="Ольга Иванова")


@pytest.fixture
def equipment_booking(item, book_item):
    return book_item(item, date(2026, 12, 10), date(2026, 12, 12), units=2, name="Пётр Сидоров")


def test_a_cabinet_booking_is_named_by_reference_cabinet_clinic_time_and_client(cabinet_booking):
    with translation.override("en"):
        assert str(cabinet_booking) == f"C-{cabinet_booking.pk} · Кабинет 1 · 24 Nov 11:00–12:00 · Ольга И."
    with translation.override("ru"):
        assert str(cabinet_booking) == f"C-{cabinet_booking.pk} · Кабинет 1 · 24 ноября 11:00–12:00 · Ольга И."


def test_an_equipment_booking_is_named_by_reference_item_units_days_and_client(equipment_booking):
    with translation.override("en"):
        assert str(equipment_booking) == f"E-{equipment_booking.pk} · УЗИ-аппарат × 2 · 10–12 Dec · Пётр С."


def test_days_across_two_months_name_both_months(item, book_item):
    booking = book_item(item, date(2026, 11, 30), date(2026, 12, 2), name="Анна")
    with translation.override("en"):
        assert str(booking) == f"E-{booking.pk} · УЗИ-аппарат × 1 · 30 Nov – 2 Dec · Анна"


def test_the_booking_page_title_and_breadcrumb_name_the_booking(manager_client, cabinet_booking):
    response = manager_client.get(reverse("admin:cabinets_cabinetbooking_change", args=[cabinet_booking.pk]))

    page = response.content.decode()
    assert f"C-{cabinet_booking.pk} · Кабинет 1 · 24 ноября 11:00–12:00 · Ольга И." in page
    assert "08:00" not in page.split("<title>")[1].split("</title>")[0]


def test_the_reject_page_lists_each_booking_once_by_its_title(manager_client, cabinet_booking):
    response = manager_client.post(reverse(CABINET_LIST), {"action": "reject_selected",
                                                           "_selected_action": [str(cabinet_booking.pk)]})

    page = response.content.decode()
    assert f"<li>C-{cabinet_booking.pk} · Кабинет 1 · 24 ноября 11:00–12:00 · Ольга И." in page
    assert f"#{cabinet_booking.pk} —" not in page


def test_the_move_page_names_the_booking(manager_client, equipment_booking):
    response = manager_client.get(reverse("admin:equipment_equipmentbooking_move", args=[equipment_booking.pk]))

    assert f"Перенос: E-{equipment_booking.pk} · УЗИ-аппарат × 2 · 10–12 декабря · Пётр С." in (
        response.content.decode())


def test_the_booking_lists_show_the_reference_and_find_a_booking_by_it(manager_client, cabinet_booking,
                                                                       equipment_booking, book_cabinet, cabinet):
    other = book_cabinet(cabinet, at(1, 15))

    listed = manager_client.get(reverse(CABINET_LIST)).content.decode()
    assert f">C-{cabinet_booking.pk}<" in listed and f">C-{other.pk}<" in listed
    assert f">E-{equipment_booking.pk}<" in manager_client.get(reverse(EQUIPMENT_LIST)).content.decode()

    found = manager_client.get(reverse(CABINET_LIST), {"q": f"c-{cabinet_booking.pk}"})
    assert list(found.context["cl"].result_list) == [cabinet_booking]


def test_the_sidebar_has_a_manager_panel_with_the_schedule_occupancy_and_statistics(manager_client):
    response = manager_client.get(reverse(CABINET_LIST))

    apps = response.context["available_apps"]
    assert apps[0]["app_label"] == "manager_panel"
    links = {page["admin_url"] for page in apps[0]["models"]}
    assert {reverse("admin:cabinets_day_schedule"), reverse("admin:equipment_occupancy"),
            reverse("admin:clinic_statistics")} <= links
    page = response.content.decode()
    assert 'id="nav-sidebar"' in page and reverse("admin:equipment_occupancy") in page


def test_the_booking_lists_link_the_manager_pages_above_the_table(manager_client):
    for url_name in (CABINET_LIST, EQUIPMENT_LIST):
        page = manager_client.get(reverse(url_name)).content.decode()
        links = page.split('id="manager-links"')[1].split("</nav>")[0]
        assert reverse("admin:cabinets_day_schedule") in links
        assert reverse("admin:equipment_occupancy") in links
        assert reverse("admin:clinic_statistics") in links


def test_a_manager_without_the_bookings_sees_no_manager_panel(client, db):
    from tests import factories

    clerk = factories.StaffUserFactory(username="clerk")
    client.force_login(clerk)

    response = client.get(reverse("admin:password_change"))

    assert all(app["app_label"] != "manager_panel" for app in response.context["available_apps"])


def test_view_site_opens_the_booking_page(manager_client):
    page = manager_client.get(reverse("admin:index")).content.decode()

    assert 'href="/app/"' in page
    assert manager_client.get("/app/").status_code == 200


def test_a_series_is_named_by_cabinet_rhythm_clinic_time_and_client(manager_client, cabinet):
    manager_client.post(reverse("admin:cabinets_cabinetseries_add"),
                        series_form(cabinet, at(1, 11), every_weeks="2", client_name="Ольга Иванова"))

    series = CabinetSeries.objects.get()
    with translation.override("en"):
        assert str(series) == "Кабинет 1 · every 2 weeks from 24 Nov 11:00 · Ольга И."
    with translation.override("ru"):
        assert str(series) == "Кабинет 1 · каждые 2 недели с 24 ноября 11:00 · Ольга И."
