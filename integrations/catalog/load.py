"""Loading a catalogue: both files read and checked before anything is written, then imported in one
transaction (rolled back on any refusal, or at the end of a dry run)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from cabinets.models import Cabinet
from integrations.catalog.import_cabinets import import_cabinets, import_holidays
from integrations.catalog.import_items import import_items, imported_cabinets
from integrations.catalog.parse_items import check_cabinet_references
from integrations.catalog.reading import read_cabinets_file, read_items_file
from integrations.catalog.report import CatalogReport
from integrations.catalog.specs import CabinetsFile, ItemsFile


def catalog_load(*, items_path: str | Path | None = None, cabinets_path: str | Path | None = None,
                 dry_run: bool = False) -> CatalogReport:
    """Read and check both files before writing anything, then import them in one transaction."""
    cabinets = read_cabinets_file(cabinets_path) if cabinets_path else None
    items = read_items_file(items_path) if items_path else None
    if items is not None and cabinets is not None:
        check_cabinet_references(items, cabinets)
    return catalog_import(items=items, cabinets=cabinets, dry_run=dry_run)


@transaction.atomic
def catalog_import(*, items: ItemsFile | None = None, cabinets: CabinetsFile | None = None,
                   dry_run: bool = False) -> CatalogReport:
    report = CatalogReport(dry_run=dry_run)
    by_yaml_id: dict[int, Cabinet] = {}
    if cabinets is not None:
        report.cabinets, by_yaml_id = import_cabinets(cabinets)
        report.holidays = import_holidays(cabinets)
    if items is not None:
        if cabinets is None:
            by_yaml_id = imported_cabinets(items)
        report.items = import_items(items, by_yaml_id)
    if dry_run:
        transaction.set_rollback(True)
    return report
