"""Holidays, closures and weekly hours are saved through the services: a change that would strand bookings
lists them and is refused unless the manager ticks cancel-and-notify."""

from datetime import time

from django.urls import reverse

from cabinets.models import Cabinet, Closure, Holiday, WeeklySchedule
from kernel.bookings import Status
from tests.clock import at


def schedule_formset(cabinet, changes=None, **extra):
    data = {"name": cabinet.name, "number": cabinet.number, "capacity": "1", "sort_order": "0",
            "is_active": "on", "schedules-TOTAL_FORMS": "7", "schedules-INITIAL_FORMS": "7",
            "schedules-MIN_NUM_FORMS": "0", "schedules-MAX_NUM_FORMS": "7", **extra}
    for index, row in enumerate(cabinet.schedules.order_by("weekday")):
        values = {"id": row.pk, "cabinet": cabinet.pk, "weekday": row.weekday, "opens": "09:00",
                  "closes": "21:00", "slot_minutes": "30", "lunch_start": "13:00", "lunch_end": "14:00"}
        values.update((changes or {}).get(row.weekday, {}))
        for key, value in values.items():
            if value is not None:
                data[f"schedules-{index}-{key}"] = value
    return data


def test_a_holiday_that_strands_bookings_is_refused_with_the_list(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(2, 10))

    response = manager_client.post(reverse("admin:cabinets_holiday_add"),
                                   {"date": at(2, 0).date().isoformat(), "name": "День здоровья"})

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert booking.reference in errors
    assert not Holiday.objects.exists()
    booking.refresh_from_db()
    assert booking.status == Status.PENDING


def test_a_holiday_with_cancel_and_notify_cancels_the_bookings(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(2, 10))

    response = manager_client.post(reverse("admin:cabinets_holiday_add"), {
        "date": at(2, 0).date().isoformat(), "name": "День здоровья", "cancel_affected": "on"})

    assert response.status_code == 302
    assert Holiday.objects.get().name == "День здоровья"
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


def test_a_holiday_on_a_quiet_day_is_saved(manager_client, cabinet):
    manager_client.post(reverse("admin:cabinets_holiday_add"), {"date": at(9, 0).date().isoformat(), "name": "Х"})

    assert Holiday.objects.filter(date=at(9, 0).date()).exists()


def test_a_partial_closure_refuses_only_when_it_overlaps_a_booking(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(2, 10))
    url = reverse("admin:cabinets_closure_add")
    base = {"cabinet": cabinet.pk, "date": at(2, 0).date().isoformat(), "reason": "Уборка"}

    refused = manager_client.post(url, {**base, "start_time": "10:30", "end_time": "12:00"})
    saved = manager_client.post(url, {**base, "start_time": "15:00", "end_time": "16:00"})

    assert booking.reference in " ".join(refused.context["adminform"].form.non_field_errors())
    assert saved.status_code == 302
    assert list(Closure.objects.values_list("start_time", flat=True)) == [time(15)]


def test_editing_a_closure_with_cancel_and_notify_cancels_the_booking(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(2, 10))
    closure = Closure.objects.create(cabinet=cabinet, date=at(2, 0).date(), start_time=time(15),
                                     end_time=time(16), reason="Уборка")

    response = manager_client.post(reverse("admin:cabinets_closure_change", args=[closure.pk]), {
        "cabinet": cabinet.pk, "date": at(2, 0).date().isoformat(), "start_time": "", "end_time": "",
        "reason": "Ремонт", "cancel_affected": "on"})

    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.start_time is None and closure.reason == "Ремонт"
    assert Closure.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


def test_new_hours_that_strand_a_booking_are_refused_and_nothing_is_saved(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))  # Tuesday
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])

    response = manager_client.post(url, schedule_formset(
        cabinet, {0: {"opens": "10:00"}, 1: {"opens": "12:00"}}, name="Новое имя"))

    assert response.status_code == 200
    assert booking.reference in response.content.decode()
    cabinet.refresh_from_db()
    assert cabinet.name == "Кабинет 1"
    assert set(WeeklySchedule.objects.filter(cabinet=cabinet).values_list("opens", flat=True)) == {time(9)}


def test_new_hours_with_cancel_and_notify_are_saved(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))

    response = manager_client.post(reverse("admin:cabinets_cabinet_change", args=[cabinet.pk]), schedule_formset(
        cabinet, {1: {"opens": "12:00"}}, cancel_affected="on"))

    assert response.status_code == 302
    assert WeeklySchedule.objects.get(cabinet=cabinet, weekday=1).opens == time(12)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


def test_a_day_off_without_bookings_is_saved(manager_client, cabinet):
    response = manager_client.post(reverse("admin:cabinets_cabinet_change", args=[cabinet.pk]), schedule_formset(
        cabinet, {6: {"is_day_off": "on", "opens": None, "closes": None, "lunch_start": None, "lunch_end": None}}))

    assert response.status_code == 302
    assert WeeklySchedule.objects.get(cabinet=cabinet, weekday=6).is_day_off


def test_a_new_cabinet_is_created_with_its_weekly_hours(manager_client):
    data = {"name": "Кабинет 7", "number": "7", "capacity": "2", "sort_order": "0", "is_active": "on",
            "schedules-TOTAL_FORMS": "1", "schedules-INITIAL_FORMS": "0", "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "7", "schedules-0-weekday": "0", "schedules-0-opens": "08:00",
            "schedules-0-closes": "20:00", "schedules-0-slot_minutes": "30"}

    response = manager_client.post(reverse("admin:cabinets_cabinet_add"), data)

    assert response.status_code == 302
    cabinet = Cabinet.objects.get(name="Кабинет 7")
    assert cabinet.schedules.get().opens == time(8)
