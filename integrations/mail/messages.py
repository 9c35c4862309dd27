"""Rendering e-mails: a booking's message to its client, with the calendar invitation beside the text, recorded
as a MailMessage row for the worker to send.

Each booking is one calendar event (the UID the calendar feeds and the Telegram attachment use too). Its
SEQUENCE is stored (`Invite`) and raised by every change, never lowered and never behind the feeds' (the number
of changes in the booking's history), so a calendar program applies each message over the one before. A
booking still holding its time is sent as METHOD:REQUEST, one cancelled or rejected as METHOD:CANCEL."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from accounts.models import Client
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.calendar import ics
from integrations.mail import texts
from integrations.mail.models import Invite, MailMessage

EQUIPMENT, CABINET = "equipment", "cabinet"
REQUEST, CANCEL = "REQUEST", "CANCEL"


def bookings_with_address(resource_type: str, *conditions: Q, **filters):
    """The bookings matching these conditions whose client has an address that has not bounced, with what a
    message shows (attached equipment is told of with its cabinet booking, never on its own)."""
    mailable = {"client__isnull": False, "client__email_bounced_at__isnull": True, **filters}
    if resource_type == EQUIPMENT:
        query = (EquipmentBooking.objects.filter(*conditions, cabinet_booking__isnull=True, **mailable)
                 .select_related("item"))
    elif resource_type == CABINET:
        query = (CabinetBooking.objects.filter(*conditions, **mailable)
                 .select_related("cabinet", "service", "specialist").prefetch_related("equipment_bookings__item"))
    else:
        return CabinetBooking.objects.none()
    return query.exclude(client__email="").select_related("client__telegram_account").order_by("pk")


def language_of(client: Client) -> str:
    """The client's Telegram language when they have an account, else the clinic's."""
    account = client.telegram_account
    return account.language if account is not None else settings.LANGUAGE_CODE


def invite_event(resource_type: str, booking, *, sequence: int):
    """The booking's calendar event as the client's own calendar shows it; an appointment named by its
    service and specialist."""
    if resource_type == EQUIPMENT:
        return ics.equipment_event(booking, sequence=sequence)
    event = ics.cabinet_event(booking, sequence=sequence)
    if texts.is_appointment(resource_type, booking):
        del event["SUMMARY"]
        specialist = f" ({booking.specialist.name})" if booking.specialist_id else ""
        event.add("summary", f"{booking.service.name}{specialist}, {booking.reference}")
    return event


def _sequence(resource_type: str, booking, *, changed: bool, now: datetime) -> tuple[Invite, int]:
    """The booking's stored invitation, locked, and the SEQUENCE of the message being made: one more than
    the last when the booking changed, the same for a reminder."""
    floor = max(0, booking.history.count() - 1)
    invite, created = Invite.objects.select_for_update().get_or_create(
        resource_type=resource_type, booking_id=booking.pk, defaults={"sequence": floor, "updated_at": now})
    if created:
        return invite, floor
    return invite, max(invite.sequence + (1 if changed else 0), floor)


def mail_message_enqueue(*, kind: str, resource_type: str, booking, client: Client, dedupe_key: str,
                         now: datetime, event_id: int | None = None) -> MailMessage | None:
    """Render and record one message; None when a message with this dedupe key exists (rendering the same
    event twice sends once). Messages of one booking are numbered one at a time (its invitation is locked)."""
    changed = kind != MailMessage.Kind.REMINDER
    with transaction.atomic():
        invite, sequence = _sequence(resource_type, booking, changed=changed, now=now)
        if MailMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        if sequence != invite.sequence:
            Invite.objects.filter(pk=invite.pk).update(sequence=sequence, updated_at=now)
        language = language_of(client)
        method = REQUEST if booking.is_holding else CANCEL
        sender_name, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
        with translation.override(language):
            calendar = ics.invitation(
                invite_event(resource_type, booking, sequence=sequence), method=method, stamp=now,
                organizer=sender, organizer_name=sender_name or texts.organizer_name(),
                attendee=client.email, attendee_name=booking.client_name)
            message = MailMessage(
                dedupe_key=dedupe_key, client=client, recipient=client.email, language=language, kind=kind,
                resource_type=resource_type, booking_id=booking.pk, event_id=event_id,
                subject=texts.subject(kind, resource_type=resource_type, booking=booking)[:300],
                body=texts.body(kind, resource_type=resource_type, booking=booking, name=booking.client_name,
                                cancels=method == CANCEL),
                calendar=calendar.decode(), method=method, sequence=sequence, next_attempt_at=now, created_at=now)
        message.save()
    return message


def mail_reminders_withdraw(*, resource_type: str, booking_id: int, reason: str) -> int:
    """The booking was cancelled, rejected or moved: its reminder not yet sent must not go out."""
    return MailMessage.objects.filter(
        kind=MailMessage.Kind.REMINDER, resource_type=resource_type, booking_id=booking_id,
        status__in=[MailMessage.Status.PENDING, MailMessage.Status.SENDING],
    ).update(status=MailMessage.Status.CANCELLED, last_error=reason[:500])
