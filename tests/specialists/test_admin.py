"""The admin: specialists with their hours and days off on one page, services with their equipment; a
mistake is a clear form error and saves nothing."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from specialists.models import Service, ServiceEquipment, Specialist, WorkingHours
from tests import factories
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def specialist_page(name="Анна Смирнова", hours=(), days_off=(), hours_initial=0):
    return {"name": name, "is_active": "on", "sort_order": "0", **inline("hours", list(hours), hours_initial),
            **inline("days_off", list(days_off))}


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code  # the page again, with its errors
    return response.content.decode()


def test_the_lists_and_forms_open(admin_client, ultrasound):
    for name in ("specialist", "service"):
        assert admin_client.get(reverse(f"admin:specialists_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:specialists_{name}_add")).status_code == 200
    assert admin_client.get(reverse("admin:specialists_service_change", args=[ultrasound.pk])).status_code == 200


def test_a_specialist_is_saved_with_a_break_between_two_intervals_and_a_vacation(admin_client):
    response = admin_client.post(reverse("admin:specialists_specialist_add"), specialist_page(
        hours=[{"weekday": "0", "start": "09:00", "end": "13:00"}, {"weekday": "0", "start": "14:00", "end": "18:00"}],
        days_off=[{"from_date": "2027-01-01", "to_date": "2027-01-08", "note": "Каникулы"}]))
    assert response.status_code == 302
    anna = Specialist.objects.get(name="Анна Смирнова")
    assert list(anna.hours.values_list("weekday", "start", "end")) == [(0, time(9), time(13)),
                                                                        (0, time(14), time(18))]
    assert anna.days_off.count() == 1


def test_overlapping_hours_on_one_day_are_refused(admin_client):
    page = errors_of(admin_client.post(reverse("admin:specialists_specialist_add"), specialist_page(
        hours=[{"weekday": "0", "start": "09:00", "end": "13:00"},
               {"weekday": "0", "start": "12:00", "end": "18:00"}])))
    assert "overlap" in page or "пересекаются" in page
    assert not Specialist.objects.exists()


def test_hours_off_the_slot_grid_or_ending_before_they_start_are_refused(admin_client):
    page = errors_of(admin_client.post(reverse("admin:specialists_specialist_add"), specialist_page(
        hours=[{"weekday": "1", "start": "09:15", "end": "13:00"}])))
    assert "09:30" in page  # the message shows a time on the grid
    errors_of(admin_client.post(reverse("admin:specialists_specialist_add"), specialist_page(
        hours=[{"weekday": "1", "start": "13:00", "end": "09:00"}])))
    assert not WorkingHours.objects.exists()


def test_a_change_of_hours_that_would_strand_an_appointment_is_refused(admin_client, ultrasound, anna, book, frozen):
    appointment = book(ultrasound, at(TUE, 16), specialist=anna)
    rows = [{"id": str(row.pk), "specialist": str(anna.pk), "weekday": str(row.weekday),
             "start": f"{row.start:%H:%M}", "end": "15:00" if row.start == time(14) else f"{row.end:%H:%M}"}
            for row in anna.hours.all()]
    page = errors_of(admin_client.post(reverse("admin:specialists_specialist_change", args=[anna.pk]),
                                       specialist_page(hours=rows, hours_initial=len(rows))))
    assert appointment.reference in page
    assert anna.hours.filter(start=time(14), end=time(18)).count() == 5


def test_a_service_needs_a_length_in_whole_slots_and_keeps_its_equipment(admin_client, rooms, anna):
    scanner = factories.ItemFactory(name="Аппарат УЗИ")
    page = {"name": "Массаж", "category": "Процедуры", "duration_minutes": "45", "price": "1500.00",
            "is_active": "on", "sort_order": "0", "specialists": [str(anna.pk)], "cabinets": [str(rooms[0].pk)],
            **inline("equipment_lines", [{"item": str(scanner.pk), "units": "1"}])}
    errors_of(admin_client.post(reverse("admin:specialists_service_add"), page))
    assert not Service.objects.exists()
    page["duration_minutes"] = "60"
    assert admin_client.post(reverse("admin:specialists_service_add"), page).status_code == 302
    service = Service.objects.get(name="Массаж")
    assert list(service.cabinets.all()) == [rooms[0]]
    assert ServiceEquipment.objects.get(service=service).item == scanner


def test_a_negative_price_is_refused(admin_client):
    page = {"name": "Приём", "duration_minutes": "30", "price": "-1", "sort_order": "0",
            **inline("equipment_lines", [])}
    errors_of(admin_client.post(reverse("admin:specialists_service_add"), page))
    assert not Service.objects.exists()


def test_a_day_off_over_an_appointment_is_refused(admin_client, ultrasound, anna, book, frozen):
    appointment = book(ultrasound, at(TUE, 10), specialist=anna)
    rows = [{"id": str(row.pk), "specialist": str(anna.pk), "weekday": str(row.weekday),
             "start": f"{row.start:%H:%M}", "end": f"{row.end:%H:%M}"} for row in anna.hours.all()]
    page = specialist_page(hours=rows, hours_initial=len(rows),
                           days_off=[{"from_date": "2026-11-24", "to_date": "2026-11-24", "note": "Болезнь"}])
    assert appointment.reference in errors_of(
        admin_client.post(reverse("admin:specialists_specialist_change", args=[anna.pk]), page))
    assert not anna.days_off.exists()
