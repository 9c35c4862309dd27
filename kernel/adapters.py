"""How the kernel reaches a resource without knowing it: each bookable resource (equipment, cabinets, the next
one) registers ONE adapter object here, from its `AppConfig.ready()`, and the kernel (lifecycle, attendance,
the waitlist and its admin) asks `adapter_for(resource_type)` instead of importing the resource app.

An adapter is built on the resource's public `rules.py` and services; it is the resource's answer to what the
kernel needs about any booking: which model and resource it is about, when it starts and ends, who may cancel
it, how far ahead and how late it may be made, how its rows are locked, what to do when capacity frees up,
and what a request costs before discounts.
The protocol below is the whole contract; `docs/architecture.md` shows how a new resource provides it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from django.db.models import Model, Q
from django.db.models.signals import post_delete

from kernel.pricing.lines import PriceBase


@runtime_checkable
class ResourceAdapter(Protocol):
    """What the kernel may ask a resource. Every method is keyword-only where it takes more than one value."""

    #: The resource's name in events, waits, idempotency records and metrics ("equipment", "cabinet").
    resource_type: str
    #: A human label for the kind of resource (admin filters, texts).
    verbose_name: Any
    #: The booking model, deriving from `kernel.bookings.BookingBase`.
    booking_model: type[Model]
    #: The model of the thing booked (an item, a cabinet); waits refer to it by `resource_id`.
    resource_model: type[Model]

    def booking_resource_id(self, booking) -> int | None:
        """The id of the resource `booking` holds (what a freed booking offers to the waitlist)."""

    def moved_from(self, before: dict) -> int | None:
        """The resource id a move's `before` snapshot (the event payload of `booking_moved`) names."""

    def resource_names(self, resource_ids: Iterable[int]) -> dict[int, str]:
        """Display names of these resources, in one query."""

    def lock(self, resource_ids: Iterable[int]) -> dict[int, Model]:
        """Lock these resources' rows for a check-and-write (`kernel.locking.lock`), in id order."""

    def check_window(self, **request) -> None:
        """Refuse (BookingError) a request the resource could never book, whatever is taken: dates or window,
        schedule, lead time, horizon, length."""

    def booking_starts_at(self, booking) -> datetime:
        """The instant `booking` begins in the clinic's zone (cancel deadline, reminders, no-shows)."""

    def booking_ends_at(self, booking) -> datetime:
        """The instant `booking` ends."""

    def horizon_days(self) -> int:
        """How many days ahead a booking may be made."""

    def lead_time(self) -> timedelta:
        """How long before its start a booking must be made at the latest."""

    def can_cancel(self, *, booking, actor, now: datetime) -> bool:
        """Whether `actor` may cancel `booking` now (managers any time, clients until the start, ...)."""

    def offer_freed(self, *, resource_id: int, now: datetime) -> list:
        """Offer one resource's freed capacity to its waiters (after the freeing transaction committed):
        the waits that were offered."""

    def wait_fits(self, *, wait, now: datetime) -> bool:
        """Whether `wait`'s request could be booked now (capacity included)."""

    def no_shows(self, *, who: Q, since: datetime) -> int:
        """No-shows among this resource's bookings matching `who` (requester / client_phone lookups) that
        started at or after `since`. Bookings that belong to another booking's visit are not counted twice."""

    def status_change(self, *, booking, to_status: str, actor, channel: str, now: datetime, reason: str = "",
                      topic: str | None = None) -> None:
        """Move a booking already locked in the caller's transaction to `to_status` the way the resource's own
        services do (kernel.lifecycle.booking_transition, and whatever follows it: a cabinet's equipment and
        slots): what payments use to move a paid booking on or end an unpaid one."""

    def price_base(self, **request) -> PriceBase:
        """What a request costs before discounts (kernel.pricing): the booking's day in the clinic's zone and
        one `base` line per priced thing it books; nothing for what has no price. `request` is the resource's
        own create arguments (an item, units and dates; a cabinet, a start, a length and equipment...)."""


class UnknownResource(LookupError):
    """No adapter is registered for a resource type (a typo, or the resource app is not installed)."""


_adapters: dict[str, ResourceAdapter] = {}


def register(adapter: ResourceAdapter) -> ResourceAdapter:
    """Register `adapter` for its `resource_type`. A second registration of the same type is refused: two
    apps claiming one resource type is a configuration error, not something to settle by import order."""
    resource_type = getattr(adapter, "resource_type", None)
    if not isinstance(resource_type, str) or not resource_type:
        raise TypeError(f"{adapter!r} has no resource_type")
    missing = [name for name in _REQUIRED if not hasattr(adapter, name)]
    if missing:
        raise TypeError(f"the {resource_type!r} adapter lacks {', '.join(missing)}")
    if resource_type in _adapters and _adapters[resource_type] is not adapter:
        raise ValueError(f"an adapter for {resource_type!r} is already registered")
    _adapters[resource_type] = adapter
    # A wait names its resource by id, not by a foreign key: deleting the resource deletes its waits, as the
    # key's CASCADE did.
    post_delete.connect(_resource_deleted, sender=adapter.resource_model, weak=False,
                        dispatch_uid=f"waits-of-{resource_type}")
    return adapter


def unregister(resource_type: str) -> None:
    """Forget a registration (for tests that register a resource of their own)."""
    adapter = _adapters.pop(resource_type, None)
    if adapter is not None:
        post_delete.disconnect(sender=adapter.resource_model, dispatch_uid=f"waits-of-{resource_type}")


def _resource_deleted(sender, instance, **_kwargs) -> None:
    from kernel.waitlist.models import Wait

    for adapter in _adapters.values():
        if adapter.resource_model is sender:
            Wait.objects.filter(resource_type=adapter.resource_type, resource_id=instance.pk).delete()


def adapter_for(resource_type: str) -> ResourceAdapter:
    try:
        return _adapters[resource_type]
    except KeyError:
        known = ", ".join(sorted(_adapters)) or "none"
        raise UnknownResource(f"no resource adapter for {resource_type!r} (registered: {known})") from None


def adapters() -> list[ResourceAdapter]:
    """Every registered adapter, by resource type."""
    return [_adapters[key] for key in sorted(_adapters)]


def resource_choices() -> list[tuple[str, Any]]:
    """(resource_type, label) of every registered resource, for filters and forms."""
    return [(adapter.resource_type, adapter.verbose_name) for adapter in adapters()]


_REQUIRED = ("verbose_name", "booking_model", "resource_model", "booking_resource_id", "moved_from", "resource_names",
             "lock", "check_window", "booking_starts_at", "booking_ends_at", "horizon_days", "lead_time", "can_cancel",
             "offer_freed", "wait_fits", "no_shows", "status_change", "price_base")
