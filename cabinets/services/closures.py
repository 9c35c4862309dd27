"""Closing one cabinet for a whole day or a time range."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet, CabinetBooking, Closure
from cabinets.services.occupancy import lock_cabinet
from cabinets.services.schedule import (
    cancel_stranded,
    check_stranded,
    future_holding,
    require_manager,
    schedule_changed,
    validate,
)
from kernel.channels import Actor
from kernel.clock import clinic_zone


def closure_check(
    *,
    cabinet: Cabinet,
    day: date,
    now: datetime,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    cancel_affected: bool = False,
    closure: Closure | None = None,
) -> tuple[Closure, list[CabinetBooking]]:
    """The closure as it would be (not saved) and the bookings it would strand."""
    closure = closure or Closure()
    closure.cabinet, closure.date = cabinet, day
    closure.start_time, closure.end_time, closure.reason = start_time, end_time, reason
    validate(closure)
    bookings = future_holding([cabinet.pk], day, now=now)
    if start_time is None:
        stranded = list(bookings)
    else:
        closed_from = datetime.combine(day, start_time, tzinfo=clinic_zone())
        closed_to = datetime.combine(day, end_time, tzinfo=clinic_zone())
        stranded = [b for b in bookings if b.starts_at < closed_to and closed_from < b.ends_at]
    what = _("Closing %(cabinet)s") % {"cabinet": cabinet.name}
    return closure, check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def closure_save(
    *,
    cabinet: Cabinet,
    day: date,
    actor: Actor,
    now: datetime,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    cancel_affected: bool = False,
    closure: Closure | None = None,
) -> Closure:
    """Close one cabinet for a whole day (no times) or for a time range."""
    require_manager(actor)
    cabinet = lock_cabinet(cabinet.pk)
    closure, stranded = closure_check(cabinet=cabinet, day=day, now=now, start_time=start_time, end_time=end_time,
                                      reason=reason, cancel_affected=cancel_affected, closure=closure)
    cancel_stranded(stranded=stranded, actor=actor, now=now)
    closure.save()
    schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "closure": day.isoformat()})
    return closure
