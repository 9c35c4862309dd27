"""Moving a whole-day equipment booking to another day, range, item or number of units."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from equipment.models import EquipmentBooking, Item
from equipment.rules import check_dates, check_units
from equipment.services.capacity import reserve_days
from equipment.services.locks import RESOURCE, lock_booking
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_moved


@transaction.atomic
def equipment_booking_move(
    *,
    booking: EquipmentBooking,
    actor: Actor,
    now: datetime,
    item: Item | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    units: int | None = None,
    channel: str = Channel.ADMIN,
) -> EquipmentBooking:
    """Another day, range, item or number of units, with the same checks as a new booking."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can move bookings."))
    booking = lock_booking(booking)
    if booking.cabinet_booking_id:
        raise BookingError("forbidden", _("This equipment belongs to a cabinet booking; move that booking."))
    if not booking.is_holding:
        raise BookingError("bad_transition", _("Only pending or approved bookings can be moved."))
    new_item_id = item.pk if item is not None else booking.item_id
    new_start = start_date or booking.start_date
    new_end = end_date or (new_start if start_date and not end_date else booking.end_date)
    new_units = check_units(units) if units is not None else booking.units
    check_dates(start_date=new_start, end_date=new_end, now=now)
    locked_item = reserve_days(
        item_id=new_item_id,
        start_date=new_start,
        end_date=new_end,
        units=new_units,
        actor=actor,
        now=now,
        exclude_booking_ids=[booking.pk],
    )
    before = {
        "item_id": booking.item_id,
        "start_date": booking.start_date.isoformat(),
        "end_date": booking.end_date.isoformat(),
        "units": booking.units,
    }
    booking.item, booking.start_date, booking.end_date, booking.units = locked_item, new_start, new_end, new_units
    booking.updated_at = now
    booking.save(update_fields=["item", "start_date", "end_date", "units", "updated_at"])
    booking_moved(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, before=before)
    return booking
