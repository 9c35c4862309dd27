"""Partners retry. A create repeated with the same external_booking_id, or the same Idempotency-Key within
24 hours, and the same payload gets the original booking back; a different payload, or an id that belongs
to a cancelled booking, is refused.

`partner_create` is the one implementation of a partner create (equipment, cabinet, cabinet series): the
resource passes how to lock, how to fingerprint a row and how to create it; it is built on `partner_replay`
and `partner_remember`, which the waitlist's join uses directly."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner
from kernel import locking, rows
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.errors import BookingError
from kernel.models import IdempotencyKey

Created = TypeVar("Created")


def fingerprint_hash(fingerprint: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True, default=str).encode()).hexdigest()


def spent_booking(booking) -> str | None:
    """Why a booking's external id cannot be used again (its status), or None while it may be replayed."""
    if booking.status not in (*HOLDING_STATUSES, Status.COMPLETED, Status.NO_SHOW):  # took place (or was due)
        return str(Status(booking.status).label).lower()
    return None


def partner_replay(
    *,
    partner,
    model,
    resource_type: str,
    external_booking_id: str,
    idempotency_key: str | None,
    fingerprint: dict[str, Any],
    fingerprint_of,
    now: datetime,
    spent=spent_booking,
):
    """The booking (or other record) this request repeats, or None when it is new. Runs after the resource is
    locked. `spent(record)` names the status of a record whose id may not be used again."""
    if idempotency_key:
        record = IdempotencyKey.objects.filter(partner=partner, key=idempotency_key).first()
        if record is not None and record.created_at < now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS):
            record.delete()
            record = None
        if record is not None:
            if record.resource_type != resource_type or record.request_hash != fingerprint_hash(fingerprint):
                raise BookingError(
                    "idempotency_conflict",
                    _("This Idempotency-Key was already used with a different request."),
                    idempotency_key=idempotency_key,
                )
            booking = model.objects.filter(pk=record.booking_id).first()
            if booking is not None:
                return booking
    existing = rows.first(model, partner=partner.pk, external_booking_id=external_booking_id)
    if existing is None:
        return None
    spent_status = spent(existing)
    if spent_status is not None:
        raise BookingError(
            "external_id_reused",
            _("External booking id %(id)s belongs to a %(status)s booking and cannot be used again.")
            % {"id": external_booking_id, "status": spent_status},
            external_booking_id=external_booking_id, booking_id=existing.pk,
        )
    if fingerprint_of(existing) != fingerprint:
        raise BookingError(
            "idempotency_conflict",
            _("External booking id %(id)s was already used with different data.") % {"id": external_booking_id},
            external_booking_id=external_booking_id, booking_id=existing.pk,
        )
    return existing


def partner_remember(*, partner, idempotency_key: str | None, resource_type: str, booking, fingerprint: dict,
                     now: datetime) -> None:
    if idempotency_key:
        IdempotencyKey.objects.create(
            partner=partner, key=idempotency_key, request_hash=fingerprint_hash(fingerprint),
            resource_type=resource_type, booking_id=booking.pk, response_status=201, created_at=now,
        )


def partner_external_id(value: str | None) -> str:
    """The partner's id of the booking, trimmed; every partner create requires one."""
    value = (value or "").strip()
    if not value:
        raise BookingError("invalid", _("external_booking_id is required."), field="external_booking_id")
    return value


@transaction.atomic
def partner_create(
    *,
    partner,
    model,
    resource_type: str,
    external_booking_id: str,
    idempotency_key: str | None,
    fingerprint: dict[str, Any],
    fingerprint_of: Callable[[Any], dict],
    lock: Callable[[], Any],
    create: Callable[[], Created],
    now: datetime,
    spent: Callable[[Any], str | None] = spent_booking,
) -> tuple[Created, bool]:
    """Create once: (created, replayed). `model` rows carry `partner` and `external_booking_id`; `fingerprint`
    describes this request and `fingerprint_of` an existing row the same way; `lock` takes the resource's
    locks and `create` books it (inside this transaction)."""
    # The partner first: two requests with one external id or Idempotency-Key queue here, whatever they
    # book; then the resource, so the replay check and the create see the same state.
    locking.lock(Partner, [partner.pk])
    lock()
    existing = partner_replay(
        partner=partner, model=model, resource_type=resource_type, external_booking_id=external_booking_id,
        idempotency_key=idempotency_key, fingerprint=fingerprint, fingerprint_of=fingerprint_of, now=now,
        spent=spent,
    )
    if existing is not None:
        return existing, True
    created = create()
    partner_remember(partner=partner, idempotency_key=idempotency_key, resource_type=resource_type,
                     booking=created, fingerprint=fingerprint, now=now)
    return created, False
