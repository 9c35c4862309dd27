"""The equipment waitlist: a client refused for units waits for exactly that request (item, units, days).
When units free up, the earliest waiter whose request now fits is offered them; a smaller request further back
goes first only when the earlier one does not fit. An offer holds the units (equipment.availability counts it)
until it is booked, declined or expires."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking, Item
from equipment.rules import check_dates, check_item_bookable, check_units
from equipment.services import equipment_booking_create
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.clock import clinic_today
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.lifecycle import check_requester
from kernel.scheduling import date_range
from kernel.waitlist.models import LIVE_STATUSES, Wait
from kernel.waitlist.services import (
    wait_booked,
    wait_end,
    wait_fingerprint,
    wait_offer,
    wait_partner_join,
    wait_register,
    wait_take_offer,
    waiter_actor,
    waits_for_requester,
    waits_sweep,
)

RESOURCE = "equipment"  # the adapter's resource type (equipment/adapter.py)


def _lock_item(item_id: int) -> Item:
    return locking.lock_one(Item, item_id, _("This item does not exist."))


@transaction.atomic
def equipment_wait_join(
    *,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    comment: str = "",
    external_booking_id: str | None = None,
) -> Wait:
    """Wait for `units` of `item` on every day of start_date..end_date. The request must be one that could be
    booked but for the units taken: dates, item and requester are checked as for a booking."""
    end_date = end_date or start_date
    units = check_units(units)
    check_dates(start_date=start_date, end_date=end_date, now=now)
    check_requester(actor=actor, holding_count=lambda: 0)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    item = _lock_item(item.pk)
    check_item_bookable(item=item, actor=actor)
    if item.quantity < units:
        raise BookingError("no_capacity", _("%(item)s has only %(total)s units; that many will never be free.")
                           % {"item": item.name, "total": item.quantity}, total=item.quantity)
    return wait_register(actor=actor, channel=channel, now=now, external_booking_id=external_booking_id,
                         resource_type=RESOURCE, resource_id=item.pk, units=units, start_date=start_date,
                         end_date=end_date,
                         client_name=name, client_phone=phone, comment=comment)


@transaction.atomic
def equipment_wait_join_for_partner(*, partner, external_booking_id: str, item: Item, start_date: date,
                                    end_date: date | None = None, units: int = 1, client_name: str,
                                    client_phone: str, now: datetime,
                                    idempotency_key: str | None = None) -> tuple[Wait, bool]:
    end_date = end_date or start_date
    external_booking_id = (external_booking_id or "").strip()
    fingerprint = wait_fingerprint(Wait(
        external_booking_id=external_booking_id, resource_type=RESOURCE, resource_id=item.pk, start_date=start_date,
        end_date=end_date,
        units=units, client_name=clean_client_name(client_name), client_phone=normalize_phone(client_phone)))
    return wait_partner_join(
        partner=partner, external_booking_id=external_booking_id, idempotency_key=idempotency_key,
        fingerprint=fingerprint, booking_model=EquipmentBooking, lock_resource=lambda: _lock_item(item.pk),
        join=lambda actor: equipment_wait_join(
            item=item, start_date=start_date, end_date=end_date, units=units, client_name=client_name,
            client_phone=client_phone, actor=actor, channel=Channel.API, now=now,
            external_booking_id=external_booking_id),
        now=now)


def equipment_waitlist_offer(*, resource_id: int, now: datetime) -> list[Wait]:
    """Offer an item's free units to its waiters, earliest first, each whose request fits what is left. Runs in
    its own transaction under the item's lock, after the transaction that freed the units."""
    with transaction.atomic():
        item = locking.lock(Item, [resource_id]).get(resource_id)
        if item is None:
            return []
        waiting = list(Wait.objects.filter(resource_type=RESOURCE, resource_id=item.pk, status=Wait.Status.WAITING,
                                           start_date__gte=clinic_today(now)).order_by("created_at", "id"))
        if not waiting or not item.is_active:
            return []
        rest = timedelta(days=item.turnaround_days)
        grid = equipment_grid(items=[item], start_date=min(w.start_date for w in waiting),
                              end_date=max(w.end_date for w in waiting) + rest, now=now)
        locking.after_check()
        offered = []
        for wait in waiting:
            if not grid.fits(item.pk, wait.units, wait.start_date, wait.end_date):
                continue  # does not fit (with the item's turnaround after it): a later, smaller request may
            if not wait_offer(wait=wait, now=now):
                continue
            for day in date_range(wait.start_date, wait.end_date + rest):  # held as the booking would be
                grid.peaks[(item.pk, day)] = grid.peak(item.pk, day) + wait.units
            offered.append(wait)
        return offered


@transaction.atomic
def equipment_wait_accept(*, wait: Wait, actor: Actor, now: datetime) -> EquipmentBooking:
    """"Book": the offered units become a booking through the normal service (pending for clients, approved
    for partners). Accepting again returns the same booking."""
    if wait.resource_type != RESOURCE:
        raise BookingError("not_found")
    item = _lock_item(wait.resource_id)
    wait = wait_take_offer(wait_id=wait.pk, actor=actor, now=now)
    if wait.booking_id:
        return EquipmentBooking.objects.select_related("item").get(pk=wait.booking_id)
    booking = equipment_booking_create(
        item=item, start_date=wait.start_date, end_date=wait.end_date, units=wait.units,
        client_name=wait.client_name, client_phone=wait.client_phone, comment=wait.comment,
        actor=waiter_actor(wait), channel=wait.channel, now=now, external_booking_id=wait.external_booking_id)
    wait_booked(wait=wait, booking=booking)
    return booking


def equipment_waits_sweep(*, now: datetime) -> dict[str, int]:
    """Expire offers that ran out, drop waits whose first day has passed, and offer whatever fits (units freed
    without a booking change: a hold that lapsed, a pass that failed)."""
    stale = Wait.objects.filter(resource_type=RESOURCE, status__in=LIVE_STATUSES, start_date__lt=clinic_today(now))
    counts = waits_sweep(now=now, stale=stale)
    offered = 0
    for item_id in (Wait.objects.filter(resource_type=RESOURCE, status=Wait.Status.WAITING)
                    .values_list("resource_id", flat=True).distinct().order_by()):
        offered += len(equipment_waitlist_offer(resource_id=item_id, now=now))
    counts["offered"] = offered
    return counts


def waits_for(*, account) -> list[Wait]:
    return waits_for_requester(account=account, resource_type=RESOURCE)


__all__ = ["equipment_wait_accept", "equipment_wait_join", "equipment_wait_join_for_partner",
           "equipment_waitlist_offer", "equipment_waits_sweep", "wait_end"]
