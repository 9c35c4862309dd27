"""Taking a cabinet out of service: refused while it has upcoming holding bookings, unless the manager chose
to cancel them and notify the clients."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet, CabinetBooking
from cabinets.services.occupancy import lock_cabinet
from cabinets.services.schedule import (
    cancel_stranded,
    check_stranded,
    future_holding,
    require_manager,
    schedule_changed,
)
from kernel.channels import Actor


def cabinet_deactivate_check(*, cabinet: Cabinet, now: datetime, cancel_affected: bool = False) -> list[CabinetBooking]:
    """The upcoming holding bookings taking the cabinet out of service would strand: refused (listed) unless
    the manager chose to cancel them."""
    stranded = list(future_holding([cabinet.pk], now=now))
    what = _("Closing %(cabinet)s") % {"cabinet": cabinet.name}
    return check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def cabinet_deactivate(*, cabinet: Cabinet, actor: Actor, now: datetime, cancel_affected: bool = False) -> Cabinet:
    """Take a cabinet out of service: refused while it has upcoming holding bookings (listed), unless the
    manager chose to cancel them and notify the clients."""
    require_manager(actor)
    cabinet = lock_cabinet(cabinet.pk)
    stranded = cabinet_deactivate_check(cabinet=cabinet, now=now, cancel_affected=cancel_affected)
    cancel_stranded(stranded=stranded, actor=actor, now=now)
    cabinet.is_active = False
    cabinet.save(update_fields=["is_active"])
    schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "is_active": False})
    return cabinet
