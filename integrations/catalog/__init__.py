"""The catalogue import: items, cabinets, weekly schedules and holidays from the YAML files of the system this
one replaces (`items.yaml` and `cabinets.yaml`; see configs/*.example.yaml for every field).

Reading is pure: `read_items_file` and `read_cabinets_file` turn a file into dataclasses, or raise
`CatalogError` listing every problem with the entry and the field at fault. Writing is `catalog_import`: one
transaction, `full_clean()` before every save, so a catalogue that is refused writes nothing at all.

Identity. Items and cabinets are matched by name, holidays by date, weekly schedule rows by (cabinet,
weekday): a re-import updates them in place and never duplicates. The files' numeric ids are not stored as
such; a cabinet's id becomes its sort order (the old system listed cabinets by id), which is how an items file
imported on its own finds the cabinet an item is installed in.

Fields an entry leaves out keep their current value, and a new entry gets the default, so a re-import does
not undo admin edits of fields the file does not mention; write a field with an empty value to clear it.
Weekly schedules are the exception: the file owns them, each cabinet's seven rows follow the file.

Rules. Whatever the admin checks, the import checks with the same services: new hours, a new holiday, fewer
units of an item, withdrawing an item or deactivating a cabinet that would strand bookings is refused naming
those bookings (E-3, C-5), and the whole import is rolled back. The import never cancels a booking.

One job per module: `reading` (the file and its YAML), `fields`, `parse_items` and `parse_cabinets` (the
checks), `specs` (what they produce), `load` (the transaction), `import_cabinets` and `import_items` (the
writes, through the services), `rows` (one checked save), `report` (the refusal and the report).
"""

from integrations.catalog.load import catalog_import, catalog_load
from integrations.catalog.parse_cabinets import parse_cabinets
from integrations.catalog.parse_items import check_cabinet_references, parse_items
from integrations.catalog.reading import read_cabinets_file, read_items_file
from integrations.catalog.report import CatalogError, CatalogReport, Outcome
from integrations.catalog.specs import CabinetsFile, CabinetSpec, HolidaySpec, ItemsFile, ItemSpec, Schedule

__all__ = [
    "CabinetSpec",
    "CabinetsFile",
    "CatalogError",
    "CatalogReport",
    "HolidaySpec",
    "ItemSpec",
    "ItemsFile",
    "Outcome",
    "Schedule",
    "catalog_import",
    "catalog_load",
    "check_cabinet_references",
    "parse_cabinets",
    "parse_items",
    "read_cabinets_file",
    "read_items_file",
]
