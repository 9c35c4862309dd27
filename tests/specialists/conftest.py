"""The specialists' cast: Анна works 09–13 and 14–18 on weekdays (a lunch break), Борис 10–19 on weekdays;
both perform a one-hour ultrasound, which may take place in either of two cabinets open 08–20 every day."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kernel.channels import Actor, Channel
from specialists.models import Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.conftest import NOW

MSK = ZoneInfo("Europe/Moscow")
TUE = date(2026, 11, 24)


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = MSK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def specialist(name: str, hours: dict[int, list[tuple[time, time]]], **fields) -> Specialist:
    person = Specialist.objects.create(name=name, **fields)
    for weekday, intervals in hours.items():
        for start, end in intervals:
            WorkingHours.objects.create(specialist=person, weekday=weekday, start=start, end=end)
    return person


WEEKDAYS = range(5)


@pytest.fixture
def rooms(db):
    return [factories.with_week(factories.CabinetFactory(name=f"Кабинет УЗИ {n}", sort_order=n),
                                opens=time(8), closes=time(20), lunch=None) for n in (1, 2)]


@pytest.fixture
def anna(db):
    return specialist("Анна Смирнова", {d: [(time(9), time(13)), (time(14), time(18))] for d in WEEKDAYS})


@pytest.fixture
def boris(db):
    return specialist("Борис Иванов", {d: [(time(10), time(19))] for d in WEEKDAYS})


@pytest.fixture
def ultrasound(db, rooms, anna, boris):
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([anna, boris])
    return service


@pytest.fixture
def book(staff):
    """Book an appointment as the admin would, at NOW unless told otherwise."""

    def book_(service, starts_at, *, specialist=None, cabinet=None, now=NOW, name="Мария Петрова"):
        return appointment_create(service=service, specialist=specialist, cabinet=cabinet, starts_at=starts_at,
                                  client_name=name, client_phone="89990000000", actor=Actor.staff(staff),
                                  channel=Channel.ADMIN, now=now)

    return book_
