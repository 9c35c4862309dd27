"""Offer passes take a number of queries that does not grow with the number of bookings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from equipment.services import equipment_booking_create
from equipment.waitlist import equipment_wait_join, equipment_waitlist_offer
from kernel.channels import Actor, Channel
from tests.conftest import NOW
from tests.factories import ItemFactory, TelegramAccountFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def queries_of_a_pass(bookings: int) -> int:
    item = ItemFactory(quantity=bookings + 3)
    for n in range(bookings):
        first = DAY + timedelta(days=n % 20)
        equipment_booking_create(item=item, start_date=first, end_date=first + timedelta(days=3), units=1,
                                 client_name="Пётр Иванов", client_phone="+79990000000", actor=Actor.system(),
                                 channel=Channel.ADMIN, now=NOW)
    for _ in range(3):
        equipment_wait_join(item=item, start_date=DAY, end_date=DAY + timedelta(days=25), units=1,
                            client_name="Анна Смирнова", client_phone="+79991112233",
                            actor=Actor.telegram(TelegramAccountFactory()), channel=Channel.BOT, now=NOW)
    with CaptureQueriesContext(connection) as captured:
        offered = equipment_waitlist_offer(resource_id=item.pk, now=NOW)
    assert len(offered) == 3
    return len(captured.captured_queries)


def test_an_equipment_offer_pass_takes_the_same_queries_for_2_or_60_bookings():
    assert queries_of_a_pass(2) == queries_of_a_pass(60)
