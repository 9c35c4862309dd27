"""The equipment resource's name in events and the booking-row lock every change of an existing booking
takes first, inside the caller's transaction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from equipment.models import EquipmentBooking
from kernel import locking

RESOURCE = "equipment"


def lock_booking(booking: EquipmentBooking) -> EquipmentBooking:
    return locking.lock_one(EquipmentBooking, booking.pk, _("This booking does not exist."))
