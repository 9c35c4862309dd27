"""The locks and the occupancy rows every cabinet booking change goes through: the cabinet row (or the
booking row) is locked inside the caller's transaction before anything is checked, and the occupancy table's
unique index turns a lost race into a clear 'taken'."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet, CabinetBooking, CabinetOccupancy
from kernel import locking
from kernel.errors import BookingError
from kernel.scheduling import grid_points


def lock_cabinet(cabinet_id: int) -> Cabinet:
    return locking.lock_one(Cabinet, cabinet_id, _("This cabinet does not exist."))


def lock_booking(booking: CabinetBooking) -> CabinetBooking:
    return locking.lock_one(CabinetBooking, booking.pk, _("This booking does not exist."))


def occupy(booking: CabinetBooking) -> None:
    """Write the occupancy rows; the unique index turns a lost race into a clear 'taken'."""
    rows = [
        CabinetOccupancy(cabinet_id=booking.cabinet_id, booking=booking, starts_at=point)
        for point in grid_points(booking.starts_at, booking.ends_at)
    ]
    try:
        with locking.waits_refused_as_busy(), transaction.atomic():  # a circle of waits: see services.create
            CabinetOccupancy.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise BookingError(
            "slot_taken",
            _("This time in %(cabinet)s was just taken by someone else.") % {"cabinet": booking.cabinet.name},
        ) from exc


def release(booking: CabinetBooking) -> None:
    CabinetOccupancy.objects.filter(booking=booking).delete()
