"""The admin's cast: a manager who is staff in the "Managers" group but not a superuser, a cabinet open
every day, items, and bookings made the way clients make them (through the services)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import NOW


@pytest.fixture
def manager_user(db):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    return user


@pytest.fixture
def manager_client(client, manager_user, frozen):
    client.force_login(manager_user)
    return client



@pytest.fixture
def item(db):
    return factories.ItemFactory(name="УЗИ-аппарат", quantity=2)


@pytest.fixture
def book_cabinet(alice):
    def book(cabinet, starts_at, minutes=60, account=None, equipment=(), name="Ольга Иванова"):
        return cabinet_booking_create(
            cabinet=cabinet, starts_at=starts_at, duration_minutes=minutes, client_name=name,
            client_phone="+7 999 123-45-67", actor=Actor.telegram(account or alice), channel=Channel.BOT, now=NOW,
            equipment=equipment)
    return book


@pytest.fixture
def book_item(alice):
    def book(item, start_date, end_date=None, units=1, account=None, name="Пётр Сидоров"):
        return equipment_booking_create(
            item=item, start_date=start_date, end_date=end_date, units=units, client_name=name,
            client_phone="+7 912 000-11-22", actor=Actor.telegram(account or alice), channel=Channel.BOT, now=NOW)
    return book
