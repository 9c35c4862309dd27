"""A partner's equipment booking, approved at once and idempotent: a repeated request with the same payload
gets the original booking back instead of a second one."""

from __future__ import annotations

from datetime import date, datetime

from accounts.clients import clean_birthday, clean_email
from equipment.models import EquipmentBooking, Item
from equipment.rules import check_units
from equipment.services.create import equipment_booking_create
from equipment.services.locks import RESOURCE
from kernel.channels import Actor, Channel
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.idempotency import partner_create, partner_external_id


def partner_fingerprint(
    *,
    external_booking_id: str,
    item_id: int,
    start_date: date,
    end_date: date,
    units: int,
    client_name: str,
    client_phone: str,
    comment: str,
) -> dict:
    return {
        "external_booking_id": external_booking_id,
        "item_id": item_id,
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "units": units,
        "client_name": client_name,
        "client_phone": client_phone,
        "comment": comment,
    }


def _fingerprint_of(booking: EquipmentBooking) -> dict:
    return partner_fingerprint(
        external_booking_id=booking.external_booking_id,
        item_id=booking.item_id,
        start_date=booking.start_date,
        end_date=booking.end_date,
        units=booking.units,
        client_name=booking.client_name,
        client_phone=booking.client_phone,
        comment=booking.comment,
    )


def equipment_booking_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    client_name: str,
    client_phone: str,
    comment: str = "",
    now: datetime,
    idempotency_key: str | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> tuple[EquipmentBooking, bool]:
    """A partner's booking, approved at once. Returns (booking, replayed): a repeated request with the same
    payload gets the original booking back instead of a second one. The client's birthday and e-mail are the
    client's, not the booking's: they update the client when booked and take no part in recognising a repeat."""
    external_booking_id = partner_external_id(external_booking_id)
    end_date = end_date or start_date
    units = check_units(units)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    return partner_create(
        partner=partner,
        model=EquipmentBooking,
        resource_type=RESOURCE,
        external_booking_id=external_booking_id,
        idempotency_key=idempotency_key,
        fingerprint=partner_fingerprint(
            external_booking_id=external_booking_id, item_id=item.pk, start_date=start_date, end_date=end_date,
            units=units, client_name=name, client_phone=phone, comment=comment,
        ),
        fingerprint_of=_fingerprint_of,
        # The item is locked once, by the booking itself, so its lock covers only the check and the writes.
        lock=lambda: None,
        create=lambda: equipment_booking_create(
            item=item, start_date=start_date, end_date=end_date, units=units, client_name=name,
            client_phone=phone, comment=comment, actor=Actor.for_partner(partner), channel=Channel.API, now=now,
            external_booking_id=external_booking_id, client_birthday=birthday, client_email=email,
        ),
        now=now,
    )
