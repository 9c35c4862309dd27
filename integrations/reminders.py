"""Reminders: REMINDER_HOURS_BEFORE before each approved booking starts, to the Telegram user who made it.

A cabinet booking starts at its first slot; a whole-day equipment booking at EQUIPMENT_DAY_STARTS (clinic
time) on its first day. A reminder is claimed with a conditional UPDATE of `reminder_sent_at` in the same
transaction that records its Delivery, so overlapping sweeps, retries and restarted workers send it once.
No reminder goes out for a booking made (or approved) after its reminder time, for a user who turned
reminders off, or once the booking is cancelled (see `reminders_withdraw`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking_site import metrics
from booking_site.bookings import Status
from cabinets.availability import clinic_zone
from cabinets.models import CabinetBooking
from equipment.attendance import equipment_starts_at
from equipment.models import EquipmentBooking
from integrations.delivery import bot_token, deliveries_cancel_pending, delivery_enqueue
from integrations.models import Delivery

logger = logging.getLogger(__name__)

EQUIPMENT, CABINET = "equipment", "cabinet"
BOTS = {EQUIPMENT: Delivery.Bot.EQUIPMENT, CABINET: Delivery.Bot.CABINET}
CALLBACK_PREFIX = {EQUIPMENT: "eq", CABINET: "cab"}


def remind_at(starts_at: datetime) -> datetime:
    return starts_at - timedelta(hours=settings.REMINDER_HOURS_BEFORE)


def dedupe_prefix(kind: str, booking_id: int) -> str:
    return f"reminder:{kind}:{booking_id}:"


@dataclass(frozen=True)
class Due:
    kind: str
    booking: CabinetBooking | EquipmentBooking
    starts_at: datetime


def _is_due(booking, starts_at: datetime, now: datetime) -> bool:
    at = remind_at(starts_at)
    made = max(booking.created_at, booking.decided_at or booking.created_at)
    # A booking made or approved after its reminder time was just confirmed to its owner: no reminder.
    return at <= now < starts_at and made <= at


def reminders_due(*, now: datetime) -> list[Due]:
    """Approved, not yet reminded bookings whose reminder time has come, of users who want reminders."""
    horizon = now + timedelta(hours=settings.REMINDER_HOURS_BEFORE)
    wants = {"status": Status.APPROVED, "reminder_sent_at__isnull": True, "requester__isnull": False,
             "requester__reminders_enabled": True, "requester__is_blocked": False}
    due: list[Due] = []
    if bot_token(BOTS[CABINET]):
        for booking in (CabinetBooking.objects.filter(starts_at__gt=now, starts_at__lte=horizon, **wants)
                        .select_related("cabinet", "requester").order_by("starts_at", "id")):
            if _is_due(booking, booking.starts_at, now):
                due.append(Due(CABINET, booking, booking.starts_at))
    if bot_token(BOTS[EQUIPMENT]):
        zone = clinic_zone()
        today, last = timezone.localtime(now, zone).date(), timezone.localtime(horizon, zone).date()
        for booking in (EquipmentBooking.objects.filter(start_date__gte=today, start_date__lte=last,
                                                        cabinet_booking__isnull=True, **wants)
                        .select_related("item", "requester").order_by("start_date", "id")):
            starts_at = equipment_starts_at(booking.start_date)
            if _is_due(booking, starts_at, now):
                due.append(Due(EQUIPMENT, booking, starts_at))
    return due


def _dates(first: date, last: date) -> str:
    return f"{first:%d.%m.%Y}" if first == last else f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"


def reminder_payload(due: Due) -> dict:
    """The message, in the requester's language, with "I will come" and Cancel buttons."""
    booking, zone = due.booking, clinic_zone()
    with translation.override(booking.requester.language):
        if due.kind == CABINET:
            start, end = timezone.localtime(booking.starts_at, zone), timezone.localtime(booking.ends_at, zone)
            text = _("⏰ Reminder: booking #%(id)s, %(cabinet)s, %(date)s %(start)s–%(end)s.") % {
                "id": booking.pk, "cabinet": booking.cabinet.name, "date": f"{start:%d.%m.%Y}",
                "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        else:
            text = _("⏰ Reminder: booking #%(id)s, %(item)s × %(units)s, %(dates)s (from %(time)s).") % {
                "id": booking.pk, "item": booking.item.name, "units": booking.units,
                "dates": _dates(booking.start_date, booking.end_date),
                "time": f"{timezone.localtime(due.starts_at, zone):%H:%M}"}
        prefix = CALLBACK_PREFIX[due.kind]
        keyboard = [[{"text": _("✅ I will come"), "callback_data": f"{prefix}:come:{booking.pk}"},
                     {"text": _("Cancel"), "callback_data": f"{prefix}:cancel:{booking.pk}"}]]
    return {"text": text, "reply_markup": {"inline_keyboard": keyboard}}


def reminder_claim(due: Due, *, now: datetime) -> Delivery | None:
    """Mark the booking reminded and record its message, both or neither. None if already claimed."""
    model = type(due.booking)
    with transaction.atomic():
        claimed = model.objects.filter(pk=due.booking.pk, status=Status.APPROVED,
                                       reminder_sent_at__isnull=True).update(reminder_sent_at=now)
        if not claimed:
            return None
        delivery = delivery_enqueue(
            bot=BOTS[due.kind], chat_id=due.booking.requester.telegram_id, payload=reminder_payload(due),
            dedupe_key=f"{dedupe_prefix(due.kind, due.booking.pk)}{int(due.starts_at.timestamp())}", now=now,
        )
    metrics.REMINDERS_SENT.labels(due.kind).inc()
    return delivery


def reminders_send_due(*, now: datetime) -> list[int]:
    """Claim every due reminder; returns the ids of the deliveries recorded (sent by the delivery sweep)."""
    delivery_ids = []
    for due in reminders_due(now=now):
        delivery = reminder_claim(due, now=now)
        if delivery is not None:
            delivery_ids.append(delivery.pk)
    if delivery_ids:
        logger.info("reminders: %s queued", len(delivery_ids))
    return delivery_ids


def reminders_withdraw(*, kind: str, booking_id: int, reason: str) -> int:
    """The booking was cancelled, rejected or moved: a reminder not yet sent must not go out."""
    return deliveries_cancel_pending(dedupe_prefix=dedupe_prefix(kind, booking_id), reason=reason)
