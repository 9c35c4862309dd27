"""Catalogue edits that would strand bookings: fewer units than are booked, withdrawing an item or taking a
cabinet out of service are refused with the bookings listed, unless the manager cancels and notifies."""

from django.urls import reverse

from cabinets.models import Cabinet, Holiday
from equipment.models import Item
from kernel.bookings import Status
from tests.admin.test_schedules import schedule_formset
from tests.clock import at


def item_data(item, **changes):
    data = {"name": item.name, "category": "", "description": "", "quantity": str(item.quantity),
            "sort_order": "0", "is_active": "on", "cabinet": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_fewer_units_than_are_booked_on_a_day_is_refused_naming_the_day(manager_client, item, book_item):
    day = at(3, 0).date()
    book_item(item, day, units=2)
    url = reverse("admin:equipment_item_change", args=[item.pk])
    response = manager_client.post(url, item_data(item, quantity="1"))
    assert response.status_code == 200
    assert day.strftime("%d.%m.%Y") in " ".join(response.context["adminform"].form.non_field_errors())
    item.refresh_from_db()
    assert item.quantity == 2
    assert manager_client.post(url, item_data(item, quantity="3")).status_code == 302


def test_withdrawing_an_item_with_bookings_needs_cancel_and_notify(manager_client, item, book_item):
    booking = book_item(item, at(3, 0).date())
    url = reverse("admin:equipment_item_change", args=[item.pk])
    refused = manager_client.post(url, item_data(item, is_active=None))
    assert refused.status_code == 200 and booking.reference in str(refused.context["adminform"].form.errors)
    assert Item.objects.get(pk=item.pk).is_active
    assert manager_client.post(url, item_data(item, is_active=None, cancel_affected="on")).status_code == 302
    booking.refresh_from_db()
    assert not Item.objects.get(pk=item.pk).is_active and booking.status == Status.CANCELLED


def test_taking_a_cabinet_out_of_service_with_bookings_needs_cancel_and_notify(manager_client, cabinet,
                                                                              book_cabinet):
    booking = book_cabinet(cabinet, at(2, 10))
    url = reverse("admin:cabinets_cabinet_change", args=[cabinet.pk])
    refused = manager_client.post(url, schedule_formset(cabinet, is_active=""))
    assert refused.status_code == 200 and Cabinet.objects.get(pk=cabinet.pk).is_active
    assert booking.reference in str(refused.context["adminform"].form.errors)
    done = manager_client.post(url, schedule_formset(cabinet, is_active="", cancel_affected="on"))
    assert done.status_code == 302
    booking.refresh_from_db()
    assert not Cabinet.objects.get(pk=cabinet.pk).is_active and booking.status == Status.CANCELLED


def test_a_holiday_moved_to_another_date_leaves_the_old_date_open(manager_client, cabinet):
    holiday = Holiday.objects.create(date=at(8, 0).date(), name="День клиники")
    response = manager_client.post(reverse("admin:cabinets_holiday_change", args=[holiday.pk]),
                                   {"date": at(9, 0).date().isoformat(), "name": "День клиники"})
    assert response.status_code == 302
    assert list(Holiday.objects.values_list("date", flat=True)) == [at(9, 0).date()]


def test_dates_at_the_end_of_the_calendar_are_ignored_not_a_server_error(manager_client):
    day = manager_client.get(reverse("admin:cabinets_day_schedule"), {"date": "9999-12-31"})
    listing = manager_client.get(reverse("admin:cabinets_cabinetbooking_changelist"), {"date_to": "9999-12-31"})
    assert (day.status_code, listing.status_code) == (200, 200)


def test_a_longer_turnaround_that_collides_with_bookings_is_refused_naming_the_day(manager_client, book_item):
    from tests import factories

    laser = factories.ItemFactory(name="Лазер", quantity=1)
    book_item(laser, at(3, 0).date())
    later = book_item(laser, at(5, 0).date())
    url = reverse("admin:equipment_item_change", args=[laser.pk])
    response = manager_client.post(url, item_data(laser, turnaround_days="2"))
    assert response.status_code == 200
    assert later.start_date.strftime("%d.%m.%Y") in " ".join(response.context["adminform"].form.non_field_errors())
    assert Item.objects.get(pk=laser.pk).turnaround_days == 0
    assert manager_client.post(url, item_data(laser, turnaround_days="1")).status_code == 302
    assert Item.objects.get(pk=laser.pk).turnaround_days == 1
