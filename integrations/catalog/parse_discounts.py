"""Reading the discounts of `services.yaml`: `discounts:` (the discount rules: `{kind: birthday, percent: 12}`,
`{kind: threshold, min_total: "1000.00", percent: 12}`, `{kind: personal, percent: 100}`, optionally
`active_from`, `active_until`, `is_active`) and `discount_daily_quota` (discounted bookings per clinic day,
0 = no limit). Every problem listed, nothing written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from integrations.catalog.fields import entry_list, is_whole, read_money, shown

KINDS = ("birthday", "threshold", "personal")
DISCOUNT_KEYS = {"kind", "percent", "min_total", "active_from", "active_until", "is_active"}


@dataclass(frozen=True)
class DiscountSpec:
    where: str
    kind: str
    percent: Decimal
    min_total: Decimal | None = None
    active_from: date | None = None
    active_until: date | None = None
    is_active: bool = True

    @property
    def key(self) -> tuple[str, Decimal | None]:
        """A rule's identity in the file and in the database: its kind (and the total it starts from)."""
        return self.kind, self.min_total

    @property
    def name(self) -> str:
        return f"{self.kind} from {self.min_total}" if self.min_total is not None else self.kind


def _day(value: Any, where: str, key: str, problems: list[str]) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(f"{where}: {key} must be a date YYYY-MM-DD, got {shown(value)}")
    return None


def _discount(index: int, entry: Any, problems: list[str]) -> DiscountSpec | None:
    where = f"discounts[{index}]"
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a mapping (kind, percent, ...), got {shown(entry)}")
        return None
    before = len(problems)
    problems += [f"{where}: unknown field {shown(key)}" for key in entry if key not in DISCOUNT_KEYS]
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}, got {shown(kind)}")
    percent = read_money(entry.get("percent"))
    if percent is None or percent > 100:
        problems.append(f"{where}: percent must be a number from 0 to 100 (quote a decimal: \"12.5\"), "
                        f"got {shown(entry.get('percent'))}")
    min_total = read_money(entry["min_total"]) if entry.get("min_total") is not None else None
    if kind == "threshold" and min_total is None:
        problems.append(f"{where}: a threshold needs min_total, an amount of 0 or more like \"1000.00\" (quoted), "
                        f"got {shown(entry.get('min_total'))}")
    elif kind != "threshold" and "min_total" in entry:
        problems.append(f"{where}: only a threshold has min_total")
    first = _day(entry.get("active_from"), where, "active_from", problems)
    last = _day(entry.get("active_until"), where, "active_until", problems)
    if first and last and last < first:
        problems.append(f"{where}: active_until ({last}) is before active_from ({first})")
    is_active = entry.get("is_active", True)
    if not isinstance(is_active, bool):
        problems.append(f"{where}: is_active must be true or false, got {shown(is_active)}")
    if len(problems) > before:
        return None
    return DiscountSpec(where, kind, percent, min_total, first, last, is_active)


def parse_discounts(data: dict, problems: list[str]) -> tuple[list[DiscountSpec] | None, int | None]:
    """(the rules, or None when the file has no `discounts`; the quota, or None when it has none)."""
    quota = data.get("discount_daily_quota")
    if "discount_daily_quota" in data and (not is_whole(quota) or quota < 0):
        problems.append(f"discount_daily_quota must be a whole number of 0 or more (0 = no limit), got {shown(quota)}")
        quota = None
    if "discounts" not in data:
        return None, quota
    specs: list[DiscountSpec] = []
    seen: dict[tuple, str] = {}
    for index, entry in enumerate(entry_list(data, "discounts", problems, required=False)):
        spec = _discount(index, entry, problems)
        if spec is None:
            continue
        if spec.key in seen:
            problems.append(f"{spec.where}: {spec.name} is already given by {seen[spec.key]}")
        seen.setdefault(spec.key, spec.where)
        specs.append(spec)
    return specs, quota
