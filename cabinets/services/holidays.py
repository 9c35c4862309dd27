"""A clinic-wide holiday: every cabinet closes on that date."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet, CabinetBooking, Holiday
from cabinets.services.schedule import (
    cancel_stranded,
    check_stranded,
    future_holding,
    require_manager,
    schedule_changed,
    validate,
)
from kernel import locking
from kernel.channels import Actor


def holiday_check(
    *, day: date, name: str, now: datetime, cancel_affected: bool = False
) -> tuple[Holiday, list[CabinetBooking]]:
    """The holiday as it would be (not saved) and the bookings of that day it would strand."""
    holiday = Holiday.objects.filter(date=day).first() or Holiday(date=day)
    holiday.name = name
    validate(holiday)
    stranded = list(future_holding(None, day, now=now))
    what = _("The holiday on %(day)s") % {"day": date_format(day, "d.m.Y")}
    return holiday, check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def holiday_save(*, day: date, name: str, actor: Actor, now: datetime, cancel_affected: bool = False) -> Holiday:
    """A clinic-wide day off: every cabinet closes on that date."""
    require_manager(actor)
    cabinets = sorted(Cabinet.objects.values_list("pk", flat=True))
    locking.lock(Cabinet, cabinets)
    holiday, stranded = holiday_check(day=day, name=name, now=now, cancel_affected=cancel_affected)
    cancel_stranded(stranded=stranded, actor=actor, now=now)
    holiday.save()
    schedule_changed(actor=actor, now=now, payload={"holiday": day.isoformat()})
    return holiday
