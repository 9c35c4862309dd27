"""The admin's revenue page (specialists/admin_revenue.py): a manager reaches it from the Manager panel, chooses
a period and reads what bookings brought per day, service, specialist, cabinet and item, in the clinic's
currency; a period the page cannot show is a form error, and staff outside the Managers group get nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.kernel.pricing.conftest import make_rule
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

# The specialists' cast: Анна and Борис performing an hour-long ultrasound (2 500 ₽) in two cabinets.
rooms, anna, boris, ultrasound, book = cast.rooms, cast.anna, cast.boris, cast.ultrasound, cast.book

pytestmark = pytest.mark.django_db
URL = "admin:clinic_revenue"


ENGLISH = {"Accept-Language": "en"}


def table(page: str, key: str) -> str:
    return page.split(f'id="revenue-{key}"')[1].split("</table>")[0]


def test_a_manager_reads_the_revenue_of_a_period_per_day_service_specialist_and_cabinet(
        manager_client, book, ultrasound, anna, boris):
    make_rule("threshold", "10", "2000.00")
    book(ultrasound, at(TUE, 9), specialist=anna)
    book(ultrasound, at(TUE, 10), specialist=boris)

    page = manager_client.get(reverse(URL), {"date_from": "2026-11-24", "date_to": "2026-11-30"},
                              headers=ENGLISH).content.decode()

    assert "Total: 4,500\u00a0₽" in page  # 2 × (2 500 − 250)
    assert "24.11.2026" in table(page, "days") and "4,500\u00a0₽" in table(page, "days")
    services = table(page, "services")
    assert "УЗИ брюшной полости" in services and "5,000\u00a0₽" in services and "−500\u00a0₽" in services
    specialists = table(page, "specialists")
    assert "Анна Смирнова" in specialists and "Борис Иванов" in specialists and "2,250\u00a0₽" in specialists
    assert "Кабинет УЗИ 1" in table(page, "cabinets")


def test_the_manager_panel_links_the_revenue_page(manager_client):
    assert reverse(URL) in manager_client.get(reverse("admin:index")).content.decode()
    assert reverse(URL) in manager_client.get(reverse("admin:cabinets_cabinetbooking_changelist")).content.decode()


def test_a_period_the_page_cannot_show_is_a_form_error(manager_client):
    page = manager_client.get(reverse(URL), {"date_from": "2026-11-30", "date_to": "2026-11-01"},
                              headers=ENGLISH).content.decode()
    assert "The end must not be before the start." in page


def test_staff_outside_the_managers_group_get_nothing(client):
    client.force_login(factories.StaffUserFactory(username="intern"))
    assert client.get(reverse(URL)).status_code == 403
