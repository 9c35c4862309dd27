"""Moving a cabinet booking to another cabinet, start or duration, with its equipment."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services.occupancy import lock_booking, occupy, release
from cabinets.services.status import RESOURCE
from equipment.services import equipment_window_move
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_moved


@transaction.atomic
def cabinet_booking_move(
    *,
    booking: CabinetBooking,
    actor: Actor,
    now: datetime,
    cabinet: Cabinet | None = None,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    channel: str = Channel.ADMIN,
) -> CabinetBooking:
    """Another cabinet, start or duration, with the same checks as a new booking; attached equipment moves
    with it and must be free in the new window."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can move bookings."))
    booking = lock_booking(booking)
    if not booking.is_holding:
        raise BookingError("bad_transition", _("Only pending or approved bookings can be moved."))
    target_id = cabinet.pk if cabinet is not None else booking.cabinet_id
    locking.lock(Cabinet, {booking.cabinet_id, target_id})
    target = Cabinet.objects.get(pk=target_id)
    new_start = rules.as_utc(starts_at) if starts_at else booking.starts_at
    minutes = duration_minutes or booking.duration_minutes
    rules.check_request(
        cabinet=target,
        starts_at=new_start,
        duration_minutes=minutes,
        now=now,
        holder_id=None,
        exclude_booking_ids=[booking.pk],
    )
    new_end = new_start + timedelta(minutes=minutes)
    locking.after_check()
    before = {
        "cabinet_id": booking.cabinet_id,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
    }
    release(booking)
    booking.cabinet, booking.starts_at, booking.ends_at, booking.updated_at = target, new_start, new_end, now
    try:
        with transaction.atomic():
            booking.save(update_fields=["cabinet", "starts_at", "ends_at", "updated_at"])
    except IntegrityError as exc:
        raise BookingError("slot_taken", _("This time was just taken by someone else.")) from exc
    occupy(booking)
    # The equipment app checks and writes its own rows; a refusal there rolls this whole move back.
    equipment_window_move(cabinet_booking=booking, actor=actor, now=now)
    booking_moved(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, before=before)
    return booking
