"""The price list of the pricing tests: a Holter monitor at 500 ₽ a day, "Кабинет 1" at 1 000 ₽ a 30-minute slot
(the suite's cabinet, open 09–21 with lunch 13–14) and an ultrasound at 2 500 ₽; clients with birthdays and
their own discounts; discount rules made on demand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Client
from kernel.pricing.models import DiscountRule
from specialists.models import Service
from tests import factories


@pytest.fixture
def holter(db):
    return factories.ItemFactory(name="Холтер", quantity=5, price_per_day=Decimal("500.00"))


@pytest.fixture
def priced_cabinet(cabinet):
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save(update_fields=["price_per_slot"])
    return cabinet


@pytest.fixture
def ultrasound(db):
    return Service.objects.create(name="УЗИ", duration_minutes=60, price=Decimal("2500.00"))


def make_client(*, phone: str = "+79991112233", birthday: date | None = None, personal: str | None = None,
                name: str = "Мария Петрова") -> Client:
    return Client.objects.create(phone=phone, name=name, birthday=birthday,
                                 personal_discount_percent=Decimal(personal) if personal else None)


def make_rule(kind: str, percent: str, min_total: str | None = None, **fields) -> DiscountRule:
    return DiscountRule.objects.create(kind=kind, percent=Decimal(percent),
                                       min_total=Decimal(min_total) if min_total else None, **fields)
