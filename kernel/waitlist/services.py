"""What every resource's waitlist shares: joining, the offer and its end, the position in the queue, the
partner's idempotent join, and the hook the booking services call when they free capacity.

A wait names its resource as (resource_type, resource_id). Whether a wait fits, and the offer pass that hands
freed capacity to waiters, are the resource's: the kernel asks its adapter (`adapter_for(resource_type)
.offer_freed`), so a service that frees capacity asks for a pass without importing another resource. A pass
runs after the freeing transaction commits, in a transaction of its own under the resource lock."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner
from kernel import locking
from kernel.adapters import adapter_for
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.idempotency import partner_create, partner_external_id
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from kernel.waitlist.models import LIVE_STATUSES, Wait

logger = logging.getLogger(__name__)

RESOURCE = "waitlist"  # the idempotency records' resource type
ENDED_STATUSES = {Wait.Status.EXPIRED, Wait.Status.DROPPED}


def capacity_freed(*, resource_type: str, resource_ids: Iterable[int], now: datetime) -> None:
    """Called inside a transaction that freed capacity (a cancellation, rejection, move, expiry, more units):
    once it commits, each resource's waiters are offered what now fits. A failing pass is logged; the periodic
    sweep offers again."""
    ids = sorted({pk for pk in resource_ids if pk})
    if not ids:
        return

    def offer() -> None:
        for resource_id in ids:
            waitlist_offer_pass(resource_type=resource_type, resource_id=resource_id, now=now)

    transaction.on_commit(offer, robust=True)


def waitlist_offer_pass(*, resource_type: str, resource_id: int, now: datetime) -> list[Wait]:
    adapter = adapter_for(resource_type)
    if not Wait.objects.filter(resource_type=resource_type, resource_id=resource_id,
                               status=Wait.Status.WAITING).exists():
        return []
    return adapter.offer_freed(resource_id=resource_id, now=now)


def waiting_by_day(*, resource_type: str, resource_ids: Iterable[int], start_date, end_date) -> dict[tuple, int]:
    """How many live waits (waiting or offered) want each resource on each day of start_date..end_date, keyed
    (resource id, day), in one query."""
    from kernel.scheduling import date_range

    counts: dict[tuple, int] = {}
    for resource_id, first, last in Wait.objects.filter(
            resource_type=resource_type, status__in=LIVE_STATUSES, resource_id__in=list(resource_ids),
            start_date__lte=end_date, end_date__gte=start_date).values_list("resource_id", "start_date", "end_date"):
        for day in date_range(max(first, start_date), min(last, end_date)):
            counts[(resource_id, day)] = counts.get((resource_id, day), 0) + 1
    return counts


# --- Joining ---------------------------------------------------------------------------------------


def wait_register(*, actor: Actor, channel: str, now: datetime, external_booking_id: str | None = None,
                  **request: Any) -> Wait:
    """Write a new wait for `request` (resource, dates or window, units, client) inside the caller's transaction,
    after it has locked the resource and checked the request. The same person waiting twice for the same request
    is refused."""
    locking.require_transaction()
    if actor.account is not None:
        same = {key: request[key] for key in ("resource_type", "resource_id", "units", "start_date",
                                              "end_date", "starts_at") if key in request}
        if Wait.objects.filter(requester=actor.account, status__in=LIVE_STATUSES, **same).exists():
            raise BookingError("already_waiting", _("You are already on the waitlist for exactly this."))
    wait = Wait(status=Wait.Status.WAITING, channel=channel, requester=actor.account, partner=actor.partner,
                created_by=actor.user, external_booking_id=external_booking_id or None, created_at=now,
                updated_at=now, **request)
    wait.full_clean(validate_unique=False, validate_constraints=False)
    wait.save()
    # It may fit at once (capacity freed between the refusal and the join): the pass after commit offers it.
    capacity_freed(resource_type=wait.resource_type, resource_ids=[wait.resource_id], now=now)
    return wait


def wait_position(wait: Wait) -> int | None:
    """1 for the first in the queue of its resource; None once it left the queue."""
    if wait.status not in LIVE_STATUSES:
        return None
    ahead = Wait.objects.filter(resource_type=wait.resource_type, resource_id=wait.resource_id,
                                status__in=LIVE_STATUSES, created_at__lte=wait.created_at).exclude(
        created_at=wait.created_at, id__gte=wait.pk).count()
    return ahead + 1


def waits_for_requester(*, account, resource_type: str, limit: int = 10) -> list[Wait]:
    """A Telegram user's live waits of one kind, soonest first (a window's start_date is its day), each with
    its `resource_name` read through the adapter in one query."""
    return with_resource_names(
        Wait.objects.filter(requester=account, resource_type=resource_type, status__in=LIVE_STATUSES)
        .order_by("start_date", "starts_at", "id")[:limit])


def wait_resource_name(wait: Wait) -> str:
    """The name of the resource `wait` waits for, from its adapter (kept on the wait once read)."""
    name = getattr(wait, "resource_name", None)
    if name is None:
        names = adapter_for(wait.resource_type).resource_names([wait.resource_id])
        name = wait.resource_name = names.get(wait.resource_id, "")
    return name


def with_resource_names(waits) -> list[Wait]:
    """`waits` as a list, each with `resource_name` set from its resource's adapter (one query per type)."""
    waits = list(waits)
    ids: dict[str, set[int]] = {}
    for wait in waits:
        ids.setdefault(wait.resource_type, set()).add(wait.resource_id)
    names = {resource_type: adapter_for(resource_type).resource_names(resource_ids)
             for resource_type, resource_ids in ids.items()}
    for wait in waits:
        wait.resource_name = names[wait.resource_type].get(wait.resource_id, "")
    return waits


def wait_partner_join(*, partner: Partner, external_booking_id: str, idempotency_key: str | None,
                      fingerprint: dict, booking_model, lock_resource: Callable[[], None],
                      join: Callable[[Actor], Wait], now: datetime) -> tuple[Wait, bool]:
    """A partner's join, idempotent on external_booking_id (and Idempotency-Key) exactly like their bookings,
    through the same partner create: (wait, replayed)."""
    external_booking_id = partner_external_id(external_booking_id)

    def create() -> Wait:
        if booking_model.objects.filter(partner=partner, external_booking_id=external_booking_id).exists():
            raise BookingError("idempotency_conflict", _("External booking id %(id)s is already used by a booking.")
                               % {"id": external_booking_id}, external_booking_id=external_booking_id)
        return join(Actor.for_partner(partner))

    return partner_create(partner=partner, model=Wait, resource_type=RESOURCE,
                          external_booking_id=external_booking_id, idempotency_key=idempotency_key,
                          fingerprint=fingerprint, fingerprint_of=wait_fingerprint, lock=lock_resource,
                          create=create, now=now, spent=_spent_wait)


def wait_fingerprint(wait: Wait) -> dict:
    return {
        "external_booking_id": wait.external_booking_id,
        "resource_type": wait.resource_type,
        "resource_id": wait.resource_id,
        "start_date": wait.start_date.isoformat() if wait.starts_at is None else None,
        "end_date": wait.end_date.isoformat() if wait.starts_at is None else None,
        "starts_at": wait.starts_at.timestamp() if wait.starts_at else None,
        "duration_minutes": wait.duration_minutes,
        "units": wait.units,
        "client_name": wait.client_name,
        "client_phone": wait.client_phone,
    }


def _spent_wait(wait: Wait) -> str | None:
    if wait.status in (*LIVE_STATUSES, Wait.Status.BOOKED):
        return None
    return str(Wait.Status(wait.status).label).lower()


# --- Offers ----------------------------------------------------------------------------------------


def wait_offer(*, wait: Wait, now: datetime) -> bool:
    """Offer the capacity to a waiting wait, for WAITLIST_OFFER_MINUTES. Claims the row with a conditional
    update, so a wait offered meanwhile is not offered twice; False when it was no longer waiting."""
    # In UTC: wall-clock arithmetic in a DST zone would make an offer an hour longer or shorter.
    expires = now.astimezone(UTC) + timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)
    claimed = Wait.objects.filter(pk=wait.pk, status=Wait.Status.WAITING).update(
        status=Wait.Status.OFFERED, offered_at=now, offer_expires_at=expires, updated_at=now)
    if not claimed:
        return False
    wait.status, wait.offered_at, wait.offer_expires_at = Wait.Status.OFFERED, now, expires
    event_record(topic=Event.Topic.WAITLIST_OFFERED, resource_type=wait.resource_type, booking_id=None, now=now,
                 channel=Channel.SYSTEM, actor_label="system",
                 payload={"wait_id": wait.pk, "partner_id": wait.partner_id,
                          "offer_expires_at": expires.isoformat()})
    return True


def wait_end(*, wait: Wait, to_status: str, now: datetime, actor: Actor | None = None) -> bool:
    """Take a live wait out of the queue (cancelled, declined, expired, dropped). A withdrawn offer frees its
    capacity for the next waiter. False when it had already left the queue."""
    was = wait.status
    left = Wait.objects.filter(pk=wait.pk, status__in=LIVE_STATUSES).update(status=to_status, updated_at=now)
    if not left:
        return False
    wait.status = to_status
    if to_status in ENDED_STATUSES:
        event_record(topic=Event.Topic.WAITLIST_ENDED, resource_type=wait.resource_type, booking_id=None, now=now,
                     channel=Channel.SYSTEM, actor_label=(actor or Actor.system()).label,
                     payload={"wait_id": wait.pk, "partner_id": wait.partner_id, "status": to_status,
                              "was": was})
    if was == Wait.Status.OFFERED:
        capacity_freed(resource_type=wait.resource_type, resource_ids=[wait.resource_id], now=now)
    return True


def _locked_wait(wait_id: int) -> Wait:
    return locking.lock_one(Wait, wait_id, _("This waitlist entry does not exist."))


def check_wait_owner(*, wait: Wait, actor: Actor) -> None:
    if actor.is_manager and actor.partner is None:
        return
    if actor.partner is not None:
        if wait.partner_id != actor.partner.pk:
            raise BookingError("not_found", _("This waitlist entry does not exist."))
        return
    if actor.account is None or wait.requester_id != actor.account.pk:
        raise BookingError("not_found", _("This waitlist entry does not exist."))


@transaction.atomic
def wait_cancel(*, wait: Wait, actor: Actor, now: datetime) -> Wait:
    """The waiter (or a manager) leaves the queue; an open offer goes to the next waiter."""
    wait = _locked_wait(wait.pk)
    check_wait_owner(wait=wait, actor=actor)
    if not wait_end(wait=wait, to_status=Wait.Status.CANCELLED, now=now, actor=actor):
        raise BookingError("bad_transition", _("This waitlist entry is already %(status)s.")
                           % {"status": str(Wait.Status(wait.status).label).lower()}, status=wait.status)
    return wait


@transaction.atomic
def wait_decline(*, wait: Wait, actor: Actor, now: datetime) -> Wait:
    """"No, thanks": the offer passes to the next waiter that fits."""
    wait = _locked_wait(wait.pk)
    check_wait_owner(wait=wait, actor=actor)
    if wait.status != Wait.Status.OFFERED:
        raise BookingError("not_offered", status=wait.status)
    wait_end(wait=wait, to_status=Wait.Status.DECLINED, now=now, actor=actor)
    return wait


def wait_take_offer(*, wait_id: int, actor: Actor, now: datetime) -> Wait:
    """Inside the accepting transaction, after the resource is locked: the offer is the waiter's and still open.
    The wait is marked booked before the booking is made, so its own offer no longer counts against it; a refused
    booking rolls both back."""
    wait = _locked_wait(wait_id)
    check_wait_owner(wait=wait, actor=actor)
    if wait.status == Wait.Status.BOOKED:
        return wait
    if wait.status != Wait.Status.OFFERED:
        raise BookingError("not_offered", status=wait.status)
    if wait.offer_expires_at <= now:
        raise BookingError("offer_expired", _("This offer expired at %(time)s.")
                           % {"time": wait.offer_expires_at.isoformat()})
    wait.status, wait.updated_at = Wait.Status.BOOKED, now
    wait.save(update_fields=["status", "updated_at"])
    return wait


def wait_booked(*, wait: Wait, booking) -> None:
    wait.booking_id = booking.pk
    wait.save(update_fields=["booking_id"])


def waiter_actor(wait: Wait) -> Actor:
    if wait.partner_id:
        return Actor.for_partner(wait.partner)
    if wait.requester_id:
        return Actor.telegram(wait.requester)
    return Actor.staff(wait.created_by) if wait.created_by_id else Actor.system()


def waits_sweep(*, now: datetime, stale, batch: int = 500) -> dict[str, int]:
    """Expire offers that ran out (passing them on) and drop waits whose dates have passed (`stale`, a
    queryset of live waits). Each change is claimed with a conditional update, so overlapping runs do it once."""
    counts = {"expired": 0, "dropped": 0}
    for wait in Wait.objects.filter(status=Wait.Status.OFFERED, offer_expires_at__lte=now).order_by("id")[:batch]:
        with transaction.atomic():
            counts["expired"] += wait_end(wait=wait, to_status=Wait.Status.EXPIRED, now=now)
    for wait in stale.order_by("id")[:batch]:
        with transaction.atomic():
            counts["dropped"] += wait_end(wait=wait, to_status=Wait.Status.DROPPED, now=now)
    return counts
