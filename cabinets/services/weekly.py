"""A cabinet's hours on one weekday: refused while the new hours would strand bookings, unless the manager
chose to cancel them."""

from __future__ import annotations

from datetime import datetime, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking, Closure, WeeklySchedule
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
from kernel.scheduling import DayWindow, day_slots, slot_run


def _fits(booking: CabinetBooking, window: DayWindow | None, closures=()) -> bool:
    if window is None:
        return False
    local_start = rules.local(booking.starts_at)
    grid = day_slots(local_start.date(), window, clinic_zone(), closures)
    return slot_run(grid, booking.starts_at, booking.duration_minutes) is not None


def _closures_of(booking: CabinetBooking):
    return [
        (c.start_time, c.end_time)
        for c in Closure.objects.filter(cabinet_id=booking.cabinet_id, date=rules.local(booking.starts_at).date())
    ]


def weekly_schedule_check(
    *,
    cabinet: Cabinet,
    weekday: int,
    now: datetime,
    is_day_off: bool = False,
    opens: time | None = None,
    closes: time | None = None,
    slot_minutes: int = 30,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
    cancel_affected: bool = False,
) -> tuple[WeeklySchedule, list[CabinetBooking]]:
    """The weekday's row as it would be (not saved) and the bookings the new hours would strand."""
    schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=weekday).first() or WeeklySchedule(
        cabinet=cabinet, weekday=weekday
    )
    schedule.is_day_off = is_day_off
    schedule.opens, schedule.closes = (None, None) if is_day_off else (opens, closes)
    schedule.slot_minutes = slot_minutes
    schedule.lunch_start, schedule.lunch_end = (None, None) if is_day_off else (lunch_start, lunch_end)
    validate(schedule)
    window = (
        None
        if is_day_off
        else DayWindow(
            opens=opens, closes=closes, slot_minutes=slot_minutes, lunch_start=lunch_start, lunch_end=lunch_end
        )
    )
    stranded = [
        b
        for b in future_holding([cabinet.pk], now=now)
        if rules.local(b.starts_at).weekday() == weekday and not _fits(b, window, _closures_of(b))
    ]
    return schedule, check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=_("The new hours"))


@transaction.atomic
def weekly_schedule_save(
    *,
    cabinet: Cabinet,
    weekday: int,
    actor: Actor,
    now: datetime,
    is_day_off: bool = False,
    opens: time | None = None,
    closes: time | None = None,
    slot_minutes: int = 30,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
    cancel_affected: bool = False,
) -> WeeklySchedule:
    require_manager(actor)
    cabinet = lock_cabinet(cabinet.pk)
    schedule, stranded = weekly_schedule_check(
        cabinet=cabinet, weekday=weekday, now=now, is_day_off=is_day_off, opens=opens, closes=closes,
        slot_minutes=slot_minutes, lunch_start=lunch_start, lunch_end=lunch_end, cancel_affected=cancel_affected,
    )
    cancel_stranded(stranded=stranded, actor=actor, now=now)
    schedule.save()
    schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "weekday": weekday})
    return schedule
