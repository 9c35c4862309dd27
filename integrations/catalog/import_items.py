"""Importing the items file: items matched by name; fewer units or a withdrawal goes through the equipment
service the admin uses, so what would leave fewer units than are booked, or strand bookings, is refused."""

from __future__ import annotations

from django.utils import timezone

from cabinets.models import Cabinet
from equipment.models import Item
from equipment.services import item_catalogue_change
from integrations.catalog.report import CatalogError, Outcome, refusal
from integrations.catalog.rows import apply_values, display, save_checked
from integrations.catalog.specs import ItemsFile
from kernel.channels import Actor
from kernel.errors import BookingError


def imported_cabinets(items: ItemsFile) -> dict[int, Cabinet]:
    """For an items file imported on its own: the cabinets its cabinet_ids name, by their catalogue id."""
    wanted = {spec.cabinet_id for spec in items.items if spec.cabinet_id is not None}
    found = {cabinet.catalog_id: cabinet for cabinet in Cabinet.objects.filter(catalog_id__in=wanted)}
    problems = [
        f"{spec.where}: cabinet_id {spec.cabinet_id} matches no imported cabinet; "
        f"load the cabinets file together with this one"
        for spec in items.items
        if spec.cabinet_id is not None and spec.cabinet_id not in found
    ]
    if problems:
        raise CatalogError(items.source, problems)
    return found


def import_items(items: ItemsFile, by_yaml_id: dict[int, Cabinet]) -> Outcome:
    outcome = Outcome()
    names = [spec.name for spec in items.items]
    existing = {item.name: item for item in Item.objects.select_for_update().filter(name__in=names)}
    cabinet_names = dict(Cabinet.objects.values_list("pk", "name"))
    for spec in items.items:
        cabinet = by_yaml_id[spec.cabinet_id] if spec.cabinet_id is not None else None
        values = {
            "quantity": spec.quantity, "description": spec.description, "category": spec.category,
            "sort_order": spec.sort_order, "is_active": spec.is_active,
            "permanently_reserved": spec.permanently_reserved, "price_per_day": spec.price_per_day,
            "prepayment_required": spec.prepayment_required,
        }
        item = existing.get(spec.name)
        if item is None:
            save_checked(Item(name=spec.name, cabinet=cabinet, **values), where=spec.where, source=items.source)
            outcome.created.append(spec.name)
            continue
        if {"quantity", "is_active"} & spec.given:
            # Fewer units or a withdrawal goes through the service the admin uses: refused while it would
            # leave fewer units than are booked, or strand bookings.
            try:
                item_catalogue_change(item=item, actor=Actor.system(), now=timezone.now(),
                                      quantity=values["quantity"] if "quantity" in spec.given else item.quantity,
                                      is_active=values["is_active"] if "is_active" in spec.given else item.is_active)
            except BookingError as error:
                raise refusal(items.source, spec.where, error) from None
        changes = apply_values(item, {name: value for name, value in values.items() if name in spec.given})
        if "cabinet" in spec.given and item.cabinet_id != (cabinet.pk if cabinet else None):
            old = cabinet_names.get(item.cabinet_id) if item.cabinet_id else None
            changes.append(f"cabinet {display(old)} → {display(cabinet.name if cabinet else None)}")
            item.cabinet = cabinet
        if changes:
            save_checked(item, where=spec.where, source=items.source)
            outcome.updated.append((spec.name, changes))
        else:
            outcome.unchanged.append(spec.name)
    outcome.not_in_file = list(Item.objects.exclude(name__in=names).order_by("name")
                               .values_list("name", flat=True))
    return outcome
