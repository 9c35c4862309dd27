"""Phone bookings and moves: the forms offer what exists, the services decide, refusals are form errors."""

from django.urls import reverse

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from kernel.bookings import Status
from kernel.channels import Channel
from tests import factories
from tests.clock import at

CABINET_ADD = "admin:cabinets_cabinetbooking_add"
EQUIPMENT_ADD = "admin:equipment_equipmentbooking_add"
CLIENT = {"client_name": "Нина Орлова", "client_phone": "8 916 555-44-33", "comment": ""}
NO_LINES = {"equipment-TOTAL_FORMS": "3", "equipment-INITIAL_FORMS": "0"}


def cabinet_form(cabinet, starts, minutes=60, lines=(), **extra):
    data = {"cabinet": cabinet.pk, "day": starts.date().isoformat(), "start_time": starts.strftime("%H:%M"),
            "duration_minutes": str(minutes), **CLIENT, **NO_LINES, **extra}
    for index, (item, units) in enumerate(lines):
        data[f"equipment-{index}-item"] = item.pk
        data[f"equipment-{index}-units"] = units
    return data


def test_an_equipment_phone_booking_is_approved_at_once(manager_client, manager_user, item):
    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(2, 0).date().isoformat(), "end_date": at(4, 0).date().isoformat(),
        "units": 2, **CLIENT})

    booking = EquipmentBooking.objects.get()
    assert response.status_code == 302
    assert booking.status == Status.APPROVED and booking.channel == Channel.ADMIN
    assert (booking.units, booking.end_date) == (2, at(4, 0).date())
    assert booking.created_by == manager_user and booking.client_phone == "+79165554433"


def test_an_equipment_phone_booking_without_an_end_date_is_for_one_day(manager_client, item):
    manager_client.post(reverse(EQUIPMENT_ADD), {"item": item.pk, "start_date": at(2, 0).date().isoformat(),
                                                 "units": 1, **CLIENT})

    booking = EquipmentBooking.objects.get()
    assert booking.start_date == booking.end_date == at(2, 0).date()


def test_too_many_units_is_refused_with_the_services_message(manager_client, item, book_item):
    book_item(item, at(2, 0).date(), units=2)

    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(2, 0).date().isoformat(), "units": 1, **CLIENT})

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and item.name in errors[0]
    assert "booking-refusal" in response.content.decode()
    assert EquipmentBooking.objects.count() == 1


def test_a_past_date_is_refused_beside_the_date(manager_client, item):
    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(-1, 0).date().isoformat(), "units": 1, **CLIENT})

    assert response.context["form"].errors["start_date"]
    assert not EquipmentBooking.objects.exists()


def test_a_bad_phone_number_is_shown_on_the_phone_field(manager_client, item):
    response = manager_client.post(reverse(EQUIPMENT_ADD), {
        "item": item.pk, "start_date": at(2, 0).date().isoformat(), "units": 1, **{**CLIENT, "client_phone": "12"}})

    assert response.context["form"].errors["client_phone"]
    assert not EquipmentBooking.objects.exists()


def test_the_forms_offer_only_active_items_and_cabinets(manager_client, item, cabinet):
    hidden_item = factories.ItemFactory(name="Списанный аппарат", is_active=False)
    hidden_cabinet = factories.CabinetFactory(name="Закрытый кабинет", is_active=False)

    equipment_page = manager_client.get(reverse(EQUIPMENT_ADD)).content.decode()
    cabinet_page = manager_client.get(reverse(CABINET_ADD)).content.decode()

    assert item.name in equipment_page and hidden_item.name not in equipment_page
    assert cabinet.name in cabinet_page and hidden_cabinet.name not in cabinet_page


def test_a_cabinet_phone_booking_with_equipment_is_approved_at_once(manager_client, cabinet, item):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 10), 90, [(item, 2)]))

    assert response.status_code == 302
    booking = CabinetBooking.objects.get()
    assert booking.status == Status.APPROVED and booking.duration_minutes == 90
    line = booking.equipment_bookings.get()
    assert (line.item, line.units, line.status) == (item, 2, Status.APPROVED)


def test_a_conflicting_cabinet_booking_is_a_form_error(manager_client, cabinet, book_cabinet):
    book_cabinet(cabinet, at(1, 10), 60)

    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 10, 30)))

    errors = response.context["form"].non_field_errors()
    assert errors and "10:30" in errors[0]
    assert CabinetBooking.objects.count() == 1


def test_equipment_that_is_not_free_refuses_the_whole_cabinet_booking(manager_client, cabinet, item, book_item):
    book_item(item, at(1, 0).date(), units=2)

    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 10), 60, [(item, 1)]))

    assert item.name in response.context["form"].non_field_errors()[0]
    assert not CabinetBooking.objects.exists()


def test_a_time_off_the_slot_grid_is_refused(manager_client, cabinet):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 10, 15)))

    assert "10:15" in response.context["form"].non_field_errors()[0]


def test_a_booking_across_lunch_is_refused(manager_client, cabinet):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 12, 30), 90))

    errors = response.context["form"].errors["start_time"]
    assert errors == ["13:00 — обеденный перерыв (13:00–14:00) в кабинете «Кабинет 1»."]
    assert not CabinetBooking.objects.exists()


def test_the_form_lists_free_slots_of_the_chosen_day_and_returns_to_the_schedule(manager_client, cabinet):
    day_url = reverse("admin:cabinets_day_schedule") + "?date=" + at(1, 0).date().isoformat()
    page = manager_client.get(reverse(CABINET_ADD), {"cabinet": cabinet.pk, "day": at(1, 0).date().isoformat(),
                                                     "start_time": "10:00", "next": day_url})

    assert "start_time=09%3A00" in page.content.decode()
    assert 'value="10:00"' in page.content.decode()

    response = manager_client.post(reverse(CABINET_ADD) + "?next=" + day_url,
                                   cabinet_form(cabinet, at(1, 10), next=day_url))
    assert response.status_code == 302 and response.url == day_url


def test_a_next_url_to_another_site_is_ignored(manager_client, cabinet):
    response = manager_client.post(reverse(CABINET_ADD), cabinet_form(cabinet, at(1, 10), next="https://evil.example/"))

    assert response.url == reverse("admin:cabinets_cabinetbooking_change", args=[CabinetBooking.objects.get().pk])


def test_moving_a_cabinet_booking_moves_its_equipment(manager_client, cabinet, item, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10), 60, equipment=[(item, 1)])
    url = reverse("admin:cabinets_cabinetbooking_move", args=[booking.pk])

    response = manager_client.post(url, {"cabinet": cabinet.pk, "day": at(2, 0).date().isoformat(),
                                         "start_time": "15:00", "duration_minutes": "90"})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == at(2, 15) and booking.duration_minutes == 90
    assert booking.equipment_bookings.get().starts_at == at(2, 15)


def test_moving_onto_a_taken_slot_is_refused_on_the_form(manager_client, cabinet, book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10))
    book_cabinet(cabinet, at(1, 15))

    response = manager_client.post(reverse("admin:cabinets_cabinetbooking_move", args=[booking.pk]), {
        "cabinet": cabinet.pk, "day": at(1, 0).date().isoformat(), "start_time": "15:00", "duration_minutes": "60"})

    assert "15:00" in response.context["form"].non_field_errors()[0]
    booking.refresh_from_db()
    assert booking.starts_at == at(1, 10)


def test_moving_an_equipment_booking_checks_the_new_days(manager_client, item, book_item):
    booking = book_item(item, at(2, 0).date())
    book_item(item, at(5, 0).date(), units=2)
    url = reverse("admin:equipment_equipmentbooking_move", args=[booking.pk])

    refused = manager_client.post(url, {"item": item.pk, "start_date": at(5, 0).date().isoformat(),
                                        "end_date": at(5, 0).date().isoformat(), "units": 1})
    moved = manager_client.post(url, {"item": item.pk, "start_date": at(6, 0).date().isoformat(),
                                      "end_date": at(7, 0).date().isoformat(), "units": 2})

    assert refused.context["form"].non_field_errors()
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert (booking.start_date, booking.end_date, booking.units) == (at(6, 0).date(), at(7, 0).date(), 2)
