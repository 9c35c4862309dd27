"""Loading a catalogue: both files read and checked before anything is written, then imported in one
transaction (rolled back on any refusal, or at the end of a dry run)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cabinets.models import Cabinet
from equipment.models import Item
from integrations.catalog.import_cabinets import import_cabinets, import_holidays
from integrations.catalog.import_discounts import import_discounts
from integrations.catalog.import_items import import_items, imported_cabinets
from integrations.catalog.import_services import import_services
from integrations.catalog.parse_items import check_cabinet_references
from integrations.catalog.parse_services import ServicesFile
from integrations.catalog.reading import read_cabinets_file, read_items_file, read_services_file
from integrations.catalog.report import CatalogReport
from integrations.catalog.specs import CabinetsFile, ItemsFile


def catalog_load(*, items_path: str | Path | None = None, cabinets_path: str | Path | None = None,
                 services_path: str | Path | None = None, dry_run: bool = False) -> CatalogReport:
    """Read and check every file before writing anything, then import them in one transaction."""
    cabinets = read_cabinets_file(cabinets_path) if cabinets_path else None
    items = read_items_file(items_path) if items_path else None
    services = read_services_file(services_path) if services_path else None
    if items is not None and cabinets is not None:
        check_cabinet_references(items, cabinets)
    return catalog_import(items=items, cabinets=cabinets, services=services, dry_run=dry_run)


@transaction.atomic
def catalog_import(*, items: ItemsFile | None = None, cabinets: CabinetsFile | None = None,
                   services: ServicesFile | None = None, dry_run: bool = False) -> CatalogReport:
    report = CatalogReport(dry_run=dry_run)
    by_yaml_id: dict[int, Cabinet] = {}
    if cabinets is not None:
        report.cabinets, by_yaml_id = import_cabinets(cabinets)
        report.holidays = import_holidays(cabinets)
    if items is not None:
        if cabinets is None:
            by_yaml_id = imported_cabinets(items)
        report.items = import_items(items, by_yaml_id)
    if services is not None:
        items_by_yaml_id = None
        if items is not None:
            by_name = Item.objects.in_bulk([spec.name for spec in items.items], field_name="name")
            items_by_yaml_id = {spec.yaml_id: by_name[spec.name] for spec in items.items}
        report.specialists, report.services = import_services(services, items_by_yaml_id)
        report.discounts = import_discounts(services)
    if dry_run:
        transaction.set_rollback(True)
    return report
