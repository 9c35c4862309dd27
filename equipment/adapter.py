"""Equipment as the kernel sees it: the one adapter object that answers the kernel's questions about equipment
bookings (kernel/adapters.py), built on the app's public rules (equipment/rules.py), its services, its
waitlist and its prices (equipment/pricing.py). Registered in `EquipmentConfig.ready()`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from equipment import rules
from equipment.models import EquipmentBooking, Item
from equipment.pricing import equipment_price_base
from kernel import locking
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.pricing.lines import PriceBase


class EquipmentAdapter:
    resource_type = "equipment"
    verbose_name = _("Equipment")
    booking_model = EquipmentBooking
    resource_model = Item

    def booking_resource_id(self, booking) -> int | None:
        return booking.item_id

    def moved_from(self, before: dict) -> int | None:
        return before.get("item_id")

    def resource_names(self, resource_ids: Iterable[int]) -> dict[int, str]:
        return dict(Item.objects.filter(pk__in=list(resource_ids)).values_list("pk", "name"))

    def lock(self, resource_ids: Iterable[int]) -> dict[int, Item]:
        return locking.lock(Item, list(resource_ids))

    def check_window(self, *, start_date, end_date, now: datetime, **_request) -> None:
        rules.check_dates(start_date=start_date, end_date=end_date, now=now)

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
        from equipment.waitlist import equipment_waitlist_offer

        return equipment_waitlist_offer(resource_id=resource_id, now=now)

    def wait_fits(self, *, wait, now: datetime) -> bool:
        from equipment.availability import equipment_grid

        item = Item.objects.filter(pk=wait.resource_id).first()
        if item is None or not item.is_active:
            return False
        try:
            self.check_window(start_date=wait.start_date, end_date=wait.end_date, now=now)
        except BookingError:
            return False
        grid = equipment_grid(items=[item], start_date=wait.start_date,
                              end_date=wait.end_date + timedelta(days=item.turnaround_days), now=now)
        return grid.fits(item.pk, wait.units, wait.start_date, wait.end_date)

    def no_shows(self, *, who: Q, since: datetime) -> int:
        # Equipment booked with a cabinet booking is part of that visit: the cabinet booking counts it.
        return EquipmentBooking.objects.filter(who, status=Status.NO_SHOW, start_date__gte=since.date(),
                                               cabinet_booking__isnull=True).count()

    def status_change(self, *, booking, to_status: str, actor: Actor, channel: str, now: datetime,
                      reason: str = "", topic: str | None = None) -> None:
        from kernel.lifecycle import booking_transition

        booking_transition(booking=booking, to_status=to_status, resource_type=self.resource_type, actor=actor,
                           channel=channel, now=now, reason=reason, topic=topic)

    def price_base(self, *, item: Item, units: int, start_date: date, end_date: date | None = None,
                   **_request) -> PriceBase:
        return equipment_price_base(item=item, units=units, start_date=start_date, end_date=end_date)


ADAPTER = EquipmentAdapter()
