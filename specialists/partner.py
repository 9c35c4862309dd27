"""A partner's appointment, approved at once and idempotent like its cabinet bookings: the same request again
(by its external id or Idempotency-Key, with the same data) gets the original appointment back. A refusal
another time could answer brings the services grid's alternatives."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.clients import clean_birthday, clean_email
from cabinets.models import Cabinet, CabinetBooking
from kernel import locking
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.idempotency import partner_create, partner_external_id
from specialists.alternatives import offers_appointment_alternatives
from specialists.availability import performers
from specialists.models import Service, Specialist
from specialists.services import RESOURCE, appointment_create


def _fingerprint(*, external_booking_id: str, service_id: int, specialist_id: int | None, cabinet_id: int | None,
                 starts_at: datetime, client_name: str, client_phone: str, comment: str) -> dict:
    return {
        "external_booking_id": external_booking_id, "service_id": service_id, "specialist_id": specialist_id,
        "cabinet_id": cabinet_id, "starts_at": starts_at.astimezone(clinic_zone()).isoformat(),
        "client_name": client_name, "client_phone": client_phone, "comment": comment,
    }


@offers_appointment_alternatives
def appointment_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    service: Service,
    starts_at: datetime,
    client_name: str,
    client_phone: str,
    now: datetime,
    specialist: Specialist | None = None,
    cabinet: Cabinet | None = None,
    comment: str = "",
    idempotency_key: str | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> tuple[CabinetBooking, bool]:
    """(appointment, replayed). "Any specialist" (None) or "any cabinet" is matched by whichever one the
    original appointment got, so a retry of such a request replays it."""
    if timezone.is_naive(starts_at):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    external_booking_id = partner_external_id(external_booking_id)
    starts_at = starts_at.astimezone(UTC)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    asked_specialist = specialist.pk if specialist is not None else None
    asked_cabinet = cabinet.pk if cabinet is not None else None
    fields = {"service_id": service.pk, "starts_at": starts_at, "client_name": name, "client_phone": phone,
              "comment": comment}

    def fingerprint_of(booking: CabinetBooking) -> dict:
        return _fingerprint(
            external_booking_id=booking.external_booking_id, service_id=booking.service_id,
            specialist_id=booking.specialist_id if asked_specialist is not None else None,
            cabinet_id=booking.cabinet_id if asked_cabinet is not None else None, starts_at=booking.starts_at,
            client_name=booking.client_name, client_phone=booking.client_phone, comment=booking.comment)

    def lock() -> None:
        ids = [asked_specialist] if asked_specialist is not None else list(
            performers(service).values_list("pk", flat=True))
        locking.lock(Specialist, ids)

    return partner_create(
        partner=partner, model=CabinetBooking, resource_type=RESOURCE, external_booking_id=external_booking_id,
        idempotency_key=idempotency_key,
        fingerprint=_fingerprint(external_booking_id=external_booking_id, specialist_id=asked_specialist,
                                 cabinet_id=asked_cabinet, **fields),
        fingerprint_of=fingerprint_of,
        lock=lock,
        create=lambda: appointment_create(
            service=service, specialist=specialist, cabinet=cabinet, starts_at=starts_at, client_name=name,
            client_phone=phone, comment=comment, actor=Actor.for_partner(partner), channel=Channel.API, now=now,
            external_booking_id=external_booking_id, client_birthday=birthday, client_email=email),
        now=now,
    )
