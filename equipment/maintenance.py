"""Maintenance windows: a manager takes units of an item out of service for some days.

The window is checked like a booking, under the item's lock: where it leaves fewer units than are already
booked (turnaround included), it would strand bookings. Then it is refused with the list of those bookings,
unless the manager chose to cancel them and notify the clients, as for schedule edits. Only as many
bookings as needed are cancelled, the most recently made first (first come, first kept)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from equipment.availability import MAINTENANCE, Usage, clinic_zone, equipment_usage
from equipment.models import EquipmentBooking, Item, MaintenanceWindow
from kernel import locking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_transition
from kernel.scheduling import date_range
from kernel.stranded import resolve_stranded

RESOURCE = "equipment"
REASON_MAINTENANCE = "the equipment is out of service"


def _over_days(usage: Usage, item: Item, days: list[date], excluded: set[int]) -> list[date]:
    grid = usage.grid(days[0], days[-1], exclude_booking_ids=excluded)
    return [d for d in days if grid.peak(item.pk, d) + grid.blocked(item.pk, d) > item.quantity]


def _stranded_ids(usage: Usage, item: Item, days: list[date]) -> list[int]:
    """The fewest bookings, newest first and whole-day ones before those of cabinet bookings, whose removal
    lets every day fit. Bounded by the number of bookings; computed in memory from one read."""
    rest = item.turnaround_days
    bookings = [row for row in usage.rows if row[7] != MAINTENANCE]
    excluded: set[int] = set()
    over = _over_days(usage, item, days, excluded)
    while over:
        touching = [
            row for row in bookings
            if row[4] not in excluded and any(
                row[1] <= d <= row[2] + timedelta(days=0 if row[5] is not None else rest) for d in over)
        ]
        if not touching:
            break  # only other maintenance windows: nothing a cancellation would fix
        victim = max(touching, key=lambda row: (row[5] is None, row[4]))
        excluded.add(victim[4])
        over = _over_days(usage, item, days, excluded)
    return sorted(excluded)


def _describe(booking: EquipmentBooking) -> str:
    dates = f"{date_format(booking.start_date, 'd.m.Y')}–{date_format(booking.end_date, 'd.m.Y')}"
    return f"{booking.reference} {dates}" + (f" × {booking.units}" if booking.units > 1 else "")


@transaction.atomic
def maintenance_window_save(
    *,
    item: Item,
    units: int,
    start_date: date,
    end_date: date,
    reason: str,
    actor: Actor,
    now: datetime,
    cancel_affected: bool = False,
    window: MaintenanceWindow | None = None,
) -> MaintenanceWindow:
    """Take `units` of `item` out of service on start_date..end_date (a new window, or `window` changed)."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can take equipment out of service."))
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise BookingError("invalid", _("The number of units must be a whole number of at least 1."), field="units")
    if end_date < start_date:
        raise BookingError("bad_range", _("The end date cannot be before the start date."), field="end_date")
    item = locking.lock_one(Item, item.pk, _("This item does not exist."))
    if units > item.quantity:
        message = ngettext("%(item)s has only %(total)s unit.", "%(item)s has only %(total)s units.", item.quantity)
        raise BookingError("invalid", message % {"item": item.name, "total": item.quantity}, field="units")
    window = window or MaintenanceWindow(created_by=actor.user, created_at=now)
    window.item, window.units, window.start_date, window.end_date = item, units, start_date, end_date
    window.reason = (reason or "").strip()
    if not window.reason:
        raise BookingError("invalid", _("Say why the units are out of service."), field="reason")
    today = timezone.localtime(now, clinic_zone()).date()
    days = list(date_range(max(start_date, today), end_date))
    if days:
        usage = equipment_usage(items=[item], start_date=days[0], end_date=days[-1])
        usage.rows = [row for row in usage.rows if not (row[7] == MAINTENANCE and row[4] == window.pk)]
        usage.rows.append((item.pk, start_date, end_date, units, None, None, None, MAINTENANCE))
        ids = _stranded_ids(usage, item, days)
        stranded = list(locking.lock(EquipmentBooking, ids).values()) if ids else []
        attached = [b for b in stranded if b.cabinet_booking_id]
        if attached and cancel_affected:
            raise BookingError("forbidden", _("%(item)s is booked with cabinet bookings %(list)s; cancel those "
                                              "first.") % {"item": item.name,
                                                           "list": ", ".join(b.cabinet_booking.reference
                                                                             for b in attached)})
        text = REASON_MAINTENANCE + (f": {window.reason}" if window.reason else "")
        resolve_stranded(
            stranded=stranded, cancel_affected=cancel_affected,
            what=_("Taking %(n)s of %(item)s out of service") % {"n": units, "item": item.name},
            describe=_describe,
            cancel=lambda b: booking_transition(booking=b, to_status=Status.CANCELLED, resource_type=RESOURCE,
                                                actor=actor, channel=Channel.ADMIN, now=now, reason=text[:500]),
        )
    locking.after_check()
    window.full_clean(validate_constraints=False)
    window.save()
    return window


@transaction.atomic
def maintenance_window_delete(*, window: MaintenanceWindow, actor: Actor) -> None:
    """Back in service: nothing can be stranded by more free units."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can take equipment out of service."))
    locking.lock(Item, [window.item_id])
    MaintenanceWindow.objects.filter(pk=window.pk).delete()
