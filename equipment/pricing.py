"""What equipment costs before discounts: units × days × the item's price per day. An item without a price adds
no line; one with a price of 0 adds a line of 0 (it is free, and the breakdown says so)."""

from __future__ import annotations

from datetime import date

from equipment.models import Item
from kernel.errors import BookingError
from kernel.pricing.lines import BASE, Line, PriceBase


def item_line(item: Item, *, units: int, days: int) -> Line | None:
    """`units` of `item` for `days` days (a cabinet booking's window counts as one day), or None unpriced."""
    if item.price_per_day is None:
        return None
    return Line(BASE, "per_day", item.price_per_day * units * days,
                {"name": item.name, "units": units, "days": days, "price": str(item.price_per_day)})


def equipment_price_base(*, item: Item, units: int, start_date: date, end_date: date | None = None) -> PriceBase:
    """A whole-day booking of `units` of `item` from `start_date` to `end_date` (inclusive); its day, for the
    birthday discount, is the first."""
    end_date = end_date or start_date
    if end_date < start_date:
        raise BookingError("bad_range", field="end_date")
    line = item_line(item, units=units, days=(end_date - start_date).days + 1)
    return PriceBase(start_date, (line,) if line is not None else ())
