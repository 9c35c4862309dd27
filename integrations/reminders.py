"""Reminders: REMINDER_HOURS_BEFORE before each approved booking starts, to the Telegram user who made it.

A cabinet booking starts at its first slot; a whole-day equipment booking at EQUIPMENT_DAY_STARTS (clinic
time) on its first day (`equipment.rules.booking_starts_at`, the start the cancel deadline uses too).
Reminders are claimed in batches: the bookings still due are locked and their `reminder_sent_at` set in the
same transaction that records their Deliveries, so overlapping sweeps, retries and restarted workers send each once.
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

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from equipment.rules import booking_starts_at as equipment_starts_at
from integrations.delivery import bot_token, deliveries_cancel_pending, deliveries_enqueue
from integrations.models import Delivery
from kernel import metrics
from kernel.bookings import Status
from kernel.clock import clinic_zone

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


def reminder_is_due(booking, starts_at: datetime, now: datetime) -> bool:
    """Whether a booking starting at `starts_at` is to be reminded of now, by Telegram or by e-mail."""
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
            if reminder_is_due(booking, booking.starts_at, now):
                due.append(Due(CABINET, booking, booking.starts_at))
    if bot_token(BOTS[EQUIPMENT]):
        zone = clinic_zone()
        today, last = timezone.localtime(now, zone).date(), timezone.localtime(horizon, zone).date()
        for booking in (EquipmentBooking.objects.filter(start_date__gte=today, start_date__lte=last,
                                                        cabinet_booking__isnull=True, **wants)
                        .select_related("item", "requester").order_by("start_date", "id")):
            starts_at = equipment_starts_at(booking)
            if reminder_is_due(booking, starts_at, now):
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
            text = _("⏰ Reminder: booking %(ref)s, %(cabinet)s, %(date)s %(start)s–%(end)s.") % {
                "ref": booking.reference, "cabinet": booking.cabinet.name, "date": f"{start:%d.%m.%Y}",
                "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        else:
            text = _("⏰ Reminder: booking %(ref)s, %(item)s × %(units)s, %(dates)s (from %(time)s).") % {
                "ref": booking.reference, "item": booking.item.name, "units": booking.units,
                "dates": _dates(booking.start_date, booking.end_date),
                "time": f"{timezone.localtime(due.starts_at, zone):%H:%M}"}
        prefix = CALLBACK_PREFIX[due.kind]
        keyboard = [[{"text": _("✅ I will come"), "callback_data": f"{prefix}:come:{booking.pk}"},
                     {"text": _("Cancel"), "callback_data": f"{prefix}:cancel:{booking.pk}"}]]
    return {"text": text, "reply_markup": {"inline_keyboard": keyboard}}


CLAIM_BATCH = 200


def _dedupe_key(due: Due) -> str:
    return f"{dedupe_prefix(due.kind, due.booking.pk)}{int(due.starts_at.timestamp())}"


def reminders_claim(dues: list[Due], *, now: datetime) -> list[int]:
    """Mark these bookings (all of one kind) reminded and record their messages, both or neither, in one
    transaction: the bookings still approved and not yet reminded are locked (in primary-key order) and
    updated together, so an overlapping sweep waits and then finds them claimed. Returns the ids of the
    deliveries recorded, in the order of `dues`."""
    if not dues:
        return []
    kinds = {due.kind for due in dues}
    if len(kinds) != 1:
        raise ValueError("reminders are claimed one kind at a time")
    model = type(dues[0].booking)
    with transaction.atomic():
        claimable = (model.objects.select_for_update().filter(
            pk__in=[due.booking.pk for due in dues], status=Status.APPROVED, reminder_sent_at__isnull=True)
            .order_by("pk").values_list("pk", flat=True))
        claimed = set(claimable)
        if not claimed:
            return []
        model.objects.filter(pk__in=claimed).update(reminder_sent_at=now)
        mine = [due for due in dues if due.booking.pk in claimed]
        delivery_ids = deliveries_enqueue(
            [{"bot": BOTS[due.kind], "chat_id": due.booking.requester.telegram_id, "payload": reminder_payload(due),
              "dedupe_key": _dedupe_key(due)} for due in mine], now=now)
    metrics.REMINDERS_SENT.labels(kinds.pop()).inc(len(mine))
    return delivery_ids


def reminders_send_due(*, now: datetime, batch: int = CLAIM_BATCH) -> list[int]:
    """Claim every due reminder, `batch` at a time; returns the ids of the deliveries recorded (sent by the
    delivery sweep)."""
    delivery_ids: list[int] = []
    due = reminders_due(now=now)
    for kind in (CABINET, EQUIPMENT):
        of_kind = [d for d in due if d.kind == kind]
        for start in range(0, len(of_kind), batch):
            delivery_ids += reminders_claim(of_kind[start:start + batch], now=now)
    if delivery_ids:
        logger.info("reminders: %s queued", len(delivery_ids))
    return delivery_ids


def reminders_withdraw(*, kind: str, booking_id: int, reason: str) -> int:
    """The booking was cancelled, rejected or moved: a reminder not yet sent must not go out."""
    return deliveries_cancel_pending(dedupe_prefix=dedupe_prefix(kind, booking_id), reason=reason)
