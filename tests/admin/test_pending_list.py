"""The pending list (bookings waiting for a decision) shows the longest waiting first, with how long each
has waited; those past APPROVAL_REMIND_MINUTES stand out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from cabinets.models import CabinetBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests.clock import NOW, at

pytestmark = pytest.mark.django_db
CABINET_LIST = "admin:cabinets_cabinetbooking_changelist"
EQUIPMENT_LIST = "admin:equipment_equipmentbooking_changelist"


def booking_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]


def test_the_pending_list_shows_the_longest_waiting_first_with_the_waiting_time(
        manager_client, cabinet, book_cabinet, time_machine, settings):
    settings.LANGUAGE_CODE = "en"
    newest = book_cabinet(cabinet, at(2, 10))
    oldest = book_cabinet(cabinet, at(5, 10), name="Пётр Сидоров")
    # Asked earlier (for a later day): it has waited longer.
    CabinetBooking.objects.filter(pk=oldest.pk).update(created_at=NOW - timedelta(hours=3, minutes=20))
    time_machine.move_to(NOW + timedelta(minutes=30), tick=False)

    html = manager_client.get(reverse(CABINET_LIST), {"status": "pending"},
                              headers={"accept-language": "en"}).content.decode()

    assert booking_ids(html) == [oldest.pk, newest.pk]
    assert "waiting" in html.lower()
    assert re.search(r'booking-waiting-overdue[^>]*>3\xa0hours, 50\xa0minutes<', html)
    assert re.search(r'class="booking-waiting">30\xa0minutes<', html)


def test_other_lists_keep_their_order_and_columns(manager_client, cabinet, book_cabinet):
    first = book_cabinet(cabinet, at(2, 10))
    second = book_cabinet(cabinet, at(5, 10))
    html = manager_client.get(reverse(CABINET_LIST)).content.decode()
    assert set(booking_ids(html)) == {first.pk, second.pk}
    assert "booking-waiting" not in html


def test_the_equipment_pending_list_is_sorted_the_same_way(manager_client, item, alice):
    def book(made):
        return equipment_booking_create(item=item, start_date=NOW.date() + timedelta(days=3), client_name="Пётр",
                                        client_phone="+7 912 000-11-22", actor=Actor.telegram(alice),
                                        channel=Channel.BOT, now=made)

    recent, older = book(NOW - timedelta(minutes=5)), book(NOW - timedelta(hours=2))
    html = manager_client.get(reverse(EQUIPMENT_LIST), {"status": "pending"}).content.decode()
    assert booking_ids(html) == [older.pk, recent.pk]
    assert "booking-waiting-overdue" in html
