"""The cabinet answers of the partner doors, as plain data: the REST views render them as JSON and the gRPC
servicers as messages, so both doors give the same answer from the same calculator call."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from cabinets.availability import cabinet_day
from cabinets.models import Cabinet
from cabinets.reasons import day_reasons, slot_reason
from kernel.api import local_hhmm
from kernel.errors import BookingError


def cabinet_slots(cabinet_id: int, day: date, now: datetime) -> dict:
    """Every slot of a cabinet's day with its state, the lengths that fit, why the day or a slot is not free,
    and the breaks between slots."""
    cabinet = Cabinet.objects.filter(pk=cabinet_id).first()
    if cabinet is None:
        raise BookingError("not_found", _("Cabinet not found."), cabinet_id=cabinet_id)
    result = cabinet_day(cabinet=cabinet, day=day, now=now)
    why = day_reasons(result)
    return {
        "cabinet_id": cabinet.pk, "date": day.isoformat(), "closed_reason": result.closed_reason,
        "slots": [{"start": local_hhmm(slot.start), "end": local_hhmm(slot.end), "available": slot.available,
                   "state": slot.state, "durations": slot.durations, "reason": slot_reason(slot.state)}
                  for slot in result.slots],
        "reason": why.reason,
        "breaks": [{"start": b["start"].strftime("%H:%M"), "end": b["end"].strftime("%H:%M"),
                    "reason": b["reason"]} for b in why.breaks],
    }
