"""The booking page asks the resources' rules whether a booking can be cancelled, like the bots: a whole-day
equipment booking begins at 09:00 (Moscow) on its first day, the client may cancel until the start, a manager's
account at any time; a forged cancel after the start is refused with a message that says why."""

from __future__ import annotations

from datetime import datetime

import pytest

from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from tests.clock import TUE, at
from tests.conftest import NOW
from tests.integrations.webapp.conftest import MiniAppUser

pytestmark = pytest.mark.django_db



@pytest.fixture
def page_at(client, bot_api, time_machine):
    """Someone on the booking page at a given moment (their initData signed then)."""
    def open_page(moment: datetime, telegram_id: int = 1001, first_name: str = "Ann"):
        time_machine.move_to(moment, tick=False)
        return MiniAppUser(client, telegram_id, first_name, auth_date=moment)
    return open_page


def equipment_of(account, item):
    return equipment_booking_create(item=item, start_date=TUE, end_date=TUE, units=1, client_name="Анна Смирнова",
                                    client_phone="+79991234567", actor=Actor.telegram(account), channel=Channel.WEBAPP,
                                    now=NOW)


def listed(user, booking_id: int) -> dict:
    return next(b for b in user.get("/me").json()["bookings"] if b["id"] == booking_id)


def test_at_half_past_eight_on_the_first_day_the_client_may_still_cancel_on_the_page(page_at, catalogue, alice):
    booking = equipment_of(alice, catalogue["uzi"])
    ann = page_at(at(TUE, 8, 30), telegram_id=alice.telegram_id)
    assert listed(ann, booking.pk)["cancellable"] is True
    answer = ann.post(f"/bookings/equipment/{booking.pk}/cancel", {})
    assert answer.status_code == 200 and answer.json()["booking"]["status"] == "cancelled"


def test_at_half_past_nine_there_is_no_cancel_and_a_forged_one_is_refused(page_at, catalogue, alice):
    booking = equipment_of(alice, catalogue["uzi"])
    ann = page_at(at(TUE, 9, 30), telegram_id=alice.telegram_id)
    assert listed(ann, booking.pk)["cancellable"] is False
    answer = ann.post(f"/bookings/equipment/{booking.pk}/cancel", {})
    assert answer.status_code == 409 and answer.json()["code"] == "already_started"
    assert "can no longer be cancelled" in answer.json()["error"]
    assert EquipmentBooking.objects.get(pk=booking.pk).status == Status.PENDING


def test_after_its_start_a_cabinet_booking_cannot_be_cancelled_by_the_client(page_at, catalogue, alice):
    booking = cabinet_booking_create(cabinet=catalogue["cabinet"], starts_at=at(TUE, 10), duration_minutes=60,
                                     client_name="Анна Смирнова", client_phone="+79991234567",
                                     actor=Actor.telegram(alice), channel=Channel.WEBAPP, now=NOW)
    assert listed(page_at(at(TUE, 9, 59), telegram_id=alice.telegram_id), booking.pk)["cancellable"] is True
    ann = page_at(at(TUE, 10, 1), telegram_id=alice.telegram_id)
    assert listed(ann, booking.pk)["cancellable"] is False
    assert ann.post(f"/bookings/cabinet/{booking.pk}/cancel", {}).status_code == 409


def test_a_managers_account_may_cancel_its_booking_on_the_page_after_the_start(page_at, catalogue, manager):
    booking = equipment_of(manager, catalogue["uzi"])
    maria = page_at(at(TUE, 12), telegram_id=manager.telegram_id, first_name="Maria")
    assert listed(maria, booking.pk)["cancellable"] is True
    answer = maria.post(f"/bookings/equipment/{booking.pk}/cancel", {})
    assert answer.status_code == 200 and answer.json()["booking"]["status"] == "cancelled"


def test_equipment_of_a_cabinet_booking_is_cancelled_with_that_booking(page_at, catalogue, alice):
    visit = cabinet_booking_create(cabinet=catalogue["cabinet"], starts_at=at(TUE, 11), duration_minutes=60,
                                   client_name="Анна Смирнова", client_phone="+79991234567",
                                   actor=Actor.telegram(alice), channel=Channel.WEBAPP, now=NOW,
                                   equipment=[(catalogue["uzi"], 1)])
    line = EquipmentBooking.objects.get(cabinet_booking=visit)
    answer = page_at(at(TUE, 8), telegram_id=alice.telegram_id).post(f"/bookings/equipment/{line.pk}/cancel", {})
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
