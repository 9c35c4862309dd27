"""The pricing rule itself, pure: base lines in, at most one discount (the best that applies; rules never
stack), the lines out. No database, no clock: `services.price_quote` gathers the rules, the client and the
quota and calls this."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from kernel.pricing.lines import BASE, DISCOUNT, INFO, ZERO, Line, Price, cents

BIRTHDAY, THRESHOLD, PERSONAL = "birthday", "threshold", "personal"
# On a tie of amounts the client's own discount wins, then the birthday, then the threshold: the most personal
# reason is the one the client reads.
PREFERENCE = {PERSONAL: 0, BIRTHDAY: 1, THRESHOLD: 2}
QUOTA_SPENT = "discount_limit"


def is_birthday(day: date, birthday: date | None) -> bool:
    """Whether `day` is the birthday; someone born on 29 February has it on the 28th in other years."""
    if birthday is None:
        return False
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(day.year):
        return (day.month, day.day) == (2, 28)
    return (day.month, day.day) == (birthday.month, birthday.day)


def rule_percent(rule, *, base_total: Decimal, day: date, birthday: date | None,
                 personal_percent: Decimal | None) -> Decimal | None:
    """The percentage `rule` gives this request, or None when it does not apply. A personal rule gives the
    client's own percentage, at most the rule's."""
    if rule.kind == BIRTHDAY:
        return rule.percent if is_birthday(day, birthday) else None
    if rule.kind == THRESHOLD:
        return rule.percent if rule.min_total is not None and base_total >= rule.min_total else None
    if rule.kind == PERSONAL:
        return min(Decimal(personal_percent), rule.percent) if personal_percent else None
    return None


def best_discount(rules: Iterable, *, base_total: Decimal, day: date, birthday: date | None = None,
                  personal_percent: Decimal | None = None) -> Line | None:
    """The one discount line this request gets: the largest amount among the rules that apply."""
    best, best_key = None, None
    for rule in rules:
        percent = rule_percent(rule, base_total=base_total, day=day, birthday=birthday,
                               personal_percent=personal_percent)
        if not percent:
            continue
        amount = cents(base_total * percent / 100)
        if amount <= 0:
            continue
        key = (-amount, PREFERENCE.get(rule.kind, 9), rule.pk)
        if best_key is None or key < best_key:
            params = {"percent": str(percent)}
            if rule.kind == THRESHOLD:
                params["min_total"] = str(rule.min_total)
            best, best_key = Line(DISCOUNT, f"discount_{rule.kind}", -amount, params, rule.pk), key
    return best


def price_compute(*, base: Sequence[Line], day: date, rules: Iterable, currency: str, birthday: date | None = None,
                  personal_percent: Decimal | None = None, quota_spent: bool = False) -> Price:
    """Base lines (each rounded to kopecks), then the best discount; when the day's quota of discounts is spent,
    a note instead of the discount, and the full price."""
    lines = tuple(Line(BASE, line.label, cents(line.amount), line.params) for line in base)
    base_total = cents(sum((line.amount for line in lines), ZERO))
    discount = best_discount(rules, base_total=base_total, day=day, birthday=birthday,
                             personal_percent=personal_percent)
    if discount is None:
        return Price(currency, lines)
    if quota_spent:
        return Price(currency, (*lines, Line(INFO, QUOTA_SPENT, ZERO)))
    return Price(currency, (*lines, discount))
