"""A Telegram user's own whole-day equipment bookings, as their "my bookings" lists show them."""

from __future__ import annotations

from datetime import datetime, timedelta

from equipment.models import EquipmentBooking
from equipment.rules import clinic_today


def upcoming_for_requester(*, account, now: datetime, past_days: int = 14):
    """A Telegram user's bookings: upcoming and those of the last `past_days` days, newest first."""
    since = clinic_today(now) - timedelta(days=past_days)
    return (
        EquipmentBooking.objects.filter(requester=account, end_date__gte=since, cabinet_booking__isnull=True)
        .select_related("item")
        .order_by("-start_date", "-id")
    )
