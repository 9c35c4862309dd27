"""A Telegram user's own cabinet bookings, as their "my bookings" lists show them."""

from __future__ import annotations

from datetime import datetime, timedelta

from cabinets.models import CabinetBooking


def upcoming_for_requester(*, account, now: datetime, past_days: int = 14):
    since = now - timedelta(days=past_days)
    return (
        CabinetBooking.objects.filter(requester=account, ends_at__gte=since)
        .select_related("cabinet", "series", "service", "specialist")
        .prefetch_related("equipment_bookings__item")
        .order_by("-starts_at", "-id")
    )
