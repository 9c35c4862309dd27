"""Specialists as the kernel sees them (kernel/adapters.py), built on the app's public rules.

An appointment is a cabinet booking that names its service and specialist, so the kernel's lifecycle, the
waitlist, reminders and no-shows reach appointments through the cabinets' adapter; this one answers what the
kernel may ask about a specialist as a resource: their name, their lock, whether a window fits their hours,
and what an appointment costs (its service's price).
Specialists have no waitlist of their own (freed time is offered through the cabinet an appointment frees),
and their no-shows are the cabinet bookings' no-shows, counted once by the cabinets' adapter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cabinets import rules as cabinet_rules
from cabinets.adapter import ADAPTER as CABINETS
from cabinets.models import CabinetBooking
from kernel import locking
from kernel.channels import Actor
from kernel.pricing.lines import BASE, Line, PriceBase
from specialists.models import Service, Specialist
from specialists.rules import check_on_grid, check_within_hours


class SpecialistAdapter:
    resource_type = "specialist"
    verbose_name = _("Specialist")
    booking_model = CabinetBooking
    resource_model = Specialist

    def booking_resource_id(self, booking) -> int | None:
        return booking.specialist_id

    def moved_from(self, before: dict) -> int | None:
        return before.get("specialist_id")

    def resource_names(self, resource_ids: Iterable[int]) -> dict[int, str]:
        return dict(Specialist.objects.filter(pk__in=list(resource_ids)).values_list("pk", "name"))

    def lock(self, resource_ids: Iterable[int]) -> dict[int, Specialist]:
        return locking.lock(Specialist, list(resource_ids))

    def check_window(self, *, starts_at: datetime, now: datetime, ends_at: datetime | None = None,
                     specialist_id: int | None = None, **request) -> None:
        """The clinic's lead time and horizon (the cabinets'), the slot grid, and the specialist's hours."""
        CABINETS.check_window(starts_at=starts_at, now=now, **request)
        check_on_grid(starts_at)
        specialist = Specialist.objects.filter(pk=specialist_id).first() if specialist_id else None
        if specialist is not None and ends_at is not None:
            check_within_hours(specialist, starts_at, ends_at)

    def booking_starts_at(self, booking) -> datetime:
        return cabinet_rules.booking_starts_at(booking)

    def booking_ends_at(self, booking) -> datetime:
        return cabinet_rules.booking_ends_at(booking)

    def horizon_days(self) -> int:
        return CABINETS.horizon_days()

    def lead_time(self) -> timedelta:
        return CABINETS.lead_time()

    def can_cancel(self, *, booking, actor: Actor, now: datetime) -> bool:
        return cabinet_rules.can_cancel(booking=booking, actor=actor, now=now)

    def offer_freed(self, *, resource_id: int, now: datetime) -> list:
        return []  # no wait names a specialist: a cancelled appointment's time is offered through its cabinet

    def wait_fits(self, *, wait, now: datetime) -> bool:
        return False  # no wait names a specialist (see offer_freed)

    def no_shows(self, *, who: Q, since: datetime) -> int:
        return 0  # an appointment is a cabinet booking: the cabinets' adapter counts its no-show once

    def status_change(self, *, booking, to_status: str, actor: Actor, channel: str, now: datetime,
                      reason: str = "", topic: str | None = None) -> None:
        """An appointment's booking is a cabinet booking: it changes as one."""
        CABINETS.status_change(booking=booking, to_status=to_status, actor=actor, channel=channel, now=now,
                               reason=reason, topic=topic)

    def price_base(self, *, service: Service, starts_at: datetime, **_request) -> PriceBase:
        """An appointment costs its service's price alone: the cabinet and the equipment it uses are not
        charged on top. A service without a price adds no line."""
        day = cabinet_rules.local(starts_at).date()
        if service.price is None:
            return PriceBase(day)
        return PriceBase(day, (Line(BASE, "flat", service.price, {"name": service.name}),))


ADAPTER = SpecialistAdapter()
