"""In the admin a manager may cancel a booking at any time, also after it has started: the change page offers
Cancel by the same rule the bots and the booking page use (`kernel.lifecycle.can_cancel`)."""

from __future__ import annotations

from django.urls import reverse

from cabinets.services import cabinet_booking_approve
from equipment.services import equipment_booking_approve
from kernel.bookings import Status
from kernel.channels import Actor
from tests.clock import at


def cancel_in_admin(client, changelist: str, booking) -> None:
    client.post(reverse(changelist), {"action": "cancel_selected", "_selected_action": [str(booking.pk)],
                                      "apply": "1", "reason": "Клиент позвонил"}, follow=True)


def test_a_manager_cancels_a_started_cabinet_booking_in_the_admin(manager_client, cabinet, book_cabinet, staff,
                                                                  time_machine):
    booking = cabinet_booking_approve(booking=book_cabinet(cabinet, at(1, 10)), actor=Actor.staff(staff),
                                      now=at(0, 10))
    time_machine.move_to(at(1, 10, 30), tick=False)
    page = manager_client.get(reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])).content.decode()
    assert 'value="cancel_selected"' in page

    cancel_in_admin(manager_client, "admin:cabinets_cabinetbooking_changelist", booking)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED and booking.status_reason == "Клиент позвонил"


def test_a_manager_cancels_a_started_equipment_booking_in_the_admin(manager_client, item, book_item, staff,
                                                                    time_machine):
    booking = equipment_booking_approve(booking=book_item(item, at(1, 0).date()), actor=Actor.staff(staff),
                                        now=at(0, 10))
    time_machine.move_to(at(1, 9, 30), tick=False)
    page = manager_client.get(reverse("admin:equipment_equipmentbooking_change", args=[booking.pk])).content.decode()
    assert 'value="cancel_selected"' in page and 'value="no_show_selected"' in page

    cancel_in_admin(manager_client, "admin:equipment_equipmentbooking_changelist", booking)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


def test_a_finished_booking_offers_no_cancel(manager_client, item, book_item, staff, time_machine):
    booking = equipment_booking_approve(booking=book_item(item, at(1, 0).date()), actor=Actor.staff(staff),
                                        now=at(0, 10))
    cancel_in_admin(manager_client, "admin:equipment_equipmentbooking_changelist", booking)
    page = manager_client.get(reverse("admin:equipment_equipmentbooking_change", args=[booking.pk])).content.decode()
    assert 'value="cancel_selected"' not in page
