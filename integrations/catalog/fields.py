"""The pieces both catalogue parsers read entries with: one mapping's fields (text, whole numbers, flags,
times on the booking grid), each problem noted against the entry, and how a value is shown in a problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from integrations.catalog.report import CatalogError
from kernel.scheduling import GRID_MINUTES

# Keys people write by mistake (several come from the old system's README), and what they meant.
KEY_HINTS = {
    "quantity": "total_quantity", "total": "total_quantity", "order": "sort_order",
    "permanently_reserved": "permanent_reserved", "reserved": "permanent_reserved",
    "enabled": "is_active", "active": "is_active", "schedule": "default_schedule", "cabinet": "cabinet_id",
    "slot_duration": "slot_duration_minutes", "slot_minutes": "slot_duration_minutes",
    "start": "start_time", "end": "end_time", "opens": "start_time", "closes": "end_time",
}


def shown(value: Any) -> str:
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


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_text(value: str) -> str:
    # NFC, so a name typed with a decomposed "ё" matches the same name typed with the composed one.
    return unicodedata.normalize("NFC", value).strip()


def entry_where(kind: str, index: int, entry: Any) -> str:
    parts = []
    if isinstance(entry, dict):
        if is_whole(entry.get("id")):
            parts.append(f"id {entry['id']}")
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            parts.append(f'"{clean_text(entry["name"])}"')
        if kind == "holidays" and entry.get("date") is not None:
            parts.append(str(entry["date"]))
    return f"{kind}[{index}] ({', '.join(parts)})" if parts else f"{kind}[{index}]"


UNSET: Any = object()
MAX_MONEY = Decimal("1e8")


def read_money(value: Any) -> Decimal | None:
    """An amount as the files write it: a quoted decimal with at most two decimals ("2500.00") or a whole
    number, 0 or more and below 100 000 000; None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class Fields:
    """Reads the fields of one mapping; each problem is noted against `where`. A reader returns UNSET for a
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
            self.problem(f"unknown field {self.prefix}{shown(key)}{suggestion}")

    def get(self, key: str, required: bool = False) -> Any:
        if key not in self.data:
            if required:
                self.problem(f"{self.prefix}{key} is required")
            return UNSET
        return self.data[key]

    def whole(self, key: str, *, minimum: int | None = None, maximum: int | None = None,
              required: bool = False, nullable: bool = False) -> Any:
        value = self.get(key, required)
        if value is UNSET or (value is None and nullable):
            return value
        if (not is_whole(value) or (minimum is not None and value < minimum)
                or (maximum is not None and value > maximum)):
            bounds = " and ".join(
                f"{sign} {bound}" for sign, bound in ((">=", minimum), ("<=", maximum)) if bound is not None
            )
            self.problem(f"{self.prefix}{key} must be a whole number{' ' + bounds if bounds else ''}, "
                         f"got {shown(value)}")
            return UNSET
        return value

    def text(self, key: str, *, max_length: int | None = None, required: bool = False,
             allow_number: bool = False) -> Any:
        """Text; null (for an optional field) is the empty text. `allow_number` takes 101 as "101"."""
        value = self.get(key, required)
        if value is UNSET:
            return value
        if value is None and not required:
            return ""
        if allow_number and is_whole(value):
            value = str(value)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{self.prefix}{key} must be {'non-empty ' if required else ''}text, got {shown(value)}")
            return UNSET
        value = clean_text(value)
        if max_length is not None and len(value) > max_length:
            self.problem(f"{self.prefix}{key} must be at most {max_length} characters, got {len(value)}")
            return UNSET
        return value

    def flag(self, key: str) -> Any:
        value = self.get(key, False)
        if value is UNSET:
            return value
        if not isinstance(value, bool):
            self.problem(f"{self.prefix}{key} must be true or false, got {shown(value)}")
            return UNSET
        return value

    def money(self, key: str) -> Any:
        """An optional amount (`read_money`); null is "no price"."""
        value = self.get(key)
        if value is UNSET or value is None:
            return value
        amount = read_money(value)
        if amount is None:
            self.problem(f'{self.prefix}{key} must be an amount of 0 or more like "2500.00" (quoted), '
                         f"got {shown(value)}")
            return UNSET
        return amount

    def time(self, key: str, *, required: bool = False) -> Any:
        """A wall-clock "HH:MM" on the booking grid. An optional time that is absent or null is None."""
        value = self.get(key, required)
        if value is UNSET and required:
            return value
        if value is UNSET or (value is None and not required):
            return None
        match = _TIME.match(value) if isinstance(value, str) else None
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.problem(f'{self.prefix}{key} must be a time "HH:MM" (00:00-23:59), got {shown(value)}')
            return UNSET
        parsed = time(int(match[1]), int(match[2]))
        if parsed.minute % GRID_MINUTES:
            self.problem(f"{self.prefix}{key} {parsed:%H:%M} is not on the {GRID_MINUTES}-minute grid "
                         f"(minutes must be {', '.join(f'{m:02d}' for m in range(0, 60, GRID_MINUTES))})")
            return UNSET
        return parsed


def field_max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def given_or(value: Any, default: Any) -> Any:
    return default if value is UNSET else value


def entry_list(data: dict, key: str, problems: list[str], *, required: bool) -> list:
    """The list under `key` of a file's top-level mapping."""
    if key not in data:
        if required:
            problems.append(f'the top-level key "{key}" is missing')
        return []
    entries = data[key]
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(f'"{key}" must be a list, got {shown(entries)}')
        return []
    return entries


def top_level(data: Any, source: str, main: str, allowed: set[str]) -> list[str]:
    if not isinstance(data, dict):
        raise CatalogError(source, [f'the file must be a mapping with an "{main}" list, got {shown(data)}'])
    problems = []
    for key in data:
        if key not in allowed:
            problems.append(f"unknown top-level key {shown(key)} (expected {', '.join(sorted(allowed))})")
    return problems
