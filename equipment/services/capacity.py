"""Whether `units` of an item are free on every day of a whole-day booking and the item's turnaround days
after it, checked under the item's row lock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from equipment.availability import equipment_grid
from equipment.models import Item
from equipment.rules import check_item_bookable, days_text
from kernel import locking
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.scheduling import date_range


def _refuse_full_days(*, item: Item, units: int, full: Sequence[date], grid) -> None:
    if not full:
        return
    if item.quantity < units:
        message = ngettext("%(item)s has only %(total)s unit.", "%(item)s has only %(total)s units.", item.quantity) % {
            "item": item.name,
            "total": item.quantity,
        }
    else:
        message = _("%(item)s: not enough free units on %(days)s.") % {"item": item.name, "days": days_text(full)}
    raise BookingError(
        "no_capacity",
        message,
        full_days=[d.isoformat() for d in full],
        free={d.isoformat(): grid.free(item.pk, d) for d in full[:31]},
        total=item.quantity,
    )


def reserve_days(
    *, item_id: int, start_date: date, end_date: date, units: int, actor: Actor, now: datetime,
    exclude_booking_ids: Iterable[int] = (),
) -> Item:
    """Lock the item, then check that `units` are free on every day. Returns the locked item."""
    item = locking.lock_one(Item, item_id, _("This item does not exist."))
    check_item_bookable(item=item, actor=actor)
    tail = [end_date + timedelta(days=n) for n in range(1, item.turnaround_days + 1)]
    grid = equipment_grid(
        items=[item], start_date=start_date, end_date=tail[-1] if tail else end_date,
        exclude_booking_ids=exclude_booking_ids, now=now,
    )
    _refuse_full_days(item=item, units=units, full=grid.full_days(item.pk, units, date_range(start_date, end_date)),
                      grid=grid)
    _refuse_short_turnaround(item=item, units=units, full=grid.full_days(item.pk, units, tail), grid=grid)
    locking.after_check()
    return item


def _refuse_short_turnaround(*, item: Item, units: int, full: Sequence[date], grid) -> None:
    """The units must also rest for the item's turnaround days after the booking: ending the day before
    someone else's booking of the last unit would leave no time to clean it."""
    if not full:
        return
    raise BookingError(
        "no_capacity",
        ngettext("%(item)s needs %(n)s day after each booking to get ready, and the units are taken on %(days)s.",
                 "%(item)s needs %(n)s days after each booking to get ready, and the units are taken on %(days)s.",
                 item.turnaround_days) % {"item": item.name, "n": item.turnaround_days, "days": days_text(full)},
        full_days=[d.isoformat() for d in full],
        turnaround_days=item.turnaround_days,
        free={d.isoformat(): grid.free(item.pk, d) for d in full},
        total=item.quantity,
    )
