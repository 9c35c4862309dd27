"""A partner's cabinet booking, approved at once and idempotent: the same request again (by its external id
or idempotency key, with the same payload) gets the original booking back instead of a second one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from accounts.clients import clean_birthday, clean_email
from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services.create import cabinet_booking_create
from cabinets.services.occupancy import lock_cabinet
from cabinets.services.status import RESOURCE
from equipment.models import Item
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.idempotency import partner_create, partner_external_id


def partner_fingerprint(
    *,
    external_booking_id: str,
    cabinet_id: int,
    starts_at: datetime,
    duration_minutes: int,
    equipment: Sequence[tuple[int, int]],
    client_name: str,
    client_phone: str,
    comment: str,
) -> dict:
    return {
        "external_booking_id": external_booking_id,
        "cabinet_id": cabinet_id,
        "starts_at": starts_at.astimezone(clinic_zone()).isoformat(),
        "duration_minutes": duration_minutes,
        "equipment": sorted([list(line) for line in equipment]),
        "client_name": client_name,
        "client_phone": client_phone,
        "comment": comment,
    }


def _fingerprint_of(booking: CabinetBooking) -> dict:
    lines = [(b.item_id, b.units) for b in booking.equipment_bookings.all()]
    return partner_fingerprint(
        external_booking_id=booking.external_booking_id,
        cabinet_id=booking.cabinet_id,
        starts_at=booking.starts_at,
        duration_minutes=booking.duration_minutes,
        equipment=lines,
        client_name=booking.client_name,
        client_phone=booking.client_phone,
        comment=booking.comment,
    )


def merged_lines(equipment: Sequence[tuple[Item, int]]) -> list[tuple[int, int]]:
    """(item id, units) per item, as a partner's fingerprint names the equipment."""
    merged: dict[int, int] = {}
    for item, units in equipment:
        merged[item.pk] = merged.get(item.pk, 0) + units
    return list(merged.items())


def cabinet_booking_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    client_name: str,
    client_phone: str,
    now: datetime,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    idempotency_key: str | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> tuple[CabinetBooking, bool]:
    """A partner's cabinet booking, approved at once; (booking, replayed) as for equipment (the client's
    birthday and e-mail update the client and take no part in recognising a repeat)."""
    external_booking_id = partner_external_id(external_booking_id)
    starts_at = rules.as_utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    return partner_create(
        partner=partner,
        model=CabinetBooking,
        resource_type=RESOURCE,
        external_booking_id=external_booking_id,
        idempotency_key=idempotency_key,
        fingerprint=partner_fingerprint(
            external_booking_id=external_booking_id, cabinet_id=cabinet.pk, starts_at=starts_at,
            duration_minutes=duration_minutes, equipment=merged_lines(equipment), client_name=name,
            client_phone=phone, comment=comment,
        ),
        fingerprint_of=_fingerprint_of,
        lock=lambda: lock_cabinet(cabinet.pk),
        create=lambda: cabinet_booking_create(
            cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, client_name=name,
            client_phone=phone, comment=comment, equipment=equipment, actor=Actor.for_partner(partner),
            channel=Channel.API, now=now, external_booking_id=external_booking_id, client_birthday=birthday,
            client_email=email,
        ),
        now=now,
    )
