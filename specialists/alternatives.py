"""What to offer instead of a refused appointment time, from the services grid: the same specialist's nearest
free times that day first, then the other specialists free at the asked time, then the first free times of the
next days (the same specialist where they work). Ready to post: `{"service_id", "specialist_id", "starts_at"}`.

A fixed handful of queries (one services grid over SEARCH_DAYS days), whatever the number of specialists,
cabinets or appointments. The finder runs after the refused transaction has rolled back and only reads."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from cabinets.models import CabinetBooking
from kernel.api import local_iso
from kernel.errors import BookingError
from specialists.availability import ServiceGrid, day_of
from specialists.models import Service
from specialists.services import appointment_create

logger = logging.getLogger(__name__)

SEARCH_DAYS = 14
PER_KIND = 2  # at most this many of each kind, so every kind has room
LIMIT = 5
# Refusals another time or specialist can answer.
ALTERNATIVE_CODES = frozenset({"specialist_busy", "outside_hours", "day_off", "slot_taken", "no_capacity", "closed",
                               "held"})


def _offer(service: Service, specialist_id: int, starts_at: datetime) -> dict:
    return {"service_id": service.pk, "specialist_id": specialist_id, "starts_at": local_iso(starts_at)}


def appointment_alternatives(*, service: Service, starts_at: datetime, now: datetime, specialist=None,
                             specialist_id: int | None = None, limit: int = LIMIT, **_ignored) -> list[dict]:
    """Up to `limit` free appointment times near `starts_at` for `service` (see the module's doc)."""
    if timezone.is_naive(starts_at) or not service.is_active:
        return []
    wanted = specialist.pk if specialist is not None else specialist_id
    first = day_of(starts_at)
    grid = ServiceGrid(service=service, start_date=first, end_date=first + timedelta(days=SEARCH_DAYS - 1), now=now)
    days = grid.days()
    asked = starts_at.timestamp()
    nearest, others, later = [], [], []
    same_day = sorted(days[0].slots, key=lambda slot: (abs(slot.starts_at.timestamp() - asked),
                                                      slot.starts_at.timestamp()))
    for slot in same_day:
        if slot.starts_at.timestamp() == asked:
            others.extend(_offer(service, pk, slot.starts_at) for pk in slot.specialist_ids if pk != wanted)
        elif wanted is None:
            nearest.append(_offer(service, slot.specialist_ids[0], slot.starts_at))
        elif wanted in slot.specialist_ids:
            nearest.append(_offer(service, wanted, slot.starts_at))
    for day in days[1:]:
        mine = next((slot for slot in day.slots if wanted in slot.specialist_ids), None)
        if mine is not None:
            later.append(_offer(service, wanted, mine.starts_at))
        elif day.slots:
            later.append(_offer(service, day.slots[0].specialist_ids[0], day.slots[0].starts_at))
    return (nearest[:PER_KIND] + others[:PER_KIND] + later + nearest[PER_KIND:] + others[PER_KIND:])[:limit]


def offers_appointment_alternatives(service_call: Callable) -> Callable:
    """Decorate a keyword-only appointment service: a refusal another time could answer gets
    `details["alternatives"]`. A finder that fails leaves the refusal as it was."""

    @functools.wraps(service_call)
    def wrapper(*args, **kwargs):
        try:
            return service_call(*args, **kwargs)
        except BookingError as error:
            if error.code in ALTERNATIVE_CODES and "alternatives" not in error.details:
                try:
                    error.details["alternatives"] = appointment_alternatives(**kwargs)
                except Exception:
                    logger.exception("appointment alternatives could not be computed")
            raise

    return wrapper


@offers_appointment_alternatives
def appointment_create_offering_alternatives(**kwargs) -> CabinetBooking:
    """appointment_create for the doors a client books through (the bot, the booking page): a refusal another
    time could answer brings the alternatives, found once its transaction has rolled back. (A partner's
    appointment gets them around its idempotent transaction instead: specialists/partner.py.)"""
    return appointment_create(**kwargs)
