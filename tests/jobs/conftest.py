"""Fixtures of the jobs tests: a fake Bot API, a cabinet open every day, an item, and approved bookings
made through the services, the way the product makes them."""

from __future__ import annotations

import pytest

from cabinets.services import cabinet_booking_approve, cabinet_booking_create
from equipment.services import equipment_booking_approve, equipment_booking_create
from integrations.delivery import Pacer
from kernel.channels import Actor, Channel
from tests import factories
from tests.jobs.fakebot import FakeBotApi


@pytest.fixture
def bot_api(settings):
    api = FakeBotApi().start()
    settings.TELEGRAM_API_URL = api.url
    settings.EQUIPMENT_BOT_TOKEN = "111:equipment"
    settings.CABINET_BOT_TOKEN = "222:cabinet"
    yield api
    api.stop()


@pytest.fixture
def pacer():
    """A fresh pacer per test, at the production limits (25 per second, one per second per chat)."""
    return Pacer(per_second=25, chat_interval=1.0)



@pytest.fixture
def item(db):
    return factories.ItemFactory(name="Аппарат УЗИ", quantity=3)


def approved_cabinet_booking(*, cabinet, account, staff, starts_at, now, minutes=60):
    booking = cabinet_booking_create(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=minutes, client_name="Иван Петров",
        client_phone="+7 999 123-45-67", actor=Actor.telegram(account), channel=Channel.BOT, now=now)
    return cabinet_booking_approve(booking=booking, actor=Actor.staff(staff), now=now)


def approved_equipment_booking(*, item, account, staff, start_date, now, end_date=None, units=1):
    booking = equipment_booking_create(
        item=item, start_date=start_date, end_date=end_date or start_date, units=units,
        client_name="Анна Смирнова", client_phone="+7 999 765-43-21", actor=Actor.telegram(account),
        channel=Channel.BOT, now=now)
    return equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=now)
