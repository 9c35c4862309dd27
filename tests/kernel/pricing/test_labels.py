"""Price lines read in the reader's language: a stored line keeps a label key and its values, so one price shows
in Russian in the bot and in English in the partner API, with the clinic's currency and real minus signs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kernel.pricing.labels import label_text, money_text, price_text
from kernel.pricing.lines import Line, Price

LINES = (
    Line("base", "flat", Decimal("2500.00"), {"name": "УЗИ"}),
    Line("discount", "discount_birthday", Decimal("-300.00"), {"percent": "12.00"}, rule_id=1),
)


@pytest.mark.parametrize("language, expected", [
    ("ru", "УЗИ 2\u00a0500\u00a0₽ · скидка в день рождения −12\u00a0% −300\u00a0₽ · итого 2\u00a0200\u00a0₽"),
    ("en", "УЗИ 2,500\u00a0₽ · birthday discount −12\u00a0% −300\u00a0₽ · total 2,200\u00a0₽"),
])
def test_a_price_reads_as_one_line_in_each_language(language, expected):
    with translation.override(language):
        assert price_text(Price("RUB", LINES)) == expected


@pytest.mark.parametrize("label, params, ru, en", [
    ("per_day", {"name": "Холтер", "units": 2, "days": 3, "price": "500.00"},
     "Холтер · 2 шт. × 3 дня × 500\u00a0₽", "Холтер · 2 pcs × 3 days × 500\u00a0₽"),
    ("per_day", {"name": "Холтер", "units": 1, "days": 5, "price": "1250.50"},
     "Холтер · 1 шт. × 5 дней × 1\u00a0250,50\u00a0₽", "Холтер · 1 pc × 5 days × 1,250.50\u00a0₽"),
    ("per_slot", {"name": "Кабинет 1", "slots": 2, "price": "1000.00"},
     "Кабинет 1 · 2 слота × 1\u00a0000\u00a0₽", "Кабинет 1 · 2 slots × 1,000\u00a0₽"),
    ("discount_threshold", {"percent": "12.50", "min_total": "1000.00"},
     "скидка на сумму от 1\u00a0000\u00a0₽ −12,5\u00a0%", "discount on a total from 1,000\u00a0₽ −12.5\u00a0%"),
    ("discount_personal", {"percent": "5"}, "персональная скидка −5\u00a0%", "personal discount −5\u00a0%"),
    ("discount_limit", {}, "дневной лимит скидок исчерпан", "daily discount limit reached"),
    ("override", {"reason": "постоянный клиент"}, "цена изменена клиникой: постоянный клиент",
     "price changed by the clinic: постоянный клиент"),
])
def test_each_label_in_russian_and_english(label, params, ru, en):
    with translation.override("ru"):
        assert label_text(label, params) == ru
    with translation.override("en"):
        assert label_text(label, params) == en


def test_a_label_this_version_does_not_know_shows_its_key():
    assert label_text("per_visit", {"name": "x"}) == "per_visit"
    assert label_text("per_day", {"name": "x"}) == "per_day"  # values missing


def test_money_in_another_currency_shows_its_symbol_or_code():
    with translation.override("en"):
        assert money_text(Decimal("-12.5"), "EUR") == "−12.50\u00a0€"
        assert money_text(Decimal("3"), "CHF") == "3\u00a0CHF"
