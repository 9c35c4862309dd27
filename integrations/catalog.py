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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cabinets.models import Cabinet, Holiday, WeeklySchedule
from cabinets.services import cabinet_deactivate, holiday_save, weekly_schedule_save
from equipment.models import Item
from equipment.services import item_catalogue_change
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.scheduling import GRID_MINUTES

# Used when neither the cabinet nor the file's defaults give a schedule.
FALLBACK_OPENS, FALLBACK_CLOSES, FALLBACK_SLOT_MINUTES = time(10), time(22), 30
MAX_SLOT_MINUTES = 240
MAX_PROBLEMS_SHOWN = 30
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# yaml key -> model field, for the keys an entry may carry.
ITEM_KEYS = {
    "id": None, "name": "name", "description": "description", "total_quantity": "quantity",
    "cabinet_id": "cabinet", "sort_order": "sort_order", "is_active": "is_active",
    "permanent_reserved": "permanently_reserved", "category": "category",
}
CABINET_KEYS = {
    "id": None, "name": "name", "number": "number", "address": "address", "description": "description",
    "floor": "floor", "capacity": "capacity", "is_active": "is_active", "default_schedule": None,
}
SCHEDULE_KEYS = {"start_time", "end_time", "slot_duration_minutes", "lunch_start", "lunch_end"}
DEFAULTS_KEYS = {"schedule", "days_off"}
HOLIDAY_KEYS = {"date", "name"}
# Keys people write by mistake (several come from the old system's README), and what they meant.
KEY_HINTS = {
    "quantity": "total_quantity", "total": "total_quantity", "order": "sort_order",
    "permanently_reserved": "permanent_reserved", "reserved": "permanent_reserved",
    "enabled": "is_active", "active": "is_active", "schedule": "default_schedule", "cabinet": "cabinet_id",
    "slot_duration": "slot_duration_minutes", "slot_minutes": "slot_duration_minutes",
    "start": "start_time", "end": "end_time", "opens": "start_time", "closes": "end_time",
}


class CatalogError(Exception):
    """A catalogue file is refused. `problems` name the entry and the field at fault."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"{source} is refused, nothing was imported:", *(f"  {problem}" for problem in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Schedule:
    opens: time
    closes: time
    slot_minutes: int = FALLBACK_SLOT_MINUTES
    lunch_start: time | None = None
    lunch_end: time | None = None


FALLBACK_SCHEDULE = Schedule(FALLBACK_OPENS, FALLBACK_CLOSES, FALLBACK_SLOT_MINUTES)


@dataclass(frozen=True)
class ItemSpec:
    where: str  # how problems name this entry: items[3] (id 7, "Accent")
    yaml_id: int
    name: str
    quantity: int = 1
    description: str = ""
    category: str = ""
    sort_order: int = 0
    is_active: bool = True
    permanently_reserved: bool = False
    cabinet_id: int | None = None  # the cabinet's id in the cabinets file
    given: frozenset[str] = frozenset()  # the model fields the file states


@dataclass(frozen=True)
class CabinetSpec:
    where: str
    yaml_id: int
    name: str
    schedule: Schedule
    number: str = ""
    address: str = ""
    description: str = ""
    floor: int | None = None
    capacity: int = 1
    is_active: bool = True
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HolidaySpec:
    where: str
    date: date
    name: str | None = None  # None: not given


@dataclass(frozen=True)
class ItemsFile:
    source: str
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class CabinetsFile:
    source: str
    cabinets: tuple[CabinetSpec, ...]
    days_off: frozenset[int] = frozenset()  # our weekdays, 0 = Monday
    holidays: tuple[HolidaySpec, ...] = ()


@dataclass
class Outcome:
    """What an import did to one kind of row."""

    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


@dataclass
class CatalogReport:
    cabinets: Outcome | None = None
    holidays: Outcome | None = None
    items: Outcome | None = None
    dry_run: bool = False

    def sections(self) -> list[tuple[str, Outcome]]:
        named = (("Cabinets", self.cabinets), ("Holidays", self.holidays), ("Items", self.items))
        return [(title, outcome) for title, outcome in named if outcome is not None]

    def lines(self, *, verbose: bool = False) -> list[str]:
        lines = ["Dry run: nothing was saved."] if self.dry_run else []
        for title, outcome in self.sections():
            lines.append(f"{title}: {outcome.summary()}")
            lines += [f"  created: {name}" for name in outcome.created]
            lines += [f"  updated: {name} ({'; '.join(changes)})" for name, changes in outcome.updated]
            if verbose:
                lines += [f"  unchanged: {name}" for name in outcome.unchanged]
            lines += [f"  not in the file, left as it is: {name}" for name in outcome.not_in_file]
        return lines


# --- Reading ---------------------------------------------------------------------------------------------


class _CatalogLoader(yaml.SafeLoader):
    """A safe loader that reads an unquoted 10:00 as text rather than YAML 1.1's base-60 number 600 (and 010
    as "010", not octal 8), and refuses a key given twice in one mapping instead of keeping the last."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *anchor" is resolved by the base class
                    continue
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int):
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice", key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CatalogLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_CatalogLoader.add_implicit_resolver(
    _FLOAT_TAG, re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."),
)


def _read_yaml(path: str | Path) -> Any:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError(source, ["the file does not exist"]) from None
    except UnicodeDecodeError as error:
        raise CatalogError(source, [f"the file is not UTF-8 text (bad byte at offset {error.start})"]) from None
    except OSError as error:
        raise CatalogError(source, [f"the file cannot be read: {error.strerror or error}"]) from None
    try:
        data = yaml.load(text, Loader=_CatalogLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogError(source, [f"the file is not valid YAML{at}: {problem}"]) from None
    if data is None:
        raise CatalogError(source, ["the file is empty"])
    return data


def read_items_file(path: str | Path) -> ItemsFile:
    return parse_items(_read_yaml(path), source=str(path))


def read_cabinets_file(path: str | Path) -> CabinetsFile:
    return parse_cabinets(_read_yaml(path), source=str(path))


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_text(value: str) -> str:
    # NFC, so a name typed with a decomposed "ё" matches the same name typed with the composed one.
    return unicodedata.normalize("NFC", value).strip()


def _where(kind: str, index: int, entry: Any) -> str:
    parts = []
    if isinstance(entry, dict):
        if _is_whole(entry.get("id")):
            parts.append(f"id {entry['id']}")
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            parts.append(f'"{_clean_text(entry["name"])}"')
        if kind == "holidays" and entry.get("date") is not None:
            parts.append(str(entry["date"]))
    return f"{kind}[{index}] ({', '.join(parts)})" if parts else f"{kind}[{index}]"


_UNSET: Any = object()
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class _Fields:
    """Reads the fields of one mapping; each problem is noted against `where`. A reader returns _UNSET for a
    field that is absent (and not required) or wrong."""

    def __init__(self, data: dict, where: str, problems: list[str], prefix: str = "") -> None:
        self.data, self.where, self.problems, self.prefix = data, where, problems, prefix
        self.ok = True

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")
        self.ok = False

    def refuse_unknown(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.data:
            if key in allowed:
                continue
            hint = KEY_HINTS.get(key) if isinstance(key, str) else None
            suggestion = f" (did you mean {hint}?)" if hint in allowed else ""
            self.problem(f"unknown field {self.prefix}{_shown(key)}{suggestion}")

    def get(self, key: str, required: bool = False) -> Any:
        if key not in self.data:
            if required:
                self.problem(f"{self.prefix}{key} is required")
            return _UNSET
        return self.data[key]

    def whole(self, key: str, *, minimum: int | None = None, maximum: int | None = None,
              required: bool = False, nullable: bool = False) -> Any:
        value = self.get(key, required)
        if value is _UNSET or (value is None and nullable):
            return value
        if (not _is_whole(value) or (minimum is not None and value < minimum)
                or (maximum is not None and value > maximum)):
            bounds = " and ".join(
                f"{sign} {bound}" for sign, bound in ((">=", minimum), ("<=", maximum)) if bound is not None
            )
            self.problem(f"{self.prefix}{key} must be a whole number{' ' + bounds if bounds else ''}, "
                         f"got {_shown(value)}")
            return _UNSET
        return value

    def text(self, key: str, *, max_length: int | None = None, required: bool = False,
             allow_number: bool = False) -> Any:
        """Text; null (for an optional field) is the empty text. `allow_number` takes 101 as "101"."""
        value = self.get(key, required)
        if value is _UNSET:
            return value
        if value is None and not required:
            return ""
        if allow_number and _is_whole(value):
            value = str(value)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{self.prefix}{key} must be {'non-empty ' if required else ''}text, got {_shown(value)}")
            return _UNSET
        value = _clean_text(value)
        if max_length is not None and len(value) > max_length:
            self.problem(f"{self.prefix}{key} must be at most {max_length} characters, got {len(value)}")
            return _UNSET
        return value

    def flag(self, key: str) -> Any:
        value = self.get(key, False)
        if value is _UNSET:
            return value
        if not isinstance(value, bool):
            self.problem(f"{self.prefix}{key} must be true or false, got {_shown(value)}")
            return _UNSET
        return value

    def time(self, key: str, *, required: bool = False) -> Any:
        """A wall-clock "HH:MM" on the booking grid. An optional time that is absent or null is None."""
        value = self.get(key, required)
        if value is _UNSET and required:
            return value
        if value is _UNSET or (value is None and not required):
            return None
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.problem(f'{self.prefix}{key} must be a time "HH:MM" (00:00-23:59), got {_shown(value)}')
            return _UNSET
        parsed = time(int(match[1]), int(match[2]))
        if parsed.minute % GRID_MINUTES:
            self.problem(f"{self.prefix}{key} {parsed:%H:%M} is not on the {GRID_MINUTES}-minute grid "
                         f"(minutes must be {', '.join(f'{m:02d}' for m in range(0, 60, GRID_MINUTES))})")
            return _UNSET
        return parsed


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _or(value: Any, default: Any) -> Any:
    return default if value is _UNSET else value


def _entries(data: dict, key: str, problems: list[str], *, required: bool) -> list:
    """The list under `key` of a file's top-level mapping."""
    if key not in data:
        if required:
            problems.append(f'the top-level key "{key}" is missing')
        return []
    entries = data[key]
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(f'"{key}" must be a list, got {_shown(entries)}')
        return []
    return entries


def _top_level(data: Any, source: str, main: str, allowed: set[str]) -> list[str]:
    if not isinstance(data, dict):
        raise CatalogError(source, [f'the file must be a mapping with an "{main}" list, got {_shown(data)}'])
    problems = []
    for key in data:
        if key not in allowed:
            problems.append(f"unknown top-level key {_shown(key)} (expected {', '.join(sorted(allowed))})")
    return problems


def parse_items(data: Any, *, source: str) -> ItemsFile:
    problems = _top_level(data, source, "items", {"items"})
    specs: list[ItemSpec] = []
    ids: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, entry in enumerate(_entries(data, "items", problems, required=True)):
        where = _where("items", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping of fields (id, name, total_quantity, ...), "
                            f"got {_shown(entry)}")
            continue
        fields = _Fields(entry, where, problems)
        fields.refuse_unknown(ITEM_KEYS)
        yaml_id = fields.whole("id", minimum=1, required=True)
        name = fields.text("name", required=True, max_length=_max_length(Item, "name"))
        quantity = fields.whole("total_quantity", minimum=0, required=True)
        description = fields.text("description")
        category = fields.text("category", max_length=_max_length(Item, "category"))
        sort_order = fields.whole("sort_order")
        is_active = fields.flag("is_active")
        reserved = fields.flag("permanent_reserved")
        cabinet_id = fields.whole("cabinet_id", minimum=1, nullable=True)
        if yaml_id is not _UNSET:
            if yaml_id in ids:
                fields.problem(f"id {yaml_id} is already used by {ids[yaml_id]}")
            ids.setdefault(yaml_id, where)
        if name is not _UNSET:
            if name in names:
                fields.problem(f'name "{name}" is already used by {names[name]}')
            names.setdefault(name, where)
        if not fields.ok:
            continue
        specs.append(ItemSpec(
            where=where, yaml_id=yaml_id, name=name, quantity=quantity,
            description=_or(description, ""), category=_or(category, ""), sort_order=_or(sort_order, 0),
            is_active=_or(is_active, True), permanently_reserved=_or(reserved, False),
            cabinet_id=_or(cabinet_id, None),
            given=frozenset(ITEM_KEYS[key] for key in entry if ITEM_KEYS.get(key) not in (None, "name")),
        ))
    if problems:
        raise CatalogError(source, problems)
    return ItemsFile(source=source, items=tuple(specs))


def _read_schedule(data: Any, where: str, prefix: str, problems: list[str]) -> Schedule | None:
    if not isinstance(data, dict):
        problems.append(f"{where}: {prefix.rstrip('.') or 'schedule'} must be a mapping "
                        f"(start_time, end_time, slot_duration_minutes, ...), got {_shown(data)}")
        return None
    fields = _Fields(data, where, problems, prefix)
    fields.refuse_unknown(SCHEDULE_KEYS)
    opens = fields.time("start_time", required=True)
    closes = fields.time("end_time", required=True)
    slot_minutes = fields.whole("slot_duration_minutes", required=False)
    lunch_start = fields.time("lunch_start")
    lunch_end = fields.time("lunch_end")
    if slot_minutes is not _UNSET and (slot_minutes <= 0 or slot_minutes % GRID_MINUTES
                                       or slot_minutes > MAX_SLOT_MINUTES):
        fields.problem(f"{prefix}slot_duration_minutes must be a positive multiple of {GRID_MINUTES} "
                       f"up to {MAX_SLOT_MINUTES}, got {slot_minutes}")
        slot_minutes = _UNSET
    slot_minutes = _or(slot_minutes, FALLBACK_SLOT_MINUTES)
    if not fields.ok:
        return None
    if closes <= opens:
        fields.problem(f"{prefix}end_time ({closes:%H:%M}) must be after start_time ({opens:%H:%M})")
        return None
    if (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute) < slot_minutes:
        fields.problem(f"working hours {opens:%H:%M}-{closes:%H:%M} are shorter than one "
                       f"{slot_minutes}-minute slot")
    if (lunch_start is None) != (lunch_end is None):
        fields.problem(f"{prefix}lunch_start and {prefix}lunch_end go together: give both or neither")
    elif lunch_start is not None:
        if lunch_end <= lunch_start:
            fields.problem(f"{prefix}lunch_end ({lunch_end:%H:%M}) must be after "
                           f"lunch_start ({lunch_start:%H:%M})")
        elif lunch_start < opens or lunch_end > closes:
            fields.problem(f"lunch {lunch_start:%H:%M}-{lunch_end:%H:%M} must lie within working hours "
                           f"{opens:%H:%M}-{closes:%H:%M}")
    if not fields.ok:
        return None
    return Schedule(opens, closes, slot_minutes, lunch_start, lunch_end)


def _read_defaults(data: Any, problems: list[str]) -> tuple[Schedule, frozenset[int]]:
    if data is None:
        return FALLBACK_SCHEDULE, frozenset()
    if not isinstance(data, dict):
        problems.append(f"defaults must be a mapping (schedule, days_off), got {_shown(data)}")
        return FALLBACK_SCHEDULE, frozenset()
    _Fields(data, "defaults", problems).refuse_unknown(DEFAULTS_KEYS)
    schedule = FALLBACK_SCHEDULE
    if data.get("schedule") is not None:
        schedule = _read_schedule(data["schedule"], "defaults.schedule", "", problems) or FALLBACK_SCHEDULE
    days_off: set[int] = set()
    listed = data.get("days_off")
    if listed is not None and not isinstance(listed, list):
        problems.append(f"defaults.days_off must be a list of weekday numbers 1..7 (1 = Monday), "
                        f"got {_shown(listed)}")
    for index, day in enumerate(listed if isinstance(listed, list) else []):
        if not _is_whole(day) or not 1 <= day <= 7:
            problems.append(f"defaults.days_off[{index}]: {_shown(day)} is not a weekday number 1..7 "
                            f"(1 = Monday)")
        else:
            days_off.add(day - 1)
    return schedule, frozenset(days_off)


def _read_holiday_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_cabinets(data: Any, *, source: str) -> CabinetsFile:
    problems = _top_level(data, source, "cabinets", {"cabinets", "defaults", "holidays"})
    default_schedule, days_off = _read_defaults(data.get("defaults"), problems)

    specs: list[CabinetSpec] = []
    ids: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, entry in enumerate(_entries(data, "cabinets", problems, required=True)):
        where = _where("cabinets", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping of fields (id, name, ...), got {_shown(entry)}")
            continue
        fields = _Fields(entry, where, problems)
        fields.refuse_unknown(CABINET_KEYS)
        yaml_id = fields.whole("id", minimum=1, required=True)
        name = fields.text("name", required=True, max_length=_max_length(Cabinet, "name"))
        number = fields.text("number", allow_number=True, max_length=_max_length(Cabinet, "number"))
        address = fields.text("address", max_length=_max_length(Cabinet, "address"))
        description = fields.text("description")
        floor = fields.whole("floor", nullable=True)
        capacity = fields.whole("capacity", minimum=0, maximum=32767)
        is_active = fields.flag("is_active")
        schedule = default_schedule
        if entry.get("default_schedule") is not None:
            schedule = _read_schedule(entry["default_schedule"], where, "default_schedule.", problems)
            fields.ok = fields.ok and schedule is not None
        if yaml_id is not _UNSET:
            if yaml_id in ids:
                fields.problem(f"id {yaml_id} is already used by {ids[yaml_id]}")
            ids.setdefault(yaml_id, where)
        if name is not _UNSET:
            if name in names:
                fields.problem(f'name "{name}" is already used by {names[name]}')
            names.setdefault(name, where)
        if not fields.ok:
            continue
        specs.append(CabinetSpec(
            where=where, yaml_id=yaml_id, name=name, schedule=schedule,
            number=_or(number, ""), address=_or(address, ""), description=_or(description, ""),
            floor=_or(floor, None), capacity=max(_or(capacity, 1), 1), is_active=_or(is_active, True),
            given=frozenset(CABINET_KEYS[key] for key in entry if CABINET_KEYS.get(key) not in (None, "name")),
        ))

    holidays: list[HolidaySpec] = []
    dates: dict[date, str] = {}
    for index, entry in enumerate(_entries(data, "holidays", problems, required=False)):
        where = _where("holidays", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping (date, name), got {_shown(entry)}")
            continue
        fields = _Fields(entry, where, problems)
        fields.refuse_unknown(HOLIDAY_KEYS)
        raw = fields.get("date", required=True)
        day = _read_holiday_date(raw) if raw is not _UNSET else None
        if raw is not _UNSET and day is None:
            fields.problem(f"date must be a date YYYY-MM-DD, got {_shown(str(raw) if isinstance(raw, date) else raw)}")
        name = fields.text("name", max_length=_max_length(Holiday, "name"))
        if day is not None:
            if day in dates:
                fields.problem(f"date {day:%Y-%m-%d} is already listed by {dates[day]}")
            dates.setdefault(day, where)
        if fields.ok:
            holidays.append(HolidaySpec(where=where, date=day, name=None if name is _UNSET else name))

    if problems:
        raise CatalogError(source, problems)
    return CabinetsFile(source=source, cabinets=tuple(specs), days_off=days_off, holidays=tuple(holidays))


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


# --- Writing ---------------------------------------------------------------------------------------------


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
        report.cabinets, by_yaml_id = _import_cabinets(cabinets)
        report.holidays = _import_holidays(cabinets)
    if items is not None:
        if cabinets is None:
            by_yaml_id = _imported_cabinets(items)
        report.items = _import_items(items, by_yaml_id)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _save(obj: models.Model, *, where: str, source: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        details = "; ".join(
            " ".join(str(message) for message in messages) if name == NON_FIELD_ERRORS
            else f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in error.message_dict.items()
        )
        raise CatalogError(source, [f"{where}: {details}"]) from None
    obj.save()


def _refusal(source: str, where: str, error: BookingError) -> CatalogError:
    """A service's refusal as a catalogue problem, naming the bookings in the way (by reference)."""
    text = str(error.message)
    references = error.details.get("references") or []
    if any(reference not in text for reference in references):
        text += f" (bookings: {', '.join(references)})"
    return CatalogError(source, [f"{where}: {text}"])


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:39] + "…"
        return f'"{short}"'
    return str(value)


def _apply(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set `values` on `obj`; describe each field that changes."""
    changes = []
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes.append(f"{name} {_display(old)} → {_display(new)}")
            setattr(obj, name, new)
    return changes


def _import_cabinets(cabinets: CabinetsFile) -> tuple[Outcome, dict[int, Cabinet]]:
    outcome = Outcome()
    by_yaml_id: dict[int, Cabinet] = {}
    names = [spec.name for spec in cabinets.cabinets]
    ids = [spec.yaml_id for spec in cabinets.cabinets]
    known = list(Cabinet.objects.select_for_update().filter(Q(name__in=names) | Q(catalog_id__in=ids)))
    by_catalog_id = {cabinet.catalog_id: cabinet for cabinet in known if cabinet.catalog_id is not None}
    by_name = {cabinet.name: cabinet for cabinet in known}
    for spec in cabinets.cabinets:
        values = {
            "number": spec.number, "address": spec.address, "description": spec.description,
            "floor": spec.floor, "capacity": spec.capacity, "is_active": spec.is_active,
        }
        # The file's id is the cabinet's identity, so a renamed cabinet is updated, not duplicated.
        cabinet = by_catalog_id.get(spec.yaml_id) or by_name.get(spec.name)
        created = cabinet is None
        if not created and cabinet.is_active and "is_active" in spec.given and not spec.is_active:
            # Out of service through the service: refused while the cabinet has upcoming bookings.
            try:
                cabinet_deactivate(cabinet=cabinet, actor=Actor.system(), now=timezone.now())
            except BookingError as error:
                raise _refusal(cabinets.source, spec.where, error) from None
        if created:
            cabinet = Cabinet(name=spec.name, catalog_id=spec.yaml_id, sort_order=spec.yaml_id, **values)
            changes = []
        else:
            changes = _apply(cabinet, {"name": spec.name, "catalog_id": spec.yaml_id}
                             | {name: value for name, value in values.items() if name in spec.given})
        if created or changes:
            _save(cabinet, where=spec.where, source=cabinets.source)
        changes += _upsert_week(cabinet, spec, cabinets)
        by_yaml_id[spec.yaml_id] = cabinet
        if created:
            outcome.created.append(spec.name)
        elif changes:
            outcome.updated.append((spec.name, changes))
        else:
            outcome.unchanged.append(spec.name)
    outcome.not_in_file = list(Cabinet.objects.exclude(name__in=names).order_by("name")
                               .values_list("name", flat=True))
    return outcome, by_yaml_id


def _day(schedule: Schedule, day_off: bool) -> dict[str, Any]:
    if day_off:
        return {"is_day_off": True, "opens": None, "closes": None, "slot_minutes": schedule.slot_minutes,
                "lunch_start": None, "lunch_end": None}
    return {"is_day_off": False, "opens": schedule.opens, "closes": schedule.closes,
            "slot_minutes": schedule.slot_minutes, "lunch_start": schedule.lunch_start,
            "lunch_end": schedule.lunch_end}


def _describe_day(row: WeeklySchedule | None) -> str:
    if row is None:
        return "none"
    if row.is_day_off:
        return "day off"
    lunch = f", lunch {row.lunch_start:%H:%M}-{row.lunch_end:%H:%M}" if row.lunch_start else ""
    return f"{row.opens:%H:%M}-{row.closes:%H:%M} by {row.slot_minutes} min{lunch}"


def _upsert_week(cabinet: Cabinet, spec: CabinetSpec, cabinets: CabinetsFile) -> list[str]:
    """Make the cabinet's seven weekday rows follow the file; describe what changed."""
    rows = {row.weekday: row for row in WeeklySchedule.objects.select_for_update().filter(cabinet=cabinet)}
    changed: dict[tuple[str, str], list[int]] = {}
    for weekday in range(7):
        wanted = _day(spec.schedule, weekday in cabinets.days_off)
        row = rows.get(weekday)
        before = _describe_day(row)
        if row is None:
            row = WeeklySchedule(cabinet=cabinet, weekday=weekday, **wanted)
            _save(row, where=f"{spec.where}, {WEEKDAY_NAMES[weekday]}", source=cabinets.source)
        elif not _apply(row, wanted):
            continue
        else:
            # Changed hours go through the schedule service: hours that would strand bookings are refused.
            try:
                row = weekly_schedule_save(cabinet=cabinet, weekday=weekday, actor=Actor.system(),
                                           now=timezone.now(), **wanted)
            except BookingError as error:
                raise _refusal(cabinets.source, f"{spec.where}, {WEEKDAY_NAMES[weekday]}", error) from None
        changed.setdefault((before, _describe_day(row)), []).append(weekday)
    return [
        f"schedule {_weekdays(days)}: {before} → {after}" if before != after
        else f"schedule {_weekdays(days)}: {after}"
        for (before, after), days in changed.items()
    ]


def _weekdays(days: list[int]) -> str:
    if days == list(range(7)):
        return "Mon-Sun"
    return ", ".join(WEEKDAY_NAMES[day] for day in days)


def _import_holidays(cabinets: CabinetsFile) -> Outcome:
    outcome = Outcome()
    dates = [spec.date for spec in cabinets.holidays]
    existing = {holiday.date: holiday for holiday in Holiday.objects.select_for_update().filter(date__in=dates)}
    for spec in cabinets.holidays:
        holiday = existing.get(spec.date)
        label = f"{spec.date:%Y-%m-%d} {spec.name or ''}".strip()
        if holiday is None:
            # A new holiday closes every cabinet that day: refused while bookings would be stranded.
            try:
                holiday_save(day=spec.date, name=spec.name or "", actor=Actor.system(), now=timezone.now())
            except BookingError as error:
                raise _refusal(cabinets.source, spec.where, error) from None
            outcome.created.append(label)
            continue
        changes = _apply(holiday, {"name": spec.name}) if spec.name is not None else []
        if changes:
            _save(holiday, where=spec.where, source=cabinets.source)
            outcome.updated.append((f"{spec.date:%Y-%m-%d}", changes))
        else:
            outcome.unchanged.append(f"{holiday.date:%Y-%m-%d} {holiday.name}".strip())
    return outcome


def _imported_cabinets(items: ItemsFile) -> dict[int, Cabinet]:
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


def _import_items(items: ItemsFile, by_yaml_id: dict[int, Cabinet]) -> Outcome:
    outcome = Outcome()
    names = [spec.name for spec in items.items]
    existing = {item.name: item for item in Item.objects.select_for_update().filter(name__in=names)}
    cabinet_names = dict(Cabinet.objects.values_list("pk", "name"))
    for spec in items.items:
        cabinet = by_yaml_id[spec.cabinet_id] if spec.cabinet_id is not None else None
        values = {
            "quantity": spec.quantity, "description": spec.description, "category": spec.category,
            "sort_order": spec.sort_order, "is_active": spec.is_active,
            "permanently_reserved": spec.permanently_reserved,
        }
        item = existing.get(spec.name)
        if item is None:
            _save(Item(name=spec.name, cabinet=cabinet, **values), where=spec.where, source=items.source)
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
                raise _refusal(items.source, spec.where, error) from None
        changes = _apply(item, {name: value for name, value in values.items() if name in spec.given})
        if "cabinet" in spec.given and item.cabinet_id != (cabinet.pk if cabinet else None):
            old = cabinet_names.get(item.cabinet_id) if item.cabinet_id else None
            changes.append(f"cabinet {_display(old)} → {_display(cabinet.name if cabinet else None)}")
            item.cabinet = cabinet
        if changes:
            _save(item, where=spec.where, source=items.source)
            outcome.updated.append((spec.name, changes))
        else:
            outcome.unchanged.append(spec.name)
    outcome.not_in_file = list(Item.objects.exclude(name__in=names).order_by("name")
                               .values_list("name", flat=True))
    return outcome
