"""Catalogue changes to an item (fewer units, withdrawing it) checked against its upcoming bookings: refused
naming them, or the stranded ones cancelled when the manager chose so; more units are offered to the waiting
list."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking, Item
from equipment.rules import clinic_today, days_text
from equipment.services.locks import RESOURCE
from kernel import locking
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_transition
from kernel.waitlist.services import capacity_freed

REASON_ITEM_WITHDRAWN = "the item was withdrawn"


def _upcoming(item: Item, now: datetime):
    return EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES, end_date__gte=clinic_today(now))


def _item_check(*, stored: Item, now: datetime, quantity: int, is_active: bool,
                cancel_affected: bool) -> list[EquipmentBooking]:
    upcoming = _upcoming(stored, now)
    if stored.is_active and not is_active:
        stranded = list(upcoming.order_by("start_date", "pk"))
        if stranded and not cancel_affected:
            listed = "; ".join(f"{b.reference} {date_format(b.start_date, 'd.m.Y')}" for b in stranded[:20])
            raise BookingError(
                "schedule_conflict",
                _("Withdrawing %(item)s would strand %(n)s booking(s): %(list)s. Move or cancel them first, or "
                  "choose to cancel and notify.") % {"item": stored.name, "n": len(stranded), "list": listed},
                bookings=[b.pk for b in stranded],
                references=[b.reference for b in stranded],
            )
        attached = [b for b in stranded if b.cabinet_booking_id]
        if attached:
            raise BookingError("forbidden", _("%(item)s is booked with cabinet bookings %(list)s; cancel those "
                                              "first.") % {"item": stored.name,
                                                           "list": ", ".join(b.cabinet_booking.reference
                                                                             for b in attached)},
                               references=[b.cabinet_booking.reference for b in attached])
        return stranded
    if quantity < stored.quantity:
        last = upcoming.order_by("-end_date").values_list("end_date", flat=True).first()
        if last is None:
            return []
        grid = equipment_grid(items=[stored], start_date=clinic_today(now), end_date=last, now=now)
        over = [day for day in grid.days if grid.peak(stored.pk, day) > quantity]
        if over:
            crowded = [b for b in upcoming.order_by("start_date", "pk")
                       if any(b.start_date <= day <= b.end_date for day in over)]
            raise BookingError(
                "no_capacity",
                _("%(item)s has more than %(n)s units booked on %(days)s; move or cancel bookings before lowering "
                  "the number of units.") % {"item": stored.name, "n": quantity, "days": days_text(over)},
                full_days=[d.isoformat() for d in over],
                bookings=[b.pk for b in crowded],
                references=[b.reference for b in crowded],
            )
    return []


def item_catalogue_check(*, item: Item, now: datetime, quantity: int, is_active: bool,
                         cancel_affected: bool = False) -> list[EquipmentBooking]:
    """Check a change to an item's units or active flag against its upcoming holding bookings, without
    writing anything (an admin form calls it while validating). Withdrawing the item strands them: refused,
    listing them, unless the manager chose to cancel and notify (then they are returned); fewer units than
    are already booked on some day is refused naming those days and bookings."""
    stored = Item.objects.filter(pk=item.pk).first()
    if stored is None:
        return []  # a new item: nothing booked yet
    return _item_check(stored=stored, now=now, quantity=quantity, is_active=is_active,
                       cancel_affected=cancel_affected)


@transaction.atomic
def item_catalogue_change(*, item: Item, actor: Actor, now: datetime, quantity: int, is_active: bool,
                          cancel_affected: bool = False) -> None:
    """A manager's change to an item's units or active flag, under the item's lock: checked as
    `item_catalogue_check` does; withdrawing cancels the stranded bookings the manager chose to cancel; more
    units (or an item back in service) are offered to the waiting list once saved. The caller saves the item."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change the catalogue."))
    locked = locking.lock(Item, [item.pk]).get(item.pk)
    if locked is None:
        return  # a new item: nothing booked yet
    stranded = _item_check(stored=locked, now=now, quantity=quantity, is_active=is_active,
                           cancel_affected=cancel_affected)
    for booking in stranded:
        booking_transition(booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=actor,
                           channel=Channel.ADMIN, now=now, reason=REASON_ITEM_WITHDRAWN)
    if locked.is_active and not is_active:
        return
    if quantity > locked.quantity or (is_active and not locked.is_active):
        capacity_freed(resource_type=RESOURCE, resource_ids=[locked.pk], now=now)  # offered once it is saved
