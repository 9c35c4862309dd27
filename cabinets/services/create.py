"""A new cabinet booking: 1..CABINET_MAX_SLOTS consecutive slots, with optional equipment for the same window.

Every check-and-write locks the cabinet row first, inside one transaction; the occupancy table's unique
index (and on PostgreSQL an exclusion constraint) refuses an overlap even if a check were skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.clients import clean_birthday, clean_email, client_upsert
from cabinets import rules
from cabinets.alternatives import cabinet_alternatives
from cabinets.models import Cabinet, CabinetBooking, SlotHold
from cabinets.services.occupancy import lock_cabinet, occupy
from cabinets.services.status import RESOURCE
from equipment.models import Item
from equipment.services import equipment_window_check, equipment_window_reserve
from kernel import locking
from kernel.alternatives import offers_alternatives
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.lifecycle import (
    booking_created,
    check_requester,
    initial_status,
    owner_fields,
    refusals_counted,
)
from kernel.prepayment import payment_hold_start, prepayment_due
from kernel.pricing.services import booking_price_record

# The resource type that prices an appointment (a cabinet booking naming a service): the specialists' adapter.
APPOINTMENT = "specialist"


def _holding_count(account, now: datetime) -> int:
    return CabinetBooking.objects.filter(requester=account, status__in=HOLDING_STATUSES, ends_at__gt=now).count()


@offers_alternatives(cabinet_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def cabinet_booking_create(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    external_booking_id: str | None = None,
    series=None,
    series_index: int | None = None,
    notify: bool = True,
    service=None,
    specialist=None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> CabinetBooking:
    """Book 1..CABINET_MAX_SLOTS consecutive slots, with optional equipment for the same window: both or
    neither. The requester's own slot hold, if any, becomes this booking. An occurrence of a `series`
    (cabinets.series) belongs to the series' client and may lie beyond CABINET_MAX_ADVANCE_DAYS. An
    appointment also names its `service` and `specialist` (checked and locked by specialists.services). The
    booking and its equipment create or update their client (accounts.clients): the birthday and e-mail only
    when given. Its price is stored with it (kernel.pricing; an appointment's by specialists.services, from
    its service)."""
    check_requester(actor=actor, holding_count=lambda: _holding_count(actor.account, now))
    starts_at = rules.as_utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    cabinet = lock_cabinet(cabinet.pk)
    holder_id = actor.account.pk if actor.account is not None else None
    rules.check_request(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, now=now, holder_id=holder_id,
        far_ahead_ok=series is not None,
    )
    locking.after_check()
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # The items after the cabinet (the order a series takes them in), all checked before anything is written.
    checked = equipment_window_check(cabinet_id=cabinet.pk, starts_at=starts_at, ends_at=ends_at, lines=equipment,
                                     actor=actor, now=now)
    status = initial_status(actor, client_phone=phone, now=now)
    owner = owner_fields(actor)
    if series is not None and series.requester_id:
        owner["requester"] = series.requester
    booking = CabinetBooking(
        cabinet=cabinet,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        channel=channel,
        client_name=name,
        client_phone=phone,
        comment=comment,
        external_booking_id=external_booking_id or None,
        created_at=now,
        updated_at=now,
        decided_by=actor.label if status == Status.APPROVED else "",
        decided_at=now if status == Status.APPROVED else None,
        series=series,
        series_index=series_index,
        service=service,
        specialist=specialist,
        **owner,
    )
    booking.full_clean(validate_unique=False, validate_constraints=False)
    # Every lock is held and every check passed: now the client, just before the booking's first row
    # (accounts.clients says why not sooner, nor later).
    booking.client = client_upsert(phone=phone, name=name, now=now, birthday=birthday, email=email,
                                   telegram_account=owner["requester"])
    try:
        # Two writers of overlapping rows may each wait for the other's constraint check (a circle PostgreSQL
        # breaks by failing one): that one is refused as busy, as a lock wait would be.
        with locking.waits_refused_as_busy(), transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: someone else won the race
        raise BookingError(
            "slot_taken", _("This time in %(cabinet)s was just taken by someone else.") % {"cabinet": cabinet.name}
        ) from exc
    occupy(booking)
    equipment_window_reserve(cabinet_booking=booking, checked=checked, actor=actor, now=now)
    if service is None:
        price = booking_price_record(booking=booking, resource_type=RESOURCE, now=now, client_birthday=birthday,
                                     request={"cabinet": cabinet, "starts_at": starts_at,
                                              "duration_minutes": duration_minutes, "equipment": equipment})
    else:  # an appointment costs its service's price alone, priced by the specialists' adapter
        price = booking_price_record(booking=booking, resource_type=RESOURCE, priced_as=APPOINTMENT, now=now,
                                     client_birthday=birthday, request={"service": service, "starts_at": starts_at})
    required = (service or cabinet).prepayment_required
    if series is None and prepayment_due(actor=actor, channel=channel, required=required, total=price.total):
        payment_hold_start(booking=booking, now=now)
    if holder_id is not None:
        SlotHold.objects.filter(holder_id=holder_id).delete()
    booking_created(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, notify=notify)
    return booking
