"""Why a cabinet's day or slot cannot be booked, in machine words: the day is a `holiday` or `closed` (a day
off, a closure, an inactive cabinet); a slot is `booked` or `held`; the gaps between slots are `lunch` or
`closed` (a closure for part of the day). Read from the calculator's day plus one query for that day's
holidays and closures."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabinets.availability import CabinetDay, closures_between

HOLIDAY, CLOSED, LUNCH, BOOKED, HELD = "holiday", "closed", "lunch", "booked", "held"
SLOT_REASONS = {"taken": BOOKED, "held": HELD}


@dataclass
class DayReasons:
    reason: str | None
    breaks: list[dict] = field(default_factory=list)  # {"start": time, "end": time, "reason"}


def day_reasons(cabinet_day: CabinetDay) -> DayReasons:
    day = cabinet_day.date
    holiday = False
    breaks = []
    for cabinet_id, _day, start, end, _label in closures_between([cabinet_day.cabinet.pk], day, day):
        if cabinet_id is None:
            holiday = True
        elif start is not None and end is not None:
            breaks.append({"start": start, "end": end, "reason": CLOSED})
    window = cabinet_day.window
    if window is not None and window.lunch_start and window.lunch_end:
        breaks.append({"start": window.lunch_start, "end": window.lunch_end, "reason": LUNCH})
    if cabinet_day.closed_reason:
        reason = HOLIDAY if holiday and cabinet_day.cabinet.is_active else CLOSED
        return DayReasons(reason=reason)
    return DayReasons(reason=None, breaks=sorted(breaks, key=lambda b: b["start"]))


def slot_reason(state: str) -> str | None:
    return SLOT_REASONS.get(state)
