"""Slot holds: a Telegram user's slots kept for them while they finish the booking dialog."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from cabinets import rules
from cabinets.alternatives import cabinet_alternatives
from cabinets.models import Cabinet, SlotHold, WeeklySchedule
from cabinets.services.occupancy import lock_cabinet
from cabinets.services.status import RESOURCE
from kernel import locking
from kernel.alternatives import offers_alternatives
from kernel.channels import Actor
from kernel.lifecycle import check_requester, refusals_counted


@offers_alternatives(cabinet_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def slot_hold_take(
    *, cabinet: Cabinet, starts_at: datetime, account, now: datetime, duration_minutes: int | None = None
) -> SlotHold:
    """Hold slots for a Telegram user while they finish the dialog: nobody else can take them until the
    hold expires (SLOT_HOLD_MINUTES) or becomes a booking. A user has one hold; taking another moves it."""
    check_requester(actor=Actor.telegram(account), holding_count=lambda: 0)
    starts_at = rules.as_utc(starts_at)
    cabinet = lock_cabinet(cabinet.pk)
    if duration_minutes is None:
        schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=rules.local(starts_at).weekday()).first()
        duration_minutes = schedule.slot_minutes if schedule else 30
    rules.check_request(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, now=now, holder_id=account.pk
    )
    locking.after_check()
    SlotHold.objects.filter(holder=account).delete()
    return SlotHold.objects.create(
        cabinet=cabinet,
        holder=account,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        expires_at=now + timedelta(minutes=settings.SLOT_HOLD_MINUTES),
        created_at=now,
    )


def slot_hold_release(*, account) -> int:
    deleted, _ = SlotHold.objects.filter(holder=account).delete()
    return deleted
