"""Numbers for the manager's statistics page: bookings per status and channel over recent periods, the most
booked items and cabinets, and how much of the coming month is already booked (from the calculators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking
from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking, Item
from kernel.bookings import Status
from kernel.channels import Channel
from kernel.scheduling import day_bounds

PERIODS = (("today", _("Today"), 1), ("week", _("7 days"), 7), ("month", _("30 days"), 30))
COUNTED = (Status.PENDING, Status.APPROVED, Status.COMPLETED, Status.NO_SHOW)
UTILISATION_DAYS = 30
TOP = 10

# Sections other apps add to the page (a resource above cabinets registers its own at start-up, so cabinets
# never imports it): each is called with today, now and the number of days, and returns
# {"id", "title", "columns", "rows": [{"cells", "percent"}]}.
SECTIONS: list[Callable[..., dict]] = []


def section_register(section: Callable[..., dict]) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)


@dataclass
class Table:
    title: str
    kind: str
    channels: list[tuple[str, str]]
    rows: list[tuple[str, str, list[int], int]]  # status, label, per channel, total
    totals: list[int]
    total: int


def _since(today: date, days: int) -> datetime:
    return day_bounds(today - timedelta(days=days - 1), clinic_zone())[0]


def counts_table(model, kind: str, title: str, since: datetime) -> Table:
    counts: dict[tuple[str, str], int] = {
        (row["status"], row["channel"]): row["n"]
        for row in model.objects.filter(created_at__gte=since).values("status", "channel").annotate(n=Count("id"))
        .order_by()
    }
    channels = [(value, label) for value, label in Channel.choices if value != Channel.SYSTEM]
    rows = []
    for status, label in Status.choices:
        per = [counts.get((status, ch), 0) for ch, _label in channels]
        rows.append((status, label, per, sum(per)))
    totals = [sum(row[2][i] for row in rows) for i in range(len(channels))]
    return Table(title=title, kind=kind, channels=channels, rows=rows, totals=totals, total=sum(totals))


def statistics(*, now: datetime) -> dict:
    today = timezone.localtime(now, clinic_zone()).date()
    periods = []
    for key, label, days in PERIODS:
        since = _since(today, days)
        periods.append({
            "key": key, "label": label,
            "tables": [counts_table(CabinetBooking, "cabinet", _("Cabinet bookings"), since),
                       counts_table(EquipmentBooking, "equipment", _("Equipment bookings"), since)],
        })
    month_ago = _since(today, 30)
    top_items = list(EquipmentBooking.objects.filter(created_at__gte=month_ago, status__in=COUNTED)
                     .values("item__name").annotate(n=Count("id")).order_by("-n", "item__name")[:TOP])
    top_cabinets = list(CabinetBooking.objects.filter(created_at__gte=month_ago, status__in=COUNTED)
                        .values("cabinet__name").annotate(n=Count("id")).order_by("-n", "cabinet__name")[:TOP])
    return {
        "periods": periods,
        "top_items": top_items,
        "top_cabinets": top_cabinets,
        "cabinet_utilisation": cabinet_utilisation(today=today, now=now),
        "item_utilisation": item_utilisation(today=today),
        "utilisation_days": UTILISATION_DAYS,
        "sections": [section(today=today, now=now, days=UTILISATION_DAYS) for section in SECTIONS],
    }


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def cabinet_utilisation(*, today: date, now: datetime) -> list[dict]:
    """Share of the schedule's slots in the next UTILISATION_DAYS days that bookings take."""
    cabinets = list(Cabinet.objects.filter(is_active=True).prefetch_related("schedules").order_by("sort_order", "id"))
    days = cabinets_days(cabinets=cabinets, start_date=today, end_date=today + timedelta(days=UTILISATION_DAYS - 1),
                         now=now)
    result = []
    for cabinet in cabinets:
        slots = [slot for cabinet_day in days.get(cabinet.pk, {}).values() for slot in cabinet_day.slots]
        taken = sum(1 for slot in slots if slot.state == "taken")
        result.append({"name": cabinet.name, "taken": taken, "slots": len(slots),
                       "percent": _percent(taken, len(slots))})
    return sorted(result, key=lambda row: (-row["percent"], row["name"]))


def item_utilisation(*, today: date) -> list[dict]:
    """Units in use per day over the next UTILISATION_DAYS days, as a share of units × days."""
    items = list(Item.objects.filter(is_active=True).order_by("sort_order", "id"))
    end = today + timedelta(days=UTILISATION_DAYS - 1)
    grid = equipment_grid(items=items, start_date=today, end_date=end)
    result = []
    for item in items:
        used = sum(grid.peak(item.pk, day) for day in grid.days)
        capacity = grid.total(item.pk) * UTILISATION_DAYS
        result.append({"name": item.name, "used": used, "capacity": capacity, "percent": _percent(used, capacity)})
    return sorted(result, key=lambda row: (-row["percent"], row["name"]))
