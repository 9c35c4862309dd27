"""How many units of each item are in use and free, per day or in a time window.

A whole-day booking uses its units all day on every day of its range; an item attached to a cabinet booking
uses its units only during that booking's window. A day's usage is the peak number of units in use at any
instant of that day. One query reads every holding booking that touches the grid, whatever its size."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from equipment.models import EquipmentBooking, Item, MaintenanceWindow
from kernel.bookings import HOLDING_STATUSES
from kernel.clock import clinic_zone
from kernel.scheduling import date_range, day_bounds, peak_concurrent
from kernel.waitlist.models import Wait

# Why a day is not available, in the order a clinic would give it.
BOOKED, MAINTENANCE, TURNAROUND = "booked", "maintenance", "turnaround"
OFFER = "offer"  # units held for a waitlist offer: counted like the booking it would become


@dataclass
class EquipmentGrid:
    """Per (item, day): the peak number of units booked, and the units blocked (out of service for
    maintenance, or resting after a booking for the item's turnaround days)."""

    items: dict[int, Item]
    start_date: date
    end_date: date
    peaks: dict[tuple[int, date], int] = field(default_factory=dict)
    turnaround: dict[tuple[int, date], int] = field(default_factory=dict)
    maintenance: dict[tuple[int, date], int] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        return list(date_range(self.start_date, self.end_date))

    def total(self, item_id: int) -> int:
        return self.items[item_id].quantity

    def peak(self, item_id: int, day: date) -> int:
        """Units booked (the API's booked_count)."""
        return self.peaks.get((item_id, day), 0)

    def blocked(self, item_id: int, day: date) -> int:
        """Units not booked but not usable either: maintenance and turnaround (the API's blocked_count)."""
        return self.turnaround.get((item_id, day), 0) + self.maintenance.get((item_id, day), 0)

    def free(self, item_id: int, day: date) -> int:
        return self._counts(item_id, day)[3]

    def _counts(self, item_id: int, day: date) -> tuple[int, int, int, int]:
        """(booked, in maintenance, resting after a booking, free) units of an item's day: the one place free
        units are counted."""
        key = (item_id, day)
        booked, serviced, resting = self.peaks.get(key, 0), self.maintenance.get(key, 0), self.turnaround.get(key, 0)
        return booked, serviced, resting, max(0, self.items[item_id].quantity - booked - serviced - resting)

    def reason(self, item_id: int, day: date, units: int = 1) -> str | None:
        """Why fewer than `units` are free that day: booked, maintenance or turnaround; None when they are."""
        return self.figures(item_id, day, units)[3]

    def figures(self, item_id: int, day: date, units: int = 1) -> tuple[int, int, int, str | None]:
        """(booked, blocked, free, reason) of an item's day, each looked up once: an answer of 100 items over
        90 days asks for 9,000 of them."""
        booked, serviced, resting, free = self._counts(item_id, day)
        if free >= units:
            reason = None
        elif serviced:
            reason = MAINTENANCE
        elif resting:
            reason = TURNAROUND
        else:
            reason = BOOKED
        return booked, serviced + resting, free, reason

    def full_days(self, item_id: int, units: int, days: Iterable[date] | None = None) -> list[date]:
        """Days on which fewer than `units` units are free."""
        return [d for d in (days if days is not None else self.days) if self.free(item_id, d) < units]

    def free_in_range(self, item_id: int, start: date, end: date) -> int:
        """Units free on every day of start..end."""
        return min((self.free(item_id, d) for d in date_range(start, end)), default=0)

    def tail_days(self, item_id: int, end: date) -> list[date]:
        """The turnaround days that follow a booking of this item ending on `end`."""
        rest = self.items[item_id].turnaround_days
        return [end + timedelta(days=n) for n in range(1, rest + 1)]

    def fits(self, item_id: int, units: int, start: date, end: date) -> bool:
        """`units` free on every day of start..end and on the turnaround days after it."""
        days = [*date_range(start, end), *self.tail_days(item_id, end)]
        return not self.full_days(item_id, units, days)


def max_turnaround(items: Iterable[Item]) -> int:
    return max((item.turnaround_days for item in items), default=0)


def _usage_rows(item_ids, start_date: date, end_date: date, exclude_booking_ids: Iterable[int], lookback: int,
                now: datetime | None):
    """Holding bookings, maintenance windows and live waitlist offers (units held for a waiter until the offer
    expires; counted like the booking they would become) touching start_date..end_date (bookings and offers
    also when their turnaround reaches into it), in one query: (item_id, first, last, units, id, starts_at,
    ends_at, kind).

    The statement is plain SQL built once per shape (how many items, how many excluded bookings) from the
    models' own table and column names: every booking checks availability under its item's lock, and
    building the same three-part UNION through the ORM on every request cost more CPU than running it."""
    exclude = [pk for pk in exclude_booking_ids if pk]
    ops = connection.ops
    earliest = ops.adapt_datefield_value(start_date - timedelta(days=lookback))
    first, last = ops.adapt_datefield_value(start_date), ops.adapt_datefield_value(end_date)
    params = [*item_ids, *HOLDING_STATUSES, last, earliest, *exclude,
              *item_ids, last, first,
              *item_ids, Wait.Status.OFFERED, ops.adapt_datetimefield_value(now or timezone.now()), last, earliest]
    with connection.cursor() as cursor:
        cursor.execute(_usage_sql(len(item_ids), len(exclude)), params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":  # dates and aware datetimes already
        return rows
    return [(item_id, _as_date(first_day), _as_date(last_day), units, pk, _as_moment(starts_at),
             _as_moment(ends_at), kind) for item_id, first_day, last_day, units, pk, starts_at, ends_at, kind in rows]


@functools.lru_cache(maxsize=256)
def _usage_sql(items: int, excluded: int) -> str:
    def column(model, name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def marks(n: int) -> str:
        return ", ".join(["%s"] * n)

    b, m, w = EquipmentBooking, MaintenanceWindow, Wait
    common = ", ".join(column(b, name) for name in ("item", "start_date", "end_date", "units", "id"))
    not_excluded = f" AND {column(b, 'id')} NOT IN ({marks(excluded)})" if excluded else ""
    booking_kind, maintenance_kind, offer_kind = "'booking'", f"'{MAINTENANCE}'", f"'{OFFER}'"
    return (
        f"SELECT {common}, {column(b, 'starts_at')}, {column(b, 'ends_at')}, {booking_kind} FROM {table(b)} "
        f"WHERE {column(b, 'item')} IN ({marks(items)}) AND {column(b, 'status')} IN "
        f"({marks(len(HOLDING_STATUSES))}) AND {column(b, 'start_date')} <= %s AND {column(b, 'end_date')} >= %s"
        f"{not_excluded} "
        f"UNION ALL SELECT {', '.join(column(m, n) for n in ('item', 'start_date', 'end_date', 'units', 'id'))}, "
        f"NULL, NULL, {maintenance_kind} FROM {table(m)} WHERE {column(m, 'item')} IN ({marks(items)}) "
        f"AND {column(m, 'start_date')} <= %s AND {column(m, 'end_date')} >= %s "
        f"UNION ALL SELECT "
        f"{', '.join(column(w, n) for n in ('resource_id', 'start_date', 'end_date', 'units', 'id'))}, "
        f"NULL, NULL, {offer_kind} FROM {table(w)} WHERE {column(w, 'resource_type')} = 'equipment' "
        f"AND {column(w, 'resource_id')} IN ({marks(items)}) "
        f"AND {column(w, 'status')} = %s AND {column(w, 'offer_expires_at')} > %s "
        f"AND {column(w, 'start_date')} <= %s AND {column(w, 'end_date')} >= %s"
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_moment(value) -> datetime | None:
    """A datetime column as Django reads it: aware (UTC) when USE_TZ, whatever the database returns."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    return timezone.make_aware(moment, UTC) if settings.USE_TZ else moment


@dataclass
class Usage:
    """What a set of items is used for over some days, read once; grids and windows are computed from it
    in memory (so several questions about the same days cost one query)."""

    items: dict[int, Item]
    start_date: date
    end_date: date
    rows: list[tuple]

    def grid(self, start_date: date | None = None, end_date: date | None = None,
             exclude_booking_ids: Iterable[int] = ()) -> EquipmentGrid:
        start_date, end_date = start_date or self.start_date, end_date or self.end_date
        grid = EquipmentGrid(items=self.items, start_date=start_date, end_date=end_date)
        tz = clinic_zone()
        whole_day: dict[tuple[int, date], int] = defaultdict(int)
        windows: dict[tuple[int, date], list[tuple[datetime, datetime, int]]] = defaultdict(list)
        span = list(date_range(start_date, end_date))

        def days(first: date, last: date) -> list[date]:  # the grid's days from first to last
            return span[max((first - start_date).days, 0):max((last - start_date).days + 1, 0)]

        maintenance, turnaround = grid.maintenance, grid.turnaround
        for item_id, first, last, units, _ref, starts_at, ends_at, kind in self._rows(exclude_booking_ids):
            if kind == MAINTENANCE:
                for day in days(first, last):
                    maintenance[(item_id, day)] = maintenance.get((item_id, day), 0) + units
                continue
            if starts_at is None:
                rest = self.items[item_id].turnaround_days
                if rest:
                    for day in days(last + timedelta(days=1), last + timedelta(days=rest)):
                        turnaround[(item_id, day)] = turnaround.get((item_id, day), 0) + units
                for day in days(first, last):
                    whole_day[(item_id, day)] += units
                continue
            for day in days(first, last):  # a cabinet booking's equipment: its window on each day
                day_start, day_end = day_bounds(day, tz)
                clipped_start, clipped_end = max(starts_at, day_start), min(ends_at, day_end)
                if clipped_start < clipped_end:
                    windows[(item_id, day)].append((clipped_start, clipped_end, units))
        peaks = grid.peaks
        peaks.update(whole_day)
        for key, spans in windows.items():
            peaks[key] = whole_day.get(key, 0) + peak_concurrent(spans)
        return grid

    def free_in_window(self, starts_at: datetime, ends_at: datetime,
                       exclude_booking_ids: Iterable[int] = ()) -> dict[int, int]:
        """Units of each item free at every instant of [starts_at, ends_at). Whole-day bookings, their
        turnaround and maintenance count on every local day the window touches; windowed bookings only
        where they overlap it."""
        tz = clinic_zone()
        first_day = timezone.localtime(starts_at, tz).date()
        last_day = timezone.localtime(ends_at - timedelta(microseconds=1), tz).date()
        whole_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        windows: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
        for item_id, first, last, units, _ref, b_start, b_end, kind in self._rows(exclude_booking_ids):
            if b_start is None:
                if kind != MAINTENANCE:
                    last = last + timedelta(days=self.items[item_id].turnaround_days)
                for day in date_range(max(first, first_day), min(last, last_day)):
                    whole_day[item_id][day] += units
            elif b_start < ends_at and starts_at < b_end:
                windows[item_id].append((max(b_start, starts_at), min(b_end, ends_at), units))
        return {
            item_id: max(0, item.quantity - max(whole_day[item_id].values(), default=0)
                         - peak_concurrent(windows[item_id]))
            for item_id, item in self.items.items()
        }

    def _rows(self, exclude_booking_ids: Iterable[int]):
        exclude = set(exclude_booking_ids or ())
        for row in self.rows:
            if exclude and row[7] == "booking" and row[4] in exclude:
                continue
            yield row


def equipment_usage(*, items: Iterable[Item], start_date: date, end_date: date,
                    exclude_booking_ids: Iterable[int] = (), now: datetime | None = None) -> Usage:
    """Read, in one query, everything that uses `items` on start_date..end_date. `now` decides which
    waitlist offers are still live (default: the clock)."""
    by_id = {item.pk: item for item in items}
    rows = []
    if by_id and start_date <= end_date:
        rows = _usage_rows(list(by_id), start_date, end_date, exclude_booking_ids, max_turnaround(by_id.values()),
                           now)
    return Usage(items=by_id, start_date=start_date, end_date=end_date, rows=rows)


def equipment_grid(
    *,
    items: Iterable[Item],
    start_date: date,
    end_date: date,
    exclude_booking_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> EquipmentGrid:
    """Usage of `items` on every day of start_date..end_date: one query for the bookings, maintenance and live
    waitlist offers (plus one for the items when given a queryset)."""
    usage = equipment_usage(items=items, start_date=start_date, end_date=end_date,
                            exclude_booking_ids=exclude_booking_ids, now=now)
    return usage.grid()


def items_free_in_window(
    *, items: Iterable[Item], starts_at: datetime, ends_at: datetime, exclude_booking_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> dict[int, int]:
    """Units of each item free at every instant of [starts_at, ends_at), in one query."""
    tz = clinic_zone()
    usage = equipment_usage(
        items=items,
        start_date=timezone.localtime(starts_at, tz).date(),
        end_date=timezone.localtime(ends_at - timedelta(microseconds=1), tz).date(),
        exclude_booking_ids=exclude_booking_ids,
        now=now,
    )
    return usage.free_in_window(starts_at, ends_at)


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
