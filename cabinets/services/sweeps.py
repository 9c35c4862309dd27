"""The periodic sweeps over cabinet bookings: completing the ended, expiring the undecided and reminding
managers of requests still waiting."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from cabinets.models import CabinetBooking
from cabinets.services.status import RESOURCE, change_status
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.lifecycle import (
    REASON_NOT_DECIDED,
    bookings_remind_undecided,
    bookings_sweep,
    undecided_too_long,
)
from kernel.outbox.models import Event


def _system_change(*, to_status: str, now: datetime, reason: str = "", topic: str | None = None, notify: bool):
    return lambda booking: change_status(booking=booking, to_status=to_status, actor=Actor.system(), now=now,
                                          channel=Channel.SYSTEM, reason=reason, topic=topic, notify=notify)


def cabinet_bookings_complete_ended(*, now: datetime, batch: int = 500) -> int:
    """Approved bookings whose end has passed become completed."""
    ended = CabinetBooking.objects.filter(status=Status.APPROVED, ends_at__lte=now)
    return bookings_sweep(ended, _system_change(to_status=Status.COMPLETED, now=now, notify=False), batch=batch)


def cabinet_bookings_expire_undecided(*, now: datetime, batch: int = 500) -> int:
    """Pending bookings whose start has passed without a decision (or that waited longer than
    APPROVAL_EXPIRE_HOURS) are cancelled."""
    undecided = CabinetBooking.objects.filter(undecided_too_long(Q(starts_at__lte=now), now=now),
                                              status=Status.PENDING)
    change = _system_change(to_status=Status.CANCELLED, now=now, reason=REASON_NOT_DECIDED,
                            topic=Event.Topic.EXPIRED, notify=True)
    return bookings_sweep(undecided, change, batch=batch)


def cabinet_bookings_remind_undecided(*, now: datetime, batch: int = 500) -> int:
    """Requests waiting longer than APPROVAL_REMIND_MINUTES are announced to managers once more."""
    return bookings_remind_undecided(CabinetBooking.objects.all(), resource_type=RESOURCE, now=now, batch=batch)
