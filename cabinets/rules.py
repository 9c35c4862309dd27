"""When a cabinet booking begins and ends, and whether it can be cancelled: the one definition every door
uses (the services, the API, the cabinet bot, the booking page, the admin, reminders and no-shows)."""

from __future__ import annotations

from datetime import datetime

from kernel.channels import Actor
from kernel.lifecycle import can_cancel as lifecycle_can_cancel
from kernel.lifecycle import not_cancellable


def booking_starts_at(booking) -> datetime:
    return booking.starts_at


def booking_ends_at(booking) -> datetime:
    return booking.ends_at


def can_cancel(*, booking, actor: Actor, now: datetime) -> bool:
    """Whether `actor` may cancel `booking` now (see `kernel.lifecycle.can_cancel`)."""
    return lifecycle_can_cancel(booking=booking, actor=actor, starts_at=booking_starts_at(booking), now=now)


def check_cancellable(*, booking, actor: Actor, now: datetime) -> None:
    """`can_cancel` as a refusal, for the doors that ask before calling the service."""
    if not can_cancel(booking=booking, actor=actor, now=now):
        raise not_cancellable(booking)
