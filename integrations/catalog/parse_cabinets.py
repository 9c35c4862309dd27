"""Reading `cabinets.yaml`: the defaults, every cabinet with its weekly hours and the holidays, every problem
listed, nothing written."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from cabinets.models import Cabinet, Holiday
from integrations.catalog.fields import (
    UNSET,
    Fields,
    entry_list,
    entry_where,
    field_max_length,
    given_or,
    is_whole,
    shown,
    top_level,
)
from integrations.catalog.report import CatalogError
from integrations.catalog.specs import (
    FALLBACK_SCHEDULE,
    FALLBACK_SLOT_MINUTES,
    CabinetsFile,
    CabinetSpec,
    HolidaySpec,
    Schedule,
)
from kernel.scheduling import GRID_MINUTES

MAX_SLOT_MINUTES = 240
CABINET_KEYS = {
    "id": None, "name": "name", "number": "number", "address": "address", "description": "description",
    "floor": "floor", "capacity": "capacity", "is_active": "is_active", "default_schedule": None,
    "price_per_slot": "price_per_slot", "prepayment_required": "prepayment_required",
}
SCHEDULE_KEYS = {"start_time", "end_time", "slot_duration_minutes", "lunch_start", "lunch_end"}
DEFAULTS_KEYS = {"schedule", "days_off"}
HOLIDAY_KEYS = {"date", "name"}


def _read_schedule(data: Any, where: str, prefix: str, problems: list[str]) -> Schedule | None:
    if not isinstance(data, dict):
        problems.append(f"{where}: {prefix.rstrip('.') or 'schedule'} must be a mapping "
                        f"(start_time, end_time, slot_duration_minutes, ...), got {shown(data)}")
        return None
    fields = Fields(data, where, problems, prefix)
    fields.refuse_unknown(SCHEDULE_KEYS)
    opens = fields.time("start_time", required=True)
    closes = fields.time("end_time", required=True)
    slot_minutes = fields.whole("slot_duration_minutes", required=False)
    lunch_start = fields.time("lunch_start")
    lunch_end = fields.time("lunch_end")
    if slot_minutes is not UNSET and (slot_minutes <= 0 or slot_minutes % GRID_MINUTES
                                       or slot_minutes > MAX_SLOT_MINUTES):
        fields.problem(f"{prefix}slot_duration_minutes must be a positive multiple of {GRID_MINUTES} "
                       f"up to {MAX_SLOT_MINUTES}, got {slot_minutes}")
        slot_minutes = UNSET
    slot_minutes = given_or(slot_minutes, FALLBACK_SLOT_MINUTES)
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
        problems.append(f"defaults must be a mapping (schedule, days_off), got {shown(data)}")
        return FALLBACK_SCHEDULE, frozenset()
    Fields(data, "defaults", problems).refuse_unknown(DEFAULTS_KEYS)
    schedule = FALLBACK_SCHEDULE
    if data.get("schedule") is not None:
        schedule = _read_schedule(data["schedule"], "defaults.schedule", "", problems) or FALLBACK_SCHEDULE
    days_off: set[int] = set()
    listed = data.get("days_off")
    if listed is not None and not isinstance(listed, list):
        problems.append(f"defaults.days_off must be a list of weekday numbers 1..7 (1 = Monday), "
                        f"got {shown(listed)}")
    for index, day in enumerate(listed if isinstance(listed, list) else []):
        if not is_whole(day) or not 1 <= day <= 7:
            problems.append(f"defaults.days_off[{index}]: {shown(day)} is not a weekday number 1..7 "
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
    problems = top_level(data, source, "cabinets", {"cabinets", "defaults", "holidays"})
    default_schedule, days_off = _read_defaults(data.get("defaults"), problems)

    specs: list[CabinetSpec] = []
    ids: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, entry in enumerate(entry_list(data, "cabinets", problems, required=True)):
        where = entry_where("cabinets", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping of fields (id, name, ...), got {shown(entry)}")
            continue
        fields = Fields(entry, where, problems)
        fields.refuse_unknown(CABINET_KEYS)
        yaml_id = fields.whole("id", minimum=1, required=True)
        name = fields.text("name", required=True, max_length=field_max_length(Cabinet, "name"))
        number = fields.text("number", allow_number=True, max_length=field_max_length(Cabinet, "number"))
        address = fields.text("address", max_length=field_max_length(Cabinet, "address"))
        description = fields.text("description")
        floor = fields.whole("floor", nullable=True)
        capacity = fields.whole("capacity", minimum=0, maximum=32767)
        is_active = fields.flag("is_active")
        price = fields.money("price_per_slot")
        prepaid = fields.flag("prepayment_required")
        schedule = default_schedule
        if entry.get("default_schedule") is not None:
            schedule = _read_schedule(entry["default_schedule"], where, "default_schedule.", problems)
            fields.ok = fields.ok and schedule is not None
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
        specs.append(CabinetSpec(
            where=where, yaml_id=yaml_id, name=name, schedule=schedule,
            number=given_or(number, ""), address=given_or(address, ""), description=given_or(description, ""),
            floor=given_or(floor, None), capacity=max(given_or(capacity, 1), 1), is_active=given_or(is_active, True),
            price_per_slot=given_or(price, None), prepayment_required=given_or(prepaid, False),
            given=frozenset(CABINET_KEYS[key] for key in entry if CABINET_KEYS.get(key) not in (None, "name")),
        ))

    holidays: list[HolidaySpec] = []
    dates: dict[date, str] = {}
    for index, entry in enumerate(entry_list(data, "holidays", problems, required=False)):
        where = entry_where("holidays", index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping (date, name), got {shown(entry)}")
            continue
        fields = Fields(entry, where, problems)
        fields.refuse_unknown(HOLIDAY_KEYS)
        raw = fields.get("date", required=True)
        day = _read_holiday_date(raw) if raw is not UNSET else None
        if raw is not UNSET and day is None:
            fields.problem(f"date must be a date YYYY-MM-DD, got {shown(str(raw) if isinstance(raw, date) else raw)}")
        name = fields.text("name", max_length=field_max_length(Holiday, "name"))
        if day is not None:
            if day in dates:
                fields.problem(f"date {day:%Y-%m-%d} is already listed by {dates[day]}")
            dates.setdefault(day, where)
        if fields.ok:
            holidays.append(HolidaySpec(where=where, date=day, name=None if name is UNSET else name))

    if problems:
        raise CatalogError(source, problems)
    return CabinetsFile(source=source, cabinets=tuple(specs), days_off=days_off, holidays=tuple(holidays))
