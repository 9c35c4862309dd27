"""The cabinet waitlist: a client refused because the window was taken (or held) waits for exactly that window
(cabinet, day, start, duration). When it frees up it is offered to the earliest waiter it fits, held for them
like their own slot hold (cabinets.availability counts it) until they book, decline or the offer expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import cabinet_booking_create
from cabinets.services.occupancy import lock_cabinet
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.lifecycle import check_requester
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

RESOURCE = "cabinet"  # the adapter's resource type (cabinets/adapter.py)
TAKEN = ("slot_taken", "held")
# The window can never be booked any more: the wait is dropped rather than kept.
GONE = ("date_in_past", "too_soon")


@transaction.atomic
def cabinet_wait_join(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    comment: str = "",
    external_booking_id: str | None = None,
) -> Wait:
    """Wait for a window that is bookable but for being taken or held: every other rule (schedule, lead time,
    slots, length) is checked as for a booking."""
    check_requester(actor=actor, holding_count=lambda: 0)
    starts_at = rules.as_utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    cabinet = lock_cabinet(cabinet.pk)
    try:
        rules.check_request(cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, now=now,
                            holder_id=actor.account.pk if actor.account else None)
    except BookingError as exc:
        if exc.code not in TAKEN:
            raise
    day = timezone.localtime(starts_at, clinic_zone()).date()
    return wait_register(actor=actor, channel=channel, now=now, external_booking_id=external_booking_id,
                         resource_type=RESOURCE, resource_id=cabinet.pk, start_date=day, end_date=day,
                         starts_at=starts_at, ends_at=starts_at + timedelta(minutes=duration_minutes),
                         client_name=name, client_phone=phone, comment=comment)


@transaction.atomic
def cabinet_wait_join_for_partner(*, partner, external_booking_id: str, cabinet: Cabinet, starts_at: datetime,
                                  duration_minutes: int, client_name: str, client_phone: str, now: datetime,
                                  idempotency_key: str | None = None) -> tuple[Wait, bool]:
    external_booking_id = (external_booking_id or "").strip()
    starts_at = rules.as_utc(starts_at)
    fingerprint = wait_fingerprint(Wait(
        external_booking_id=external_booking_id, resource_type=RESOURCE, resource_id=cabinet.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes), units=1,
        client_name=clean_client_name(client_name), client_phone=normalize_phone(client_phone)))
    return wait_partner_join(
        partner=partner, external_booking_id=external_booking_id, idempotency_key=idempotency_key,
        fingerprint=fingerprint, booking_model=CabinetBooking, lock_resource=lambda: lock_cabinet(cabinet.pk),
        join=lambda actor: cabinet_wait_join(
            cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, client_name=client_name,
            client_phone=client_phone, actor=actor, channel=Channel.API, now=now,
            external_booking_id=external_booking_id),
        now=now)


def cabinet_waitlist_offer(*, resource_id: int, now: datetime) -> list[Wait]:
    """Offer a cabinet's free windows to its waiters, earliest first. Each offer is visible to the next check
    (same transaction), so two waiters never get one window. Under the cabinet's lock."""
    with transaction.atomic():
        cabinet = locking.lock(Cabinet, [resource_id]).get(resource_id)
        if cabinet is None:
            return []
        offered = []
        for wait in Wait.objects.filter(resource_type=RESOURCE, resource_id=cabinet.pk,
                                        status=Wait.Status.WAITING).order_by("created_at", "id"):
            try:
                rules.check_request(cabinet=cabinet, starts_at=wait.starts_at,
                                    duration_minutes=wait.duration_minutes, now=now, holder_id=wait.requester_id)
            except BookingError as exc:
                if exc.code in GONE:
                    wait_end(wait=wait, to_status=Wait.Status.DROPPED, now=now)
                continue
            locking.after_check()
            if wait_offer(wait=wait, now=now):
                offered.append(wait)
        return offered


@transaction.atomic
def cabinet_wait_accept(*, wait: Wait, actor: Actor, now: datetime) -> CabinetBooking:
    """"Book": the offered window becomes a booking through the normal service. Accepting again returns the
    same booking."""
    if wait.resource_type != RESOURCE:
        raise BookingError("not_found")
    cabinet = lock_cabinet(wait.resource_id)
    wait = wait_take_offer(wait_id=wait.pk, actor=actor, now=now)
    if wait.booking_id:
        return CabinetBooking.objects.get(pk=wait.booking_id)
    booking = cabinet_booking_create(
        cabinet=cabinet, starts_at=wait.starts_at, duration_minutes=wait.duration_minutes,
        client_name=wait.client_name, client_phone=wait.client_phone, comment=wait.comment,
        actor=waiter_actor(wait), channel=wait.channel, now=now, external_booking_id=wait.external_booking_id)
    wait_booked(wait=wait, booking=booking)
    return booking


def cabinet_waits_sweep(*, now: datetime) -> dict[str, int]:
    """Expire offers that ran out, drop waits that can no longer be booked in time, and offer windows freed
    without a booking change (a slot hold that lapsed)."""
    stale = Wait.objects.filter(resource_type=RESOURCE, status__in=LIVE_STATUSES,
                                starts_at__lt=rules.earliest_start(now))
    counts = waits_sweep(now=now, stale=stale)
    offered = 0
    for cabinet_id in (Wait.objects.filter(resource_type=RESOURCE, status=Wait.Status.WAITING)
                       .values_list("resource_id", flat=True).distinct().order_by()):
        offered += len(cabinet_waitlist_offer(resource_id=cabinet_id, now=now))
    counts["offered"] = offered
    return counts


def waits_for(*, account) -> list[Wait]:
    return waits_for_requester(account=account, resource_type=RESOURCE)


__all__ = ["cabinet_wait_accept", "cabinet_wait_join", "cabinet_wait_join_for_partner", "cabinet_waitlist_offer",
           "cabinet_waits_sweep"]
