"""What to offer instead of a taken, held or closed cabinet time: free windows of the same length, nearest
first — on the same day in the same cabinet, then in the other cabinets, then on the next open days (same
cabinet first). When the request brings equipment, a window is offered only where that equipment is free
too. A fixed handful of queries, whatever the number of days, cabinets or bookings: the cabinets with their
schedules, the closures and holidays, the occupants, and the equipment's usage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from cabinets import rules
from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, WeeklySchedule
from equipment.availability import equipment_usage
from equipment.models import Item

SEARCH_DAYS = 14
LIMIT = 3


def cabinet_alternatives(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    now: datetime,
    duration_minutes: int | None = None,
    actor=None,
    account=None,
    equipment: Sequence[tuple[Item, int]] = (),
    limit: int = LIMIT,
    **_ignored,
) -> list[dict]:
    tz = clinic_zone()
    if timezone.is_naive(starts_at):
        return []
    holder = account if account is not None else getattr(actor, "account", None)
    holder_id = holder.pk if holder is not None else None
    day = timezone.localtime(starts_at, tz).date()
    last = min(day + timedelta(days=SEARCH_DAYS), rules.last_bookable_day(now))
    if last < day:
        return []
    cabinets = list(Cabinet.objects.filter(is_active=True).order_by("sort_order", "id").prefetch_related(
        Prefetch("schedules", queryset=WeeklySchedule.objects.all())))
    days = cabinets_days(cabinets=cabinets, start_date=day, end_date=last, now=now, holder_id=holder_id)
    lines: dict[int, int] = {}
    items: dict[int, Item] = {}
    for item, units in equipment:
        lines[item.pk] = lines.get(item.pk, 0) + units
        items[item.pk] = item
    usage = equipment_usage(items=items.values(), start_date=day, end_date=last) if items else None
    # Installed equipment goes only with its own cabinet.
    allowed = [c for c in cabinets if all(i.cabinet_id in (None, c.pk) for i in items.values())]
    ordered = sorted(allowed, key=lambda c: c.pk != cabinet.pk)
    clock = timezone.localtime(starts_at, tz)
    wanted = clock.hour * 60 + clock.minute

    def windows(on: date, of: Cabinet, minutes: int | None):
        cabinet_day = days.get(of.pk, {}).get(on)
        if cabinet_day is None or cabinet_day.closed_reason:
            return []
        length = minutes or cabinet_day.window.slot_minutes
        found = []
        for slot in cabinet_day.free_slots:
            if length not in slot.durations or (on == day and of.pk == cabinet.pk and slot.start == starts_at):
                continue
            end = slot.start + timedelta(minutes=length)
            if usage is not None:
                free = usage.free_in_window(slot.start, end)
                if any(free[item_id] < units for item_id, units in lines.items()):
                    continue
            local = timezone.localtime(slot.start, tz)
            found.append((abs(local.hour * 60 + local.minute - wanted), slot.start, length))
        return sorted(found)

    result: list[dict] = []

    def take(of: Cabinet, options) -> bool:
        for _distance, start, length in options:
            if len(result) == limit:
                return True
            result.append({"cabinet_id": of.pk, "cabinet_name": of.name,
                           "starts_at": timezone.localtime(start, tz).isoformat(), "duration_minutes": length})
        return len(result) == limit

    for of in ordered:  # the same day: this cabinet, then the others
        if take(of, windows(day, of, duration_minutes)):
            return result
    on = day + timedelta(days=1)
    while on <= last:  # the next open days
        for of in ordered:
            if take(of, windows(on, of, duration_minutes)):
                return result
        on += timedelta(days=1)
    return result
