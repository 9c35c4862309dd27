"""How many units of each item are in use and free, per day or in a time window.

A whole-day booking uses its units all day on every day of its range; an item attached to a cabinet booking
uses its units only during that booking's window. A day's usage is the peak number of units in use at any
instant of that day. One query reads every holding booking that touches the grid, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from booking_site.bookings import HOLDING_STATUSES
from booking_site.scheduling import date_range, day_bounds, peak_concurrent
from equipment.models import EquipmentBooking, Item


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass
class EquipmentGrid:
    """Peak usage per (item, day) for a set of items over a date range."""

    items: dict[int, Item]
    start_date: date
    end_date: date
    peaks: dict[tuple[int, date], int] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        return list(date_range(self.start_date, self.end_date))

    def total(self, item_id: int) -> int:
        return self.items[item_id].quantity

    def peak(self, item_id: int, day: date) -> int:
        return self.peaks.get((item_id, day), 0)

    def free(self, item_id: int, day: date) -> int:
        return max(0, self.total(item_id) - self.peak(item_id, day))

    def full_days(self, item_id: int, units: int, days: Iterable[date] | None = None) -> list[date]:
        """Days on which fewer than `units` units are free."""
        return [d for d in (days if days is not None else self.days) if self.free(item_id, d) < units]

    def free_in_range(self, item_id: int, start: date, end: date) -> int:
        """Units free on every day of start..end."""
        return min((self.free(item_id, d) for d in date_range(start, end)), default=0)


def _holding_bookings(item_ids, start_date: date, end_date: date, exclude_booking_ids: Iterable[int]):
    query = EquipmentBooking.objects.filter(
        item_id__in=item_ids,
        status__in=HOLDING_STATUSES,
        start_date__lte=end_date,
        end_date__gte=start_date,
    )
    exclude = [pk for pk in exclude_booking_ids if pk]
    if exclude:
        query = query.exclude(pk__in=exclude)
    return query.values_list("item_id", "start_date", "end_date", "starts_at", "ends_at", "units")


def equipment_grid(
    *,
    items: Iterable[Item],
    start_date: date,
    end_date: date,
    exclude_booking_ids: Iterable[int] = (),
) -> EquipmentGrid:
    """Usage of `items` on every day of start_date..end_date: one query for the bookings (plus one for the
    items when given a queryset)."""
    by_id = {item.pk: item for item in items}
    grid = EquipmentGrid(items=by_id, start_date=start_date, end_date=end_date)
    if not by_id or start_date > end_date:
        return grid
    tz = clinic_zone()
    whole_day: dict[tuple[int, date], int] = defaultdict(int)
    windows: dict[tuple[int, date], list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for item_id, first, last, starts_at, ends_at, units in _holding_bookings(
        list(by_id), start_date, end_date, exclude_booking_ids
    ):
        for day in date_range(max(first, start_date), min(last, end_date)):
            if starts_at is None:
                whole_day[(item_id, day)] += units
            else:
                day_start, day_end = day_bounds(day, tz)
                clipped_start, clipped_end = max(starts_at, day_start), min(ends_at, day_end)
                if clipped_start < clipped_end:
                    windows[(item_id, day)].append((clipped_start, clipped_end, units))
    for key in set(whole_day) | set(windows):
        grid.peaks[key] = whole_day.get(key, 0) + peak_concurrent(windows.get(key, ()))
    return grid


def items_free_in_window(
    *, items: Iterable[Item], starts_at: datetime, ends_at: datetime, exclude_booking_ids: Iterable[int] = ()
) -> dict[int, int]:
    """Units of each item free at every instant of [starts_at, ends_at), in one query. Whole-day bookings
    count on every local day the window touches; windowed ones only where they overlap it."""
    by_id = {item.pk: item for item in items}
    if not by_id:
        return {}
    tz = clinic_zone()
    first_day = timezone.localtime(starts_at, tz).date()
    last_day = timezone.localtime(ends_at - timedelta(microseconds=1), tz).date()
    whole_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    windows: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for item_id, first, last, b_start, b_end, units in _holding_bookings(
        list(by_id), first_day, last_day, exclude_booking_ids
    ):
        if b_start is None:
            for day in date_range(max(first, first_day), min(last, last_day)):
                whole_day[item_id][day] += units
        elif b_start < ends_at and starts_at < b_end:
            windows[item_id].append((max(b_start, starts_at), min(b_end, ends_at), units))
    return {
        item_id: max(0, item.quantity - max(whole_day[item_id].values(), default=0)
                     - peak_concurrent(windows[item_id]))
        for item_id, item in by_id.items()
    }


def units_free_in_window(
    *, item: Item, starts_at: datetime, ends_at: datetime, exclude_booking_ids: Iterable[int] = ()
) -> int:
    return items_free_in_window(items=[item], starts_at=starts_at, ends_at=ends_at,
                                exclude_booking_ids=exclude_booking_ids)[item.pk]


def bookable_items_for_clients() -> Q:
    """Items a Telegram client may book for whole days: active, not reserved, not installed in a cabinet."""
    return Q(is_active=True, permanently_reserved=False, cabinet__isnull=True)


def offered_with_cabinet(cabinet_id: int) -> Q:
    """Items offered with a cabinet booking: active, not reserved, and either free-standing or installed
    in this very cabinet."""
    return Q(is_active=True, permanently_reserved=False) & (Q(cabinet__isnull=True) | Q(cabinet_id=cabinet_id))
