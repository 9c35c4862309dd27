"""Reading `items.yaml`: every item entry checked, every problem listed, nothing written."""

from __future__ import annotations

from typing import Any

from equipment.models import Item
from integrations.catalog.fields import (
    UNSET,
    Fields,
    entry_list,
    entry_where,
    field_max_length,
    given_or,
    shown,
    top_level,
)
from integrations.catalog.report import CatalogError
from integrations.catalog.specs import CabinetsFile, ItemsFile, ItemSpec

# yaml key -> model field, for the keys an entry may carry.
ITEM_KEYS = {
    "id": None, "name": "name", "description": "description", "total_quantity": "quantity",
    "cabinet_id": "cabinet", "sort_order": "sort_order", "is_active": "is_active",
    "permanent_reserved": "permanently_reserved", "category": "category", "price_per_day": "price_per_day",
    "prepayment_required": "prepayment_required",
}


def parse_items(data: Any, *, source: str) -> ItemsFile:
    problems = top_level(data, source, "items", {"items"})
    specs: list[ItemSpec] = []
    ids: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, entry in enumerate(entry_list(data, "items", problems, required=True)):
        where = entry_where("items", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping of fields (id, name, total_quantity, ...), "
                            f"got {shown(entry)}")
            continue
        fields = Fields(entry, where, problems)
        fields.refuse_unknown(ITEM_KEYS)
        yaml_id = fields.whole("id", minimum=1, required=True)
        name = fields.text("name", required=True, max_length=field_max_length(Item, "name"))
        quantity = fields.whole("total_quantity", minimum=0, required=True)
        description = fields.text("description")
        category = fields.text("category", max_length=field_max_length(Item, "category"))
        sort_order = fields.whole("sort_order")
        is_active = fields.flag("is_active")
        reserved = fields.flag("permanent_reserved")
        cabinet_id = fields.whole("cabinet_id", minimum=1, nullable=True)
        price = fields.money("price_per_day")
        prepaid = fields.flag("prepayment_required")
        if yaml_id is not UNSET:
            if yaml_id in ids:
                fields.problem(f"id {yaml_id} is already used by {ids[yaml_id]}")
            ids.setdefault(yaml_id, where)
        if name is not UNSET:
            if name in names:
                fields.problem(f'name "{name}" is already used by {names[name]}')
            names.setdefault(name, where)
        if not fields.ok:
            continue
        specs.append(ItemSpec(
            where=where, yaml_id=yaml_id, name=name, quantity=quantity,
            description=given_or(description, ""), category=given_or(category, ""), sort_order=given_or(sort_order, 0),
            is_active=given_or(is_active, True), permanently_reserved=given_or(reserved, False),
            cabinet_id=given_or(cabinet_id, None), price_per_day=given_or(price, None),
            prepayment_required=given_or(prepaid, False),
            given=frozenset(ITEM_KEYS[key] for key in entry if ITEM_KEYS.get(key) not in (None, "name")),
        ))
    if problems:
        raise CatalogError(source, problems)
    return ItemsFile(source=source, items=tuple(specs))


def check_cabinet_references(items: ItemsFile, cabinets: CabinetsFile) -> None:
    """Every cabinet_id of the items file is the id of a cabinet in the cabinets file loaded with it."""
    known = {cabinet.yaml_id for cabinet in cabinets.cabinets}
    problems = [
        f"{item.where}: cabinet_id {item.cabinet_id} is not the id of a cabinet in {cabinets.source}"
        for item in items.items
        if item.cabinet_id is not None and item.cabinet_id not in known
    ]
    if problems:
        raise CatalogError(items.source, problems)
