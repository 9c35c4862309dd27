"""Cabinets as the kernel sees them: the one adapter object that answers the kernel's questions about cabinet
bookings (kernel/adapters.py), built on the app's public rules (cabinets/rules.py), its services, its
waitlist and its prices (cabinets/pricing.py). Registered in `CabinetsConfig.ready()`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking
from cabinets.pricing import cabinet_price_base
from equipment.models import Item
from kernel import locking
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.pricing.lines import PriceBase


class CabinetAdapter:
    resource_type = "cabinet"
    verbose_name = _("Cabinet")
    booking_model = CabinetBooking
    resource_model = Cabinet

    def booking_resource_id(self, booking) -> int | None:
        return booking.cabinet_id

    def moved_from(self, before: dict) -> int | None:
        return before.get("cabinet_id")

    def resource_names(self, resource_ids: Iterable[int]) -> dict[int, str]:
        return dict(Cabinet.objects.filter(pk__in=list(resource_ids)).values_list("pk", "name"))

    def lock(self, resource_ids: Iterable[int]) -> dict[int, Cabinet]:
        return locking.lock(Cabinet, list(resource_ids))

    def check_window(self, *, starts_at: datetime, now: datetime, **_request) -> None:
        rules.check_lead_time(starts_at=starts_at, now=now)

    def booking_starts_at(self, booking) -> datetime:
        return rules.booking_starts_at(booking)

    def booking_ends_at(self, booking) -> datetime:
        return rules.booking_ends_at(booking)

    def horizon_days(self) -> int:
        return rules.horizon_days()

    def lead_time(self) -> timedelta:
        return rules.lead_time()

    def can_cancel(self, *, booking, actor: Actor, now: datetime) -> bool:
        return rules.can_cancel(booking=booking, actor=actor, now=now)

    def offer_freed(self, *, resource_id: int, now: datetime) -> list:
        from cabinets.waitlist import cabinet_waitlist_offer

        return cabinet_waitlist_offer(resource_id=resource_id, now=now)

    def wait_fits(self, *, wait, now: datetime) -> bool:
        cabinet = Cabinet.objects.filter(pk=wait.resource_id).first()
        if cabinet is None:
            return False
        try:
            rules.check_request(cabinet=cabinet, starts_at=wait.starts_at, duration_minutes=wait.duration_minutes,
                                now=now, holder_id=wait.requester_id)
        except BookingError:
            return False
        return True

    def no_shows(self, *, who: Q, since: datetime) -> int:
        return CabinetBooking.objects.filter(who, status=Status.NO_SHOW, starts_at__gte=since).count()

    def status_change(self, *, booking, to_status: str, actor: Actor, channel: str, now: datetime,
                      reason: str = "", topic: str | None = None) -> None:
        from cabinets.services.status import change_status

        change_status(booking=booking, to_status=to_status, actor=actor, now=now, channel=channel, reason=reason,
                      topic=topic)

    def price_base(self, *, cabinet: Cabinet, starts_at: datetime, duration_minutes: int,
                   equipment: Sequence[tuple[Item, int]] = (), **_request) -> PriceBase:
        return cabinet_price_base(cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes,
                                  equipment=equipment)


ADAPTER = CabinetAdapter()
