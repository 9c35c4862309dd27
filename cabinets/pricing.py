"""What a cabinet booking costs before discounts: its slots × the cabinet's price per slot, plus its equipment
(units × one day × each item's price per day, equipment.pricing). A slot is the cabinet's slot length on that
weekday; a cabinet or item without a price adds no line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from cabinets import rules
from cabinets.models import Cabinet, WeeklySchedule
from equipment.models import Item
from equipment.pricing import item_line
from kernel.pricing.lines import BASE, Line, PriceBase
from kernel.scheduling import GRID_MINUTES


def slot_minutes_on(cabinet: Cabinet, day: date) -> int:
    """The length of the cabinet's slots on `day`'s weekday (the grid's when it has no hours that day)."""
    minutes = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=day.weekday()).values_list(
        "slot_minutes", flat=True).first()
    return minutes or GRID_MINUTES


def cabinet_price_base(*, cabinet: Cabinet, starts_at: datetime, duration_minutes: int,
                       equipment: Sequence[tuple[Item, int]] = ()) -> PriceBase:
    """Slots of `cabinet` from `starts_at` (its day in the clinic's zone) for `duration_minutes`, with
    `equipment` ((item, units) pairs, one item's pairs added up) for the same window."""
    day = rules.local(starts_at).date()
    lines: list[Line] = []
    if cabinet.price_per_slot is not None:
        slots = -(-duration_minutes // slot_minutes_on(cabinet, day))
        lines.append(Line(BASE, "per_slot", cabinet.price_per_slot * slots,
                          {"name": cabinet.name, "slots": slots, "price": str(cabinet.price_per_slot)}))
    units: dict[int, tuple[Item, int]] = {}
    for item, count in equipment:
        units[item.pk] = (item, units[item.pk][1] + count if item.pk in units else count)
    for item, count in units.values():
        line = item_line(item, units=count, days=1)
        if line is not None:
            lines.append(line)
    return PriceBase(day, tuple(lines))
