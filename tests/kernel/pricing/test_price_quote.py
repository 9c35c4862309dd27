"""The one pricing function, as a table: a request of each resource, the rules in force and the client, and the
lines (kind, amount) and total it comes to. Base per resource, at most one discount (the best; rules never
stack), kopecks rounded half up, missing prices give no line and a price of 0 a line of 0."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cabinets.series import series_dates
from kernel.pricing.models import DiscountQuota, DiscountQuotaUse
from kernel.pricing.services import price_quote
from tests import factories
from tests.clock import NOW, TUE, at
from tests.kernel.pricing.conftest import make_client, make_rule

BIRTHDAY = date(1990, TUE.month, TUE.day)  # the client's birthday is the booking's day (Tuesday)
OTHER_DAY = date(1990, 1, 15)


@dataclass(frozen=True)
class Case:
    request: str  # a name in `requests` below
    lines: list[tuple[str, str]]  # (kind, amount) in order
    total: str
    rules: list[tuple] = field(default_factory=list)  # make_rule arguments
    birthday: date | None = None  # the client's stored birthday
    personal: str | None = None  # the client's own discount, %
    asked_birthday: date | None = None  # the request's client_birthday
    quota_spent: bool = False


CASES = {
    # Base per resource
    "equipment: units × days × price per day": Case("holter 2 × 3 days", [("base", "3000.00")], "3000.00"),
    "cabinet: slots × price per slot, plus its equipment for one day": Case(
        "cabinet 1 h + holter", [("base", "2000.00"), ("base", "500.00")], "2500.00"),
    "appointment: its service's price alone": Case("ultrasound", [("base", "2500.00")], "2500.00"),
    "series occurrence: one date's cabinet booking": Case("third occurrence", [("base", "3000.00")], "3000.00"),
    # Each rule
    "birthday on the booking's day": Case("ultrasound", [("base", "2500.00"), ("discount", "-300.00")], "2200.00",
                                          rules=[("birthday", "12")], birthday=BIRTHDAY),
    "birthday on another day: no discount": Case("ultrasound", [("base", "2500.00")], "2500.00",
                                                 rules=[("birthday", "12")], birthday=OTHER_DAY),
    "the request's birthday wins over the stored one": Case(
        "ultrasound", [("base", "2500.00"), ("discount", "-300.00")], "2200.00", rules=[("birthday", "12")],
        birthday=OTHER_DAY, asked_birthday=BIRTHDAY),
    "birthday of a series occurrence is that occurrence's date": Case(
        "third occurrence", [("base", "3000.00"), ("discount", "-300.00")], "2700.00", rules=[("birthday", "10")],
        birthday=date(1985, 12, 8)),
    "threshold reached": Case("holter 2 × 3 days", [("base", "3000.00"), ("discount", "-360.00")], "2640.00",
                              rules=[("threshold", "12", "1000.00")]),
    "threshold met exactly": Case("holter 2 × 1 day", [("base", "1000.00"), ("discount", "-120.00")], "880.00",
                                  rules=[("threshold", "12", "1000.00")]),
    "threshold not reached": Case("holter 1 × 1 day", [("base", "500.00")], "500.00",
                                  rules=[("threshold", "12", "1000.00")]),
    "personal: the client's own percentage": Case("ultrasound", [("base", "2500.00"), ("discount", "-125.00")],
                                                  "2375.00", rules=[("personal", "100")], personal="5"),
    "personal: at most the rule's percentage": Case("ultrasound", [("base", "2500.00"), ("discount", "-500.00")],
                                                    "2000.00", rules=[("personal", "20")], personal="30"),
    "personal without a personal rule: none": Case("ultrasound", [("base", "2500.00")], "2500.00",
                                                   rules=[("birthday", "12")], personal="30"),
    # No stacking: the largest discount alone
    "no stacking: birthday, threshold and personal give the birthday's alone": Case(
        "holter 2 × 3 days", [("base", "3000.00"), ("discount", "-360.00")], "2640.00",
        rules=[("birthday", "12"), ("threshold", "10", "1000.00"), ("personal", "100")], birthday=BIRTHDAY,
        personal="5"),
    "no stacking: a larger threshold beats the birthday": Case(
        "holter 2 × 3 days", [("base", "3000.00"), ("discount", "-450.00")], "2550.00",
        rules=[("birthday", "12"), ("threshold", "15", "1000.00")], birthday=BIRTHDAY),
    # Rounding to kopecks, half up
    "rounding half up: 2.5 % of 1.00 is 0.03": Case("one-rouble item", [("base", "1.00"), ("discount", "-0.03")],
                                                    "0.97", rules=[("threshold", "2.5", "0")]),
    "rounding half up: 12.5 % of 10.10 is 1.26": Case("ten-ten item", [("base", "10.10"), ("discount", "-1.26")],
                                                      "8.84", rules=[("threshold", "12.5", "0")]),
    # Zero and missing prices
    "a price of 0 is a line of 0, and nothing to discount": Case("free item", [("base", "0.00")], "0.00",
                                                                 rules=[("threshold", "12", "0")]),
    "an item without a price: no line": Case("unpriced item", [], "0.00"),
    "a cabinet without a price: its equipment alone": Case("unpriced cabinet + holter", [("base", "500.00")],
                                                          "500.00"),
    "a service without a price: no line": Case("unpriced service", [], "0.00", rules=[("birthday", "12")],
                                               birthday=BIRTHDAY),
    # Rules out of force, and the quota
    "an inactive rule gives nothing": Case("ultrasound", [("base", "2500.00")], "2500.00",
                                           rules=[("birthday", "12", None, {"is_active": False})], birthday=BIRTHDAY),
    "a rule not yet in force on the day the booking is made gives nothing": Case(
        "ultrasound", [("base", "2500.00")], "2500.00",
        rules=[("birthday", "12", None, {"active_from": NOW.date() + timedelta(days=1)})], birthday=BIRTHDAY),
    "a rule past its last day gives nothing": Case(
        "ultrasound", [("base", "2500.00")], "2500.00",
        rules=[("birthday", "12", None, {"active_until": NOW.date() - timedelta(days=1)})], birthday=BIRTHDAY),
    "today's quota spent: full price and a note": Case(
        "ultrasound", [("base", "2500.00"), ("info", "0.00")], "2500.00", rules=[("birthday", "12")],
        birthday=BIRTHDAY, quota_spent=True),
}


@pytest.fixture
def requests(holter, priced_cabinet, ultrasound):
    def item(price):
        return factories.ItemFactory(price_per_day=None if price is None else Decimal(price))

    third = series_dates(first=TUE, every_weeks=1, count=3)[2]  # 8 December
    unpriced_cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет без цены"))
    return {
        "holter 2 × 3 days": ("equipment", {"item": holter, "units": 2, "start_date": TUE,
                                            "end_date": TUE + timedelta(days=2)}),
        "holter 2 × 1 day": ("equipment", {"item": holter, "units": 2, "start_date": TUE, "end_date": TUE}),
        "holter 1 × 1 day": ("equipment", {"item": holter, "units": 1, "start_date": TUE}),
        "cabinet 1 h + holter": ("cabinet", {"cabinet": priced_cabinet, "starts_at": at(TUE, 10),
                                             "duration_minutes": 60, "equipment": [(holter, 1)]}),
        "third occurrence": ("cabinet", {"cabinet": priced_cabinet, "starts_at": at(third, 10),
                                         "duration_minutes": 90}),
        "ultrasound": ("specialist", {"service": ultrasound, "starts_at": at(TUE, 10)}),
        "one-rouble item": ("equipment", {"item": item("1.00"), "units": 1, "start_date": TUE}),
        "ten-ten item": ("equipment", {"item": item("10.10"), "units": 1, "start_date": TUE}),
        "free item": ("equipment", {"item": item("0.00"), "units": 3, "start_date": TUE}),
        "unpriced item": ("equipment", {"item": item(None), "units": 1, "start_date": TUE}),
        "unpriced cabinet + holter": ("cabinet", {"cabinet": unpriced_cabinet, "starts_at": at(TUE, 10),
                                                  "duration_minutes": 30, "equipment": [(holter, 1)]}),
        "unpriced service": ("specialist", {"service": type(ultrasound).objects.create(
            name="Консультация", duration_minutes=30), "starts_at": at(TUE, 10)}),
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_price_of_a_request(case: Case, requests, settings):
    for rule in case.rules:
        kind, percent, *rest = rule
        make_rule(kind, percent, rest[0] if rest else None, **(rest[1] if len(rest) > 1 else {}))
    client = make_client(birthday=case.birthday, personal=case.personal)
    if case.quota_spent:
        DiscountQuota.objects.create(pk=1, daily_limit=2)
        DiscountQuotaUse.objects.create(day=NOW.date(), used=2)
    resource_type, request = requests[case.request]
    price = price_quote(resource_type=resource_type, request=request, now=NOW, client=client,
                        client_birthday=case.asked_birthday)
    assert [(line.kind, str(line.amount)) for line in price.lines] == case.lines
    assert str(price.total) == case.total
    assert sum(line.amount for line in price.lines) == price.total  # the lines add up to the total
    assert price.currency == settings.CURRENCY


def test_a_client_is_not_needed_for_a_price(requests):
    make_rule("birthday", "12")
    price = price_quote(resource_type="specialist", request=requests["ultrasound"][1], now=NOW)
    assert str(price.total) == "2500.00"


def test_a_discount_names_its_rule(requests):
    rule = make_rule("threshold", "12", "1000.00")
    price = price_quote(resource_type="equipment", request=requests["holter 2 × 3 days"][1], now=NOW)
    assert price.discount.rule_id == rule.pk
    assert price.discount.params == {"percent": "12.00", "min_total": "1000.00"}


BERLIN = ZoneInfo("Europe/Berlin")


@override_settings(TIME_ZONE="Europe/Berlin")
def test_on_the_day_the_clocks_go_back_the_booking_day_and_its_slots_are_the_clinics(priced_cabinet):
    """25 October 2026, Berlin: 00:30 local is still 24 October in UTC, and 01:30–03:30 local lasts three hours
    (the hour 02:00–03:00 happens twice). The birthday is the local day; the slots are the time booked."""
    change = date(2026, 10, 25)
    make_rule("birthday", "10")
    client = make_client(birthday=date(1980, 10, 25))
    early = at(change, 0, 30, zone=BERLIN)
    assert early.astimezone(ZoneInfo("UTC")).date() == date(2026, 10, 24)
    price = price_quote(resource_type="cabinet", now=at(change - timedelta(days=3), 10, zone=BERLIN), client=client,
                        request={"cabinet": priced_cabinet, "starts_at": early, "duration_minutes": 60})
    assert [str(line.amount) for line in price.lines] == ["2000.00", "-200.00"]
    three_hours = price_quote(resource_type="cabinet", now=at(change - timedelta(days=3), 10, zone=BERLIN),
                              request={"cabinet": priced_cabinet, "starts_at": at(change, 1, 30, zone=BERLIN),
                                       "duration_minutes": 180})
    assert three_hours.lines[0].params["slots"] == 6 and str(three_hours.total) == "6000.00"


def test_a_range_that_ends_before_it_starts_is_refused(holter):
    from kernel.errors import BookingError

    with pytest.raises(BookingError) as refusal:
        price_quote(resource_type="equipment", now=NOW,
                    request={"item": holter, "units": 1, "start_date": TUE, "end_date": TUE - timedelta(days=1)})
    assert refusal.value.code == "bad_range"
