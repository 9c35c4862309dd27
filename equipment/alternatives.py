"""What to offer instead of a full request for whole days: the nearest start dates within ±14 days where
the same units and length fit (turnaround included), and other active items of the same category that are
free on the requested days. Two queries, whatever the length or the number of bookings: the candidate
items, then one read of their usage over the whole search range."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from equipment import rules
from equipment.availability import bookable_items_for_clients, equipment_usage
from equipment.models import Item
from kernel.channels import Actor

SEARCH_DAYS = 14
LIMIT = 3


def _value(item: Item, start: date, end: date, units: int) -> dict:
    return {"item_id": item.pk, "item_name": item.name, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "units": units}


def equipment_alternatives(
    *,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    actor: Actor,
    now: datetime,
    limit: int = LIMIT,
    **_ignored,
) -> list[dict]:
    """Up to `limit` other start dates for the same item, then up to `limit` other items."""
    end_date = end_date or start_date
    if not isinstance(units, int) or units < 1 or end_date < start_date:
        return []
    length = end_date - start_date
    today = rules.clinic_today(now)
    horizon = rules.last_bookable_day(now)
    allowed = Item.objects.filter(is_active=True)
    if not actor.is_manager:
        allowed = allowed.filter(bookable_items_for_clients())
    others = allowed.filter(category=item.category).exclude(pk=item.pk) if item.category else allowed.none()
    candidates = {i.pk: i for i in others.order_by("sort_order", "id")[:50]}
    candidates[item.pk] = item
    first = max(today, start_date - timedelta(days=SEARCH_DAYS))
    last_start = min(start_date + timedelta(days=SEARCH_DAYS), horizon - length)
    tail = max(i.turnaround_days for i in candidates.values())
    grid = equipment_usage(items=candidates.values(), start_date=first,
                           end_date=max(end_date, last_start + length) + timedelta(days=tail)).grid()
    starts = [first + timedelta(days=n) for n in range((last_start - first).days + 1)]
    starts = sorted((s for s in starts if s != start_date), key=lambda s: (abs((s - start_date).days), s))
    found: list[dict] = []
    bookable = item.is_active and (actor.is_manager or (not item.permanently_reserved and item.cabinet_id is None))
    if bookable:
        for start in starts:
            if len(found) == limit:
                break
            if grid.fits(item.pk, units, start, start + length):
                found.append(_value(item, start, start + length, units))
    others_found = 0
    for other in candidates.values():
        if other.pk == item.pk or others_found == limit:
            continue
        if grid.fits(other.pk, units, start_date, end_date):
            found.append(_value(other, start_date, end_date, units))
            others_found += 1
    return found
