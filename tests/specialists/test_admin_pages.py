"""The admin around appointments: the cabinet booking list names the service and the specialist and filters by
them, the day grid names the specialist, the Specialists' day puts each appointment under its specialist, a
manager books a service on the phone, and only those allowed see these pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from cabinets.models import CabinetBooking
from kernel.bookings import Status
from tests import factories
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, frozen):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return client


def test_the_booking_list_shows_service_and_specialist_and_filters_by_specialist(manager, book, ultrasound, anna,
                                                                                  boris):
    book(ultrasound, at(TUE, 10), specialist=anna, name="Ольга")
    book(ultrasound, at(TUE, 11), specialist=boris, name="Пётр")
    url = reverse("admin:cabinets_cabinetbooking_changelist")
    page = manager.get(url, {"specialist__id__exact": boris.pk}).content.decode()
    assert "Пётр" in page and "Ольга" not in page
    assert "УЗИ брюшной полости" in page and "Борис Иванов" in page
    assert manager.get(url, {"service__id__exact": ultrasound.pk}).status_code == 200


def test_the_day_grid_names_the_specialist_in_the_booked_cell(manager, book, ultrasound, anna):
    booking = book(ultrasound, at(TUE, 10), specialist=anna)
    page = manager.get(reverse("admin:cabinets_day_schedule"), {"date": TUE.isoformat()}).content.decode()
    assert f'data-booking="{booking.pk}"' in page
    assert f'data-specialist="{anna.pk}">Анна Смирнова<' in page


def test_the_specialists_day_puts_each_appointment_in_its_specialist_s_column(manager, book, ultrasound, anna,
                                                                                boris):
    first = book(ultrasound, at(TUE, 10), specialist=anna, name="Ольга")
    second = book(ultrasound, at(TUE, 11), specialist=boris, name="Пётр")
    response = manager.get(reverse("admin:specialists_day"), {"date": TUE.isoformat()})
    assert response.status_code == 200
    schedule = response.context["schedule"]
    assert [p.name for p in schedule.specialists] == ["Анна Смирнова", "Борис Иванов"]
    cells = {row.starts_at: row.cells for row in schedule.rows}
    assert cells[at(TUE, 10)][0].booking == first and cells[at(TUE, 10)][0].rowspan == 2
    assert cells[at(TUE, 10, 30)][0] is None  # spanned by the hour-long appointment above
    assert cells[at(TUE, 11)][1].booking == second
    assert cells[at(TUE, 9)][1].kind == "off"  # Борис starts at 10
    assert cells[at(TUE, 13)][0].kind == "off" and cells[at(TUE, 13)][1].kind == "free"  # Анна's lunch
    assert "Ольга" in response.content.decode()


def test_the_manager_panel_links_the_specialists_day(manager):
    page = manager.get(reverse("admin:index")).content.decode()
    assert reverse("admin:specialists_day") in page and reverse("admin:specialists_book") in page


def test_staff_without_booking_permissions_cannot_open_the_specialists_pages(client, frozen):
    client.force_login(factories.StaffUserFactory(username="intern"))
    assert client.get(reverse("admin:specialists_day")).status_code == 403
    assert client.get(reverse("admin:specialists_book")).status_code == 403


def phone_booking(service, specialist=None, day=TUE, start="15:00", **more):
    return {"service": service.pk, "specialist": specialist.pk if specialist else "", "day": day.isoformat(),
            "start_time": start, "client_name": "Ирина Котова", "client_phone": "+7 999 765-43-21", **more}


def test_a_manager_books_a_service_by_phone_with_any_specialist(manager, ultrasound, anna, boris):
    response = manager.post(reverse("admin:specialists_book"), phone_booking(ultrasound, start="09:00"))
    booking = CabinetBooking.objects.get()
    assert response.status_code == 302
    assert (booking.service, booking.specialist, booking.status) == (ultrasound, anna, Status.APPROVED)
    assert booking.channel == "admin" and booking.client_name == "Ирина Котова"


def test_a_busy_specialist_is_a_form_error_and_nothing_is_booked(manager, book, ultrasound, anna):
    book(ultrasound, at(TUE, 15), specialist=anna)
    response = manager.post(reverse("admin:specialists_book"), phone_booking(ultrasound, anna))
    assert response.status_code == 200
    [refusal] = response.context["form"].non_field_errors()
    assert "Анна Смирнова" in refusal and "15:00" in refusal
    assert 'id="booking-refusal"' in response.content.decode()
    assert CabinetBooking.objects.count() == 1


def test_the_phone_booking_offers_the_free_times_of_the_day(manager, ultrasound, boris):
    response = manager.get(reverse("admin:specialists_book"), {"service": ultrasound.pk, "specialist": boris.pk,
                                                               "day": TUE.isoformat()})
    labels = [slot["label"] for slot in response.context["free_slots"]]
    assert labels[0] == "10:00" and labels[-1] == "18:00"


@pytest.mark.parametrize("query", [{"service": "x", "day": "2026-11-24"}, {"service": "1", "day": "2026-02-30"},
                                   {"service": "99999999999999999999", "day": "2026-11-24"}])
def test_odd_queries_of_the_phone_booking_still_open_the_form(manager, ultrasound, query):
    assert manager.get(reverse("admin:specialists_book"), query).status_code == 200


def test_managers_may_edit_specialists_and_services(manager, ultrasound, anna):
    assert manager.get(reverse("admin:specialists_specialist_change", args=[anna.pk])).status_code == 200
    assert manager.get(reverse("admin:specialists_service_change", args=[ultrasound.pk])).status_code == 200


def test_the_statistics_page_shows_each_specialist_s_booked_hours_and_utilisation(manager, book, ultrasound, anna,
                                                                                   boris):
    book(ultrasound, at(TUE, 10), specialist=anna)
    book(ultrasound, at(TUE, 11), specialist=anna)
    response = manager.get(reverse("admin:clinic_statistics"))
    [section] = [s for s in response.context["sections"] if s["id"] == "specialist-utilisation"]
    rows = {row["cells"][0]: row for row in section["rows"]}
    # Анна works 8 h a weekday: 22 weekdays in the 30 days from Monday 23.11 are 176 h, 2 of them booked.
    assert rows["Анна Смирнова"]["cells"][1:] == [2.0, 176.0] and rows["Анна Смирнова"]["percent"] == 1
    assert rows["Борис Иванов"]["cells"][1:] == [0, 198.0] and rows["Борис Иванов"]["percent"] == 0
    assert 'id="specialist-utilisation"' in response.content.decode()
