"""Reading `services.yaml`: the specialists with their weekly hours and days off, the services with their
length, price, specialists, cabinets and equipment, and the discounts (parse_discounts). Every problem listed,
nothing written.

`specialists` name this file's specialist ids, `cabinets` the cabinets file's ids and `item_id` the items
file's ids (see configs/services.example.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings

from integrations.catalog.fields import entry_where, is_whole, read_money, shown
from integrations.catalog.parse_discounts import DiscountSpec, parse_discounts
from integrations.catalog.report import CatalogError

WEEKDAY_KEYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
SPECIALIST_KEYS = {"id", "name", "telegram_id", "hours", "days_off", "is_active"}
SERVICE_KEYS = {"id", "name", "category", "duration_minutes", "price", "specialists", "cabinets", "equipment",
                "is_active", "prepayment_required"}
TOP_LEVEL = ("specialists", "services", "discounts", "discount_daily_quota")
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class SpecialistSpec:
    where: str
    yaml_id: int
    name: str
    telegram_id: int | None
    hours: tuple[tuple[int, time, time], ...]
    days_off: tuple[tuple[date, date], ...]
    is_active: bool = True


@dataclass(frozen=True)
class ServiceSpec:
    where: str
    yaml_id: int
    name: str
    category: str
    duration_minutes: int
    price: Decimal | None
    specialists: tuple[int, ...]
    cabinets: tuple[int, ...]
    equipment: tuple[tuple[int, int], ...]
    is_active: bool = True
    prepayment_required: bool | None = None  # None: the file leaves it as it is


@dataclass
class ServicesFile:
    source: str
    specialists: list[SpecialistSpec] = field(default_factory=list)
    services: list[ServiceSpec] = field(default_factory=list)
    discounts: list[DiscountSpec] | None = None  # None: the file has no `discounts`
    discount_daily_quota: int | None = None


def _date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _on_grid(moment: time) -> bool:
    return (moment.hour * 60 + moment.minute) % settings.SERVICE_SLOT_MINUTES == 0


def _hours(data: Any, where: str, problems: list[str]) -> list[tuple[int, time, time]]:
    if not isinstance(data, dict):
        problems.append(f"{where}: hours must be a mapping of weekdays (mon..sun) to intervals, got {shown(data)}")
        return []
    rows = []
    for key, intervals in data.items():
        if key not in WEEKDAY_KEYS:
            problems.append(f"{where}: hours: {shown(key)} is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
            continue
        if not isinstance(intervals, list):
            problems.append(f"{where}: hours.{key} must be a list of \"HH:MM-HH:MM\", got {shown(intervals)}")
            continue
        day = []
        for text in intervals:
            match = _INTERVAL.match(text.strip()) if isinstance(text, str) else None
            try:
                start, end = (time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))) if match \
                    else (None, None)
            except ValueError:
                start = end = None
            if start is None:
                problems.append(f"{where}: hours.{key}: {shown(text)} is not an interval \"HH:MM-HH:MM\"")
            elif start >= end:
                problems.append(f"{where}: hours.{key}: {text} ends before it starts")
            elif not (_on_grid(start) and _on_grid(end)):
                problems.append(f"{where}: hours.{key}: {text} is off the {settings.SERVICE_SLOT_MINUTES}-minute "
                                f"grid")
            elif any(start < b and a < end for a, b in day):
                problems.append(f"{where}: hours.{key}: {text} overlaps another interval of that day")
            else:
                day.append((start, end))
        rows += [(WEEKDAY_KEYS[key], start, end) for start, end in sorted(day)]
    return rows


def _days_off(data: Any, where: str, problems: list[str]) -> list[tuple[date, date]]:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{where}: days_off must be a list of dates or {{from, to}} ranges, got {shown(data)}")
        return []
    found = []
    for index, entry in enumerate(data):
        if isinstance(entry, dict):
            first, last = _date(entry.get("from")), _date(entry.get("to"))
            if first is None or last is None or set(entry) - {"from", "to"}:
                problems.append(f"{where}: days_off[{index}] must be {{from: YYYY-MM-DD, to: YYYY-MM-DD}}")
            elif last < first:
                problems.append(f"{where}: days_off[{index}]: to ({last}) is before from ({first})")
            else:
                found.append((first, last))
        elif (day := _date(entry)) is not None:
            found.append((day, day))
        else:
            problems.append(f"{where}: days_off[{index}]: {shown(entry)} is not a date YYYY-MM-DD")
    return found


def _ids(value: Any, where: str, key: str, problems: list[str]) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(is_whole(v) and v > 0 for v in value):
        problems.append(f"{where}: {key} must be a list of positive ids, got {shown(value)}")
        return ()
    return tuple(dict.fromkeys(value))


def _name(entry: dict, where: str, problems: list[str]) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        problems.append(f"{where}: name must be text of 1 to 200 characters, got {shown(name)}")
        return ""
    return name.strip()


def _active(entry: dict, where: str, problems: list[str]) -> bool:
    value = entry.get("is_active", True)
    if not isinstance(value, bool):
        problems.append(f"{where}: is_active must be true or false, got {shown(value)}")
        return True
    return value


def _specialist(index: int, entry: Any, problems: list[str]) -> SpecialistSpec | None:
    where = entry_where("specialists", index, entry)
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a mapping (id, name, hours, ...), got {shown(entry)}")
        return None
    before = len(problems)
    problems += [f"{where}: unknown field {shown(key)}" for key in entry if key not in SPECIALIST_KEYS]
    yaml_id = entry.get("id")
    if not is_whole(yaml_id) or yaml_id <= 0:
        problems.append(f"{where}: id must be a positive whole number, got {shown(yaml_id)}")
    telegram_id = entry.get("telegram_id")
    if telegram_id is not None and (not is_whole(telegram_id) or telegram_id <= 0):
        problems.append(f"{where}: telegram_id must be a positive whole number, got {shown(telegram_id)}")
    spec = SpecialistSpec(where, yaml_id, _name(entry, where, problems), telegram_id,
                          tuple(_hours(entry.get("hours", {}), where, problems)),
                          tuple(_days_off(entry.get("days_off"), where, problems)), _active(entry, where, problems))
    return spec if len(problems) == before else None


def _service(index: int, entry: Any, problems: list[str]) -> ServiceSpec | None:
    where = entry_where("services", index, entry)
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a mapping (id, name, duration_minutes, ...), got {shown(entry)}")
        return None
    before = len(problems)
    problems += [f"{where}: unknown field {shown(key)}" for key in entry if key not in SERVICE_KEYS]
    yaml_id = entry.get("id")
    if not is_whole(yaml_id) or yaml_id <= 0:
        problems.append(f"{where}: id must be a positive whole number, got {shown(yaml_id)}")
    step = settings.SERVICE_SLOT_MINUTES
    minutes = entry.get("duration_minutes")
    if not is_whole(minutes) or minutes <= 0 or minutes % step or minutes > 24 * 60:
        problems.append(f"{where}: duration_minutes must be a whole number of {step}-minute slots, "
                        f"got {shown(minutes)}")
    price = entry.get("price")
    if price is not None:
        price = read_money(price)
        if price is None:
            problems.append(f"{where}: price must be a decimal like \"2500.00\" (quoted), got {shown(entry['price'])}")
    category = entry.get("category", "")
    if not isinstance(category, str) or len(category) > 100:
        problems.append(f"{where}: category must be text of at most 100 characters, got {shown(category)}")
    lines, equipment = [], entry.get("equipment") or []
    if not isinstance(equipment, list):
        problems.append(f"{where}: equipment must be a list of {{item_id, units}}, got {shown(equipment)}")
        equipment = []
    for number, line in enumerate(equipment):
        ok = isinstance(line, dict) and not set(line) - {"item_id", "units"} and is_whole(line.get("item_id")) \
            and is_whole(line.get("units", 1)) and line.get("units", 1) >= 1
        if not ok:
            problems.append(f"{where}: equipment[{number}] must be {{item_id: <id>, units: <at least 1>}}")
        elif any(item_id == line["item_id"] for item_id, _units in lines):
            problems.append(f"{where}: equipment[{number}]: item_id {line['item_id']} is listed twice")
        else:
            lines.append((line["item_id"], line.get("units", 1)))
    prepaid = entry.get("prepayment_required")
    if prepaid is not None and not isinstance(prepaid, bool):
        problems.append(f"{where}: prepayment_required must be true or false, got {shown(prepaid)}")
    people = _ids(entry.get("specialists"), where, "specialists", problems)
    if not people:
        problems.append(f"{where}: specialists must name at least one specialist of this file")
    spec = ServiceSpec(where, yaml_id, _name(entry, where, problems), (category or "").strip(), minutes, price,
                       people, _ids(entry.get("cabinets"), where, "cabinets", problems), tuple(lines),
                       _active(entry, where, problems), prepaid)
    return spec if len(problems) == before else None


def parse_services(data: Any, *, source: str) -> ServicesFile:
    if not isinstance(data, dict):
        raise CatalogError(source, [f"the file must be a mapping with specialists and services, got {shown(data)}"])
    problems = [f"unknown top-level key {shown(key)} (expected {', '.join(TOP_LEVEL)})"
                for key in data if key not in TOP_LEVEL]
    parsed = ServicesFile(source)
    parsed.discounts, parsed.discount_daily_quota = parse_discounts(data, problems)
    for kind, read, into in (("specialists", _specialist, parsed.specialists), ("services", _service, parsed.services)):
        entries = data.get(kind) or []
        if not isinstance(entries, list):
            problems.append(f"{kind} must be a list, got {shown(entries)}")
            continue
        into += [spec for index, entry in enumerate(entries) if (spec := read(index, entry, problems)) is not None]
    for specs in (parsed.specialists, parsed.services):
        seen: dict[Any, str] = {}
        for spec in specs:
            for key in (spec.yaml_id, spec.name.casefold()):
                if key in seen:
                    problems.append(f"{spec.where}: {'id' if is_whole(key) else 'name'} is also used by {seen[key]}")
                seen[key] = spec.where
    known = {spec.yaml_id for spec in parsed.specialists}
    for spec in parsed.services:
        problems += [f"{spec.where}: specialist {pk} is not in this file's specialists"
                     for pk in spec.specialists if pk not in known]
    if problems:
        raise CatalogError(source, problems)
    return parsed
