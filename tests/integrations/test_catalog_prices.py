"""Prices and discounts from the catalogue files, so a clinic can keep them in version control: `price_per_day`
in items.yaml, `price_per_slot` in cabinets.yaml, `discounts` and `discount_daily_quota` in services.yaml.
Re-imports update in place; bad values are refused naming the entry and nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from cabinets.models import Cabinet
from equipment.models import Item
from integrations.catalog.reading import read_services_file
from kernel.pricing.models import DiscountQuota, DiscountRule
from kernel.pricing.quota import daily_limit
from tests.integrations.test_catalog import load, refused
from tests.integrations.test_catalog import write as write

pytestmark = pytest.mark.django_db

ITEMS = """
items:
  - {id: 1, name: "Холтер", total_quantity: 2, price_per_day: "500.00"}
  - {id: 2, name: "Accent", total_quantity: 1, price_per_day: 2000}
  - {id: 3, name: "Дезар", total_quantity: 1}
"""
CABINETS = """
cabinets:
  - {id: 1, name: "Кабинет №1", price_per_slot: "1000.50"}
"""
DISCOUNTS = """
discounts:
  - {kind: birthday, percent: 12}
  - {kind: threshold, min_total: "1000.00", percent: "12.5"}
  - {kind: personal, percent: 100, active_from: "2026-01-01", active_until: "2026-12-31"}
discount_daily_quota: 100
"""


def test_items_and_cabinets_bring_their_prices(write):
    load("--items", write("items.yaml", ITEMS), "--cabinets", write("cabinets.yaml", CABINETS))
    assert dict(Item.objects.values_list("name", "price_per_day")) == {
        "Холтер": Decimal("500.00"), "Accent": Decimal("2000.00"), "Дезар": None}
    assert Cabinet.objects.get().price_per_slot == Decimal("1000.50")


def test_a_reimport_updates_a_price_and_keeps_one_the_file_leaves_out(write):
    load("--items", write("items.yaml", ITEMS))
    Item.objects.filter(name="Дезар").update(price_per_day=Decimal("300.00"))  # set in the admin
    out = load("--items", write("items.yaml", ITEMS.replace('"500.00"', '"550.00"')))
    assert "Холтер (price_per_day 500.00 → 550.00)" in out
    assert Item.objects.get(name="Дезар").price_per_day == Decimal("300.00")
    load("--items", write("items.yaml", ITEMS.replace('price_per_day: "500.00"', "price_per_day: null")))
    assert Item.objects.get(name="Холтер").price_per_day is None  # null clears it


def test_the_services_file_brings_the_discount_rules_and_the_daily_quota(write):
    out = load("--services", write("services.yaml", DISCOUNTS))
    rules = {(r.kind, r.min_total): r for r in DiscountRule.objects.all()}
    assert rules["birthday", None].percent == Decimal("12.00")
    assert rules["threshold", Decimal("1000.00")].percent == Decimal("12.50")
    assert (rules["personal", None].active_from, rules["personal", None].active_until) == (
        date(2026, 1, 1), date(2026, 12, 31))
    assert daily_limit() == 100 == DiscountQuota.objects.get().daily_limit
    assert "Discounts: 3 created, 1 updated" in out


def test_a_discount_reimport_updates_in_place_and_leaves_rules_the_file_does_not_name(write):
    load("--services", write("services.yaml", DISCOUNTS))
    DiscountRule.objects.create(kind="threshold", min_total=Decimal("5000.00"), percent=Decimal("20"))  # admin's
    out = load("--services", write("services.yaml", DISCOUNTS.replace("percent: 12}", "percent: 15}")
                                   .replace("discount_daily_quota: 100", "discount_daily_quota: 0")))
    assert DiscountRule.objects.count() == 4
    assert DiscountRule.objects.get(kind="birthday").percent == Decimal("15.00")
    assert daily_limit() == 0
    assert "birthday (percent 12.00 → 15.00)" in out and "daily discount quota (100 → 0)" in out
    assert "not in the file, left as it is: threshold from 5000.00" in out
    again = load("--services", write("services.yaml", DISCOUNTS.replace("percent: 12}", "percent: 15}")
                                     .replace("discount_daily_quota: 100", "discount_daily_quota: 0")))
    assert "Discounts: 0 created, 0 updated, 4 unchanged" in again


def test_a_services_file_without_discounts_leaves_the_rules_alone(write, settings):
    settings.DISCOUNT_DAILY_QUOTA = 7
    DiscountRule.objects.create(kind="birthday", percent=Decimal("10"))
    out = load("--services", write("services.yaml", "services: []\n"))
    assert DiscountRule.objects.count() == 1 and daily_limit() == 7 and "Discounts" not in out


@pytest.mark.parametrize("text, expected", [
    ('items:\n  - {id: 1, name: "Холтер", total_quantity: 1, price_per_day: "-5"}\n',
     'items[0] (id 1, "Холтер"): price_per_day must be an amount of 0 or more'),
    ('items:\n  - {id: 1, name: "Холтер", total_quantity: 1, price_per_day: 12.5}\n',
     "price_per_day must be an amount"),
    ('items:\n  - {id: 1, name: "Холтер", total_quantity: 1, price_per_day: "1.234"}\n',
     "price_per_day must be an amount"),
])
def test_a_bad_item_price_is_refused_naming_the_entry(write, text, expected):
    assert expected in refused("--items", write("items.yaml", text))
    assert not Item.objects.exists()


def test_a_bad_cabinet_price_is_refused_naming_the_entry(write):
    text = 'cabinets:\n  - {id: 1, name: "Кабинет №1", price_per_slot: "abc"}\n'
    assert 'cabinets[0] (id 1, "Кабинет №1"): price_per_slot must be an amount' in refused(
        "--cabinets", write("cabinets.yaml", text))
    assert not Cabinet.objects.exists()


@pytest.mark.parametrize("discounts, expected", [
    ("[{kind: vip, percent: 10}]", "discounts[0]: kind must be one of birthday, threshold, personal"),
    ("[{kind: birthday, percent: 120}]", "discounts[0]: percent must be a number from 0 to 100"),
    ("[{kind: birthday, percent: -1}]", "discounts[0]: percent must be a number from 0 to 100"),
    ("[{kind: threshold, percent: 10}]", "discounts[0]: a threshold needs min_total"),
    ('[{kind: birthday, percent: 10, min_total: "5"}]', "discounts[0]: only a threshold has min_total"),
    ("[{kind: birthday, percent: 10, amount: 5}]", 'discounts[0]: unknown field "amount"'),
    ('[{kind: birthday, percent: 10, active_from: "2026-12-10", active_until: "2026-12-01"}]',
     "discounts[0]: active_until (2026-12-01) is before active_from (2026-12-10)"),
    ("[{kind: birthday, percent: 10}, {kind: birthday, percent: 12}]",
     "discounts[1]: birthday is already given by discounts[0]"),
])
def test_a_bad_discount_is_refused_naming_it_and_nothing_is_written(write, discounts, expected):
    assert expected in refused("--services", write("services.yaml", f"discounts: {discounts}\n"))
    assert not DiscountRule.objects.exists()


def test_a_bad_quota_is_refused(write):
    assert "discount_daily_quota must be a whole number of 0 or more" in refused(
        "--services", write("services.yaml", "discount_daily_quota: -3\n"))
    assert not DiscountQuota.objects.exists()


@pytest.mark.parametrize("name", ["services.example.yaml", "demo-services.yaml"])
def test_the_shipped_services_files_carry_discounts_and_a_quota(name):
    parsed = read_services_file(settings.BASE_DIR / "configs" / name)
    assert {spec.kind for spec in parsed.discounts} == {"birthday", "threshold", "personal"}
    assert parsed.discount_daily_quota == 100


def test_the_demo_clinic_has_prices():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert not Item.objects.filter(price_per_day__isnull=True).exists()
    assert not Cabinet.objects.filter(price_per_slot__isnull=True).exists()
    assert DiscountRule.objects.count() == 3 and daily_limit() == 100


def test_items_cabinets_and_services_say_which_need_prepayment_and_a_file_silent_on_it_keeps_the_admins_word(write):
    from specialists.models import Service
    from tests.integrations.test_catalog_services import SERVICES, load_all

    load("--items", write("items.yaml", ITEMS.replace('price_per_day: 2000}', 'price_per_day: 2000, '
                                                                              'prepayment_required: true}')),
         "--cabinets", write("cabinets.yaml", CABINETS.replace('"1000.50"}', '"1000.50", prepayment_required: true}')))
    assert dict(Item.objects.values_list("name", "prepayment_required")) == {
        "Холтер": False, "Accent": True, "Дезар": False}
    assert Cabinet.objects.get().prepayment_required is True

    Item.objects.filter(name="Холтер").update(prepayment_required=True)  # set in the admin
    load("--items", write("items.yaml", ITEMS))
    assert Item.objects.get(name="Холтер").prepayment_required is True

    load_all(write, SERVICES.replace('price: "2500.00"', 'price: "2500.00"\n    prepayment_required: true'))
    assert dict(Service.objects.values_list("name", "prepayment_required")) == {
        "УЗИ брюшной полости": True, "Консультация": False}
    load_all(write)  # the key left out: as the file found it
    assert Service.objects.get(name="УЗИ брюшной полости").prepayment_required is True


@pytest.mark.parametrize("option, name, text, expected", [
    ("--items", "items.yaml", 'items:\n  - {id: 1, name: "Холтер", total_quantity: 1, prepayment_required: "yes"}\n',
     'items[0] (id 1, "Холтер"): prepayment_required must be true or false'),
    ("--cabinets", "cabinets.yaml", 'cabinets:\n  - {id: 1, name: "Кабинет №1", prepayment_required: 1}\n',
     'cabinets[0] (id 1, "Кабинет №1"): prepayment_required must be true or false'),
    ("--services", "services.yaml", 'specialists: [{id: 1, name: "Анна"}]\nservices:\n  - {id: 1, name: "УЗИ", '
     'duration_minutes: 30, specialists: [1], prepayment_required: "no"}\n',
     "prepayment_required must be true or false"),
])
def test_a_prepayment_flag_that_is_not_true_or_false_is_refused_naming_the_entry(write, option, name, text,
                                                                                  expected):
    assert expected in refused(option, write(name, text))
