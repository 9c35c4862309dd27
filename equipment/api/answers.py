"""The equipment answers of the partner doors, as plain data: the REST views render them as JSON and the gRPC
servicers as messages, so both doors give the same answer from the same calculator call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils.translation import gettext_lazy as _

from accounts.models import Partner
from equipment.availability import EquipmentGrid, equipment_grid
from equipment.models import Item
from equipment.services import check_item_bookable
from kernel.api import local_iso
from kernel.channels import Actor
from kernel.errors import BookingError


def refusal(item: Item, actor: Actor) -> str | None:
    """Why a partner may not book this item at all (reserved, installed in a cabinet, inactive), or None."""
    try:
        check_item_bookable(item=item, actor=actor)
    except BookingError as error:
        return error.code
    return None


def item_days(grid: EquipmentGrid, item: Item, days: Iterable[date], refused: str | None, **extra) -> list[dict]:
    """One item's days: available, booked_count, total, blocked_count and reason, with `extra` in each row.
    The per-item lookups are done once."""
    pk, total, bookable = item.pk, grid.total(item.pk), refused is None
    rows = []
    for day in days:
        booked, blocked, free, reason = grid.figures(pk, day)
        rows.append({**extra, "date": day.isoformat(), "available": bookable and free >= 1, "booked_count": booked,
                     "total": total, "blocked_count": blocked, "reason": refused or reason})
    return rows


def item_by_name(name: str) -> Item:
    item = Item.objects.filter(name=name.strip()).first() if name.isprintable() else None
    if item is None:
        raise BookingError("not_found", _("Item not found."), item_name=name)
    return item


def item_by_id(item_id: int) -> Item:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise BookingError("not_found", _("Item not found."), item_id=item_id)
    return item


def items_list() -> list[dict]:
    """Every item, inactive and reserved ones included, by sort order then id."""
    items = []
    for item in Item.objects.order_by("sort_order", "id"):
        row = {"id": item.pk, "name": item.name, "description": item.description, "category": item.category,
               "total_quantity": item.quantity, "sort_order": item.sort_order, "is_active": item.is_active,
               "permanent_reserved": item.permanently_reserved, "created_at": local_iso(item.created_at),
               "updated_at": local_iso(item.updated_at)}
        if item.cabinet_id is not None:
            row["cabinet_id"] = item.cabinet_id
        items.append(row)
    return items


def item_availability(item: Item, day: date, partner: Partner) -> dict:
    """One item on one day, for a partner."""
    grid = equipment_grid(items=[item], start_date=day, end_date=day)
    row = item_days(grid, item, [day], refusal(item, Actor.for_partner(partner)))[0]
    del row["date"]
    return row


def bulk_availability(names: Sequence[str], days: Sequence[date], partner: Partner) -> dict:
    """Items by name on the given days (in the order asked), item-major; unknown names are skipped and listed
    in `unknown_items`."""
    span = sorted(days)
    names = [name.strip() for name in names if name.strip()]
    by_name = {item.name: item for item in Item.objects.filter(name__in=names)}
    grid = equipment_grid(items=by_name.values(), start_date=span[0], end_date=span[-1])
    actor = Actor.for_partner(partner)
    refusals = {item.pk: refusal(item, actor) for item in by_name.values()}
    results = [
        row for name in dict.fromkeys(names) if (item := by_name.get(name)) is not None
        for row in item_days(grid, item, days, refusals[item.pk], item_name=name)
    ]
    unknown = [name for name in dict.fromkeys(names) if name not in by_name]
    return {"results": results, "unknown_items": unknown}


def item_range(item: Item, start: date, end: date, partner: Partner) -> list[dict]:
    """One item on every day of start..end, for a partner: the rows of bulk_availability for that item."""
    grid = equipment_grid(items=[item], start_date=start, end_date=end)
    return item_days(grid, item, grid.days, refusal(item, Actor.for_partner(partner)))
