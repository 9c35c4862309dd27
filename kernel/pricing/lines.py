"""A price as the pricing function returns it and a door shows it: lines with signed amounts that add up to the
total (the total is not a line). Amounts are Decimal kopecks (cents), never float."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

BASE, DISCOUNT, INFO, OVERRIDE = "base", "discount", "info", "override"


def cents(value) -> Decimal:
    """`value` rounded to kopecks, half up (2.345 -> 2.35, -2.345 -> -2.35)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    kind: str  # base | discount | info | override
    label: str  # a key of kernel.pricing.labels
    amount: Decimal
    params: Mapping = field(default_factory=dict)  # the label's values: text, numbers, decimal strings
    rule_id: int | None = None

    @property
    def text(self) -> str:
        """The line's words in the active language ("Холтер · 2 шт. × 3 дня × 500 ₽")."""
        from kernel.pricing.labels import label_text

        return label_text(self.label, self.params)


@dataclass(frozen=True)
class PriceBase:
    """What a resource's adapter says a request costs before discounts: the booking's day (clinic zone; the
    birthday rule looks at it) and one `base` line per priced resource (none for what has no price)."""

    day: date
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Price:
    currency: str
    lines: tuple[Line, ...] = ()

    @property
    def total(self) -> Decimal:
        return cents(sum((line.amount for line in self.lines), ZERO))

    @property
    def base_total(self) -> Decimal:
        return cents(sum((line.amount for line in self.lines if line.kind == BASE), ZERO))

    @property
    def discount(self) -> Line | None:
        return next((line for line in self.lines if line.kind == DISCOUNT), None)

    def with_line(self, line: Line) -> Price:
        return Price(self.currency, (*self.lines, line))
