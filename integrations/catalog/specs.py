"""A catalogue file as read and checked: the entries the import writes, independent of the YAML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

# Used when neither the cabinet nor the file's defaults give a schedule.
FALLBACK_OPENS, FALLBACK_CLOSES, FALLBACK_SLOT_MINUTES = time(10), time(22), 30


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
    price_per_day: Decimal | None = None  # None: no price
    prepayment_required: bool = False  # a client's booking waits for its payment (kernel.prepayment)
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
    price_per_slot: Decimal | None = None  # None: no price
    prepayment_required: bool = False  # a client's booking waits for its payment (kernel.prepayment)
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
