"""The words of price lines, in the reader's language. A line stores a label key and its values (names, counts,
decimal strings), not text, so one stored price reads in Russian in the bot and in English in the partner API;
money is shown in the clinic's currency ("2 500 ₽", "1 250,50 ₽")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.conf import settings
from django.utils import formats, numberformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£", "KZT": "₸", "UAH": "₴", "BYN": "Br", "INR": "₹"}
MINUS = "−"


def number_text(value: Decimal | int | str) -> str:
    """A number as the active language writes it, without trailing zeros ("12", "12,5")."""
    value = Decimal(str(value))
    whole = value == value.to_integral_value()
    value = value if whole else value.normalize()
    return numberformat.format(value, formats.get_format("DECIMAL_SEPARATOR"), decimal_pos=0 if whole else None,
                               grouping=3, thousand_sep=formats.get_format("THOUSAND_SEPARATOR"), force_grouping=True)


def currency_sign(currency: str | None = None) -> str:
    """How a currency (the clinic's, settings.CURRENCY, unless named) is written after an amount: its sign, else
    its ISO code."""
    currency = currency or settings.CURRENCY
    return SYMBOLS.get(currency, currency)


def money_text(amount: Decimal | str, currency: str | None = None) -> str:
    """"2 500 ₽", "−300 ₽", "1 250,50 ₽": whole amounts without kopecks, a real minus sign. Every door writes
    money with this one function (prices, wallets, the admin)."""
    amount = Decimal(str(amount))
    sign = MINUS if amount < 0 else ""
    amount = abs(amount)
    places = 0 if amount == amount.to_integral_value() else 2
    digits = numberformat.format(amount, formats.get_format("DECIMAL_SEPARATOR"), decimal_pos=places, grouping=3,
                                 thousand_sep=formats.get_format("THOUSAND_SEPARATOR"), force_grouping=True)
    return f"{sign}{digits}\u00a0{currency_sign(currency)}"


def _per_day(p: Mapping) -> str:
    days, units = int(p["days"]), int(p["units"])
    return _("%(name)s · %(units)s × %(days)s × %(price)s") % {
        "name": p["name"], "price": money_text(p["price"]),
        "units": ngettext("%(n)s pc", "%(n)s pcs", units) % {"n": units},
        "days": ngettext("%(n)s day", "%(n)s days", days) % {"n": days}}


def _per_slot(p: Mapping) -> str:
    slots = int(p["slots"])
    return _("%(name)s · %(slots)s × %(price)s") % {
        "name": p["name"], "price": money_text(p["price"]),
        "slots": ngettext("%(n)s slot", "%(n)s slots", slots) % {"n": slots}}


def _discount(text: str, p: Mapping) -> str:
    return text % {"percent": f"{MINUS}{number_text(p['percent'])}\u00a0%",
                   "min_total": money_text(p["min_total"]) if "min_total" in p else ""}


LABELS: dict[str, Callable[[Mapping], str]] = {
    # base: units × days × price per day; slots × price per slot; a flat price (a service)
    "per_day": _per_day,
    "per_slot": _per_slot,
    "flat": lambda p: str(p["name"]),
    # discount: one of the rules' kinds
    "discount_birthday": lambda p: _discount(_("birthday discount %(percent)s"), p),
    "discount_threshold": lambda p: _discount(_("discount on a total from %(min_total)s %(percent)s"), p),
    "discount_personal": lambda p: _discount(_("personal discount %(percent)s"), p),
    # info: a discount applied but the day's quota of discounts is spent
    "discount_limit": lambda p: _("daily discount limit reached"),
    # package: a session of the client's prepaid package
    "package": lambda p: _("package: session %(n)s of %(of)s") % {"n": p["n"], "of": p["of"]},
    # override: a manager set the total
    "override": lambda p: _("price changed by the clinic: %(reason)s") % {"reason": p.get("reason", "")},
}


def label_text(label: str, params: Mapping) -> str:
    """A line's words in the active language; an unknown key (a newer version's) shows as itself."""
    render = LABELS.get(label)
    try:
        return render(params) if render is not None else label
    except (KeyError, ValueError, ArithmeticError):  # a line stored with values this version does not know
        return label


def price_text(price) -> str:
    """A price in one line for a card: "УЗИ 2 500 ₽ · скидка в день рождения −12 % −300 ₽ · итого 2 200 ₽"
    (an `info` line shows its words alone)."""
    parts = []
    for line in price.lines:
        amount = line_amount_text(line, price.currency)
        parts.append(f"{line.text} {amount}" if amount else line.text)
    parts.append(total_text(price))
    return " · ".join(parts)


def line_amount_text(line, currency: str) -> str:
    """A line's amount as a card shows it; none for a note (an `info` line of 0)."""
    return "" if line.amount == 0 and line.kind == "info" else money_text(line.amount, currency)


def total_text(price) -> str:
    """"итого 2 200 ₽": the last part of `price_text`, for a door that shows the lines one under another."""
    return _("total %(total)s") % {"total": money_text(price.total, price.currency)}
