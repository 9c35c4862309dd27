"""One capacity for every door: a Telegram booking and a partner booking see each other."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.errors import BookingError

pytestmark = pytest.mark.django_db


def test_a_bot_booking_makes_the_day_unavailable_to_partners(api, infini, alice, now):
    equipment_booking_create(item=infini, start_date=date(2026, 12, 1), client_name="Алиса Б",
                             client_phone="+79990000000", actor=Actor.telegram(alice), channel=Channel.BOT, now=now)
    path = f"/api/v1/availability/{quote(infini.name)}"
    assert api.get(path, {"date": "2026-12-01"}).json() == {"available": False, "booked_count": 1, "total": 1,
                                                              "blocked_count": 0, "reason": "booked"}
    assert api.get(path, {"date": "2026-12-02"}).json()["available"] is True
    response = api.post("/api/book-device", {"device_id": infini.pk, "date": "2026-12-01",
                                             "external_booking_id": "crm-1", "client_name": "Иван Петров",
                                             "client_phone": "+79991234567"})
    assert response.status_code == 409 and response.json()["code"] == "no_capacity"
    assert EquipmentBooking.objects.count() == 1


def test_a_partner_booking_makes_the_bot_refuse_the_day(api, infini, alice, now):
    response = api.post("/api/book-device", {"device_id": infini.pk, "date": "2026-12-01",
                                             "external_booking_id": "crm-1", "client_name": "Иван Петров",
                                             "client_phone": "+79991234567"})
    assert response.status_code == 200
    with pytest.raises(BookingError) as refused:
        equipment_booking_create(item=infini, start_date=date(2026, 11, 30), end_date=date(2026, 12, 1),
                                 client_name="Алиса Б", client_phone="+79990000000", actor=Actor.telegram(alice),
                                 channel=Channel.BOT, now=now)
    assert refused.value.code == "no_capacity"
    assert refused.value.details["full_days"] == ["2026-12-01"]
    api.delete("/api/book-device/crm-1")
    equipment_booking_create(item=infini, start_date=date(2026, 12, 1), client_name="Алиса Б",
                             client_phone="+79990000000", actor=Actor.telegram(alice), channel=Channel.BOT, now=now)
