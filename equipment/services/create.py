"""A new whole-day equipment booking.

Every check-and-write locks the item rows first (sorted), inside one transaction, so two requests for the
last unit cannot both pass the check."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from accounts.clients import clean_birthday, clean_email, client_upsert
from equipment.alternatives import equipment_alternatives
from equipment.models import EquipmentBooking, Item
from equipment.rules import check_dates, check_units, clinic_today
from equipment.services.capacity import reserve_days
from equipment.services.locks import RESOURCE
from kernel import rows
from kernel.alternatives import offers_alternatives
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.lifecycle import (
    booking_created,
    check_requester,
    initial_status,
    owner_fields,
    refusals_counted,
)
from kernel.prepayment import payment_hold_start, prepayment_due
from kernel.pricing.services import booking_price_record


def _holding_count(account, now: datetime) -> int:
    return EquipmentBooking.objects.filter(
        requester=account, status__in=HOLDING_STATUSES, end_date__gte=clinic_today(now), cabinet_booking__isnull=True
    ).count()


@offers_alternatives(equipment_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def equipment_booking_create(
    *,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    client_name: str,
    client_phone: str,
    comment: str = "",
    actor: Actor,
    channel: str,
    now: datetime,
    external_booking_id: str | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> EquipmentBooking:
    """Book `units` of `item` for whole days start_date..end_date (one day when end_date is None). The booking
    creates or updates its client (accounts.clients): the birthday and e-mail only when given. Its price is
    stored with it (kernel.pricing: the client and `client_birthday` decide the discounts)."""
    end_date = end_date or start_date
    units = check_units(units)
    check_dates(start_date=start_date, end_date=end_date, now=now)
    check_requester(actor=actor, holding_count=lambda: _holding_count(actor.account, now))
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    item = reserve_days(item_id=item.pk, start_date=start_date, end_date=end_date, units=units, actor=actor,
                         now=now)
    owner = owner_fields(actor)
    booking = EquipmentBooking(
        item=item,
        units=units,
        start_date=start_date,
        end_date=end_date,
        status=initial_status(actor, client_phone=phone, now=now),
        channel=channel,
        client_name=name,
        client_phone=phone,
        comment=comment,
        external_booking_id=external_booking_id or None,
        created_at=now,
        updated_at=now,
        **owner,
    )
    if booking.status == Status.APPROVED:
        booking.decided_by, booking.decided_at = actor.label, now
    # The item row was just locked and the partner is the caller (locked by the partner path): looking both
    # up again would only lengthen the item's lock; the foreign keys still guard them.
    booking.full_clean(exclude=["item", "partner"], validate_unique=False, validate_constraints=False)
    # The lock is held and the check passed: now the client, just before the booking's row (accounts.clients
    # says why not sooner, nor later).
    booking.client = client_upsert(phone=phone, name=name, now=now, birthday=birthday, email=email,
                                   telegram_account=owner["requester"])
    rows.insert(booking)
    price = booking_price_record(booking=booking, resource_type=RESOURCE, now=now, client_birthday=birthday,
                                 request={"item": item, "units": units, "start_date": start_date,
                                          "end_date": end_date})
    if prepayment_due(actor=actor, channel=channel, required=item.prepayment_required, total=price.total):
        payment_hold_start(booking=booking, now=now)
    booking_created(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now)
    return booking
