"""Managers book weekly series in the admin, see their dates and cancel them from a date on or one by one."""

from __future__ import annotations

from django.urls import reverse

from cabinets.models import CabinetBooking, CabinetSeries
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Channel
from tests.clock import at

ADD = "admin:cabinets_cabinetseries_add"
NO_LINES = {"equipment-TOTAL_FORMS": "3", "equipment-INITIAL_FORMS": "0"}


def series_form(cabinet, starts, **extra):
    return {"cabinet": cabinet.pk, "day": starts.date().isoformat(), "start_time": starts.strftime("%H:%M"),
            "duration_minutes": "60", "every_weeks": "1", "count": "4", "until": "", "client_name": "Нина Орлова",
            "client_phone": "8 916 555-44-33", "comment": "", **NO_LINES, **extra}


def test_a_manager_books_a_series_on_the_form(manager_client, manager_user, cabinet, alice):
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10), every_weeks="2",
                                                             telegram_id=str(alice.telegram_id)))
    series = CabinetSeries.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{series.pk}/change/")
    dates = [b.starts_at for b in series.occurrences.order_by("starts_at")]
    assert dates == [at(1 + 14 * k, 10) for k in range(4)]
    assert series.created_by == manager_user and series.channel == Channel.ADMIN and series.requester == alice
    assert set(series.occurrences.values_list("status", "requester")) == {(Status.APPROVED, alice.pk)}
    page = manager_client.get(reverse("admin:cabinets_cabinetseries_change", args=[series.pk])).content.decode()
    assert "cancel-series" in page and page.count("/admin/cabinets/cabinetbooking/") >= 4


def test_a_taken_date_is_shown_as_a_form_error_and_nothing_is_booked(manager_client, cabinet, book_cabinet):
    book_cabinet(cabinet, at(8, 10))
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10)))
    assert response.status_code == 200
    assert "booking-refusal" in response.content.decode() and at(8, 10).strftime("%d.%m.%Y") in (
        response.content.decode())
    assert not CabinetSeries.objects.exists() and CabinetBooking.objects.count() == 1


def test_with_skip_the_free_dates_are_booked_and_the_skipped_reported(manager_client, cabinet, book_cabinet):
    book_cabinet(cabinet, at(8, 10))
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10), skip_conflicts="on"), follow=True)
    series = CabinetSeries.objects.get()
    assert series.occurrences.count() == 3 and [s["date"] for s in series.skipped] == [at(8, 10).date().isoformat()]
    assert "Skipped" in response.content.decode() or "Пропущены" in response.content.decode()


def test_the_form_needs_a_count_or_an_end_date(manager_client, cabinet):
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10), count=""))
    assert response.status_code == 200 and not CabinetSeries.objects.exists()
    assert response.context["form"].errors["count"]
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10), until=at(30, 0).date().isoformat()))
    assert response.context["form"].errors["until"]
    response = manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10), count="27"))
    assert response.context["form"].errors["count"]


def test_a_manager_cancels_a_series_from_a_date(manager_client, cabinet):
    manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10)))
    series = CabinetSeries.objects.get()
    url = reverse("admin:cabinets_cabinetseries_cancel", args=[series.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"from_date": at(15, 0).date().isoformat(), "reason": "переезд"})
    assert response.status_code == 302
    statuses = list(series.occurrences.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.CANCELLED, Status.CANCELLED]
    assert set(series.occurrences.filter(status=Status.CANCELLED).values_list("status_reason", flat=True)) == {
        "переезд"}


def test_the_list_action_cancels_every_upcoming_date(manager_client, cabinet):
    manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10)))
    series = CabinetSeries.objects.get()
    manager_client.post(reverse("admin:cabinets_cabinetseries_changelist"),
                        {"action": "cancel_upcoming", "_selected_action": [series.pk]})
    series.refresh_from_db()
    assert series.status == Status.CANCELLED
    assert not series.occurrences.filter(status__in=HOLDING_STATUSES).exists()


def test_one_date_is_cancelled_alone_with_the_booking_action(manager_client, cabinet):
    manager_client.post(reverse(ADD), series_form(cabinet, at(1, 10)))
    second = CabinetBooking.objects.get(series_index=2)
    manager_client.post(reverse("admin:cabinets_cabinetbooking_changelist"),
                        {"action": "cancel_selected", "_selected_action": [second.pk], "apply": "1",
                         "reason": "заболела"})
    statuses = list(CabinetBooking.objects.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.CANCELLED, Status.APPROVED, Status.APPROVED]
    assert CabinetSeries.objects.get().status == Status.APPROVED


def test_the_manager_panel_links_to_the_series_form(manager_client):
    page = manager_client.get(reverse("admin:index")).content.decode()
    assert reverse(ADD) in page
    assert manager_client.get(reverse(ADD)).status_code == 200
