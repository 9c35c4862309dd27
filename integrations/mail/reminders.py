"""E-mail reminders: REMINDER_HOURS_BEFORE before an approved booking starts, to its client's address, with the
booking's invitation (the same SEQUENCE as the last message: nothing changed). When a booking is reminded of is
the Telegram reminders' rule (`integrations.reminders.reminder_is_due`, the start as the resource's rules say);
a client whose Telegram account has reminders turned off is not reminded by e-mail either.

A reminder is recorded once per booking and start (its dedupe key): overlapping sweeps and retries create it
once; a moved booking is reminded of its new time; a cancelled or moved booking's reminder still waiting is
withdrawn (integrations.mail.consumer)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.mail.consumer import mail_messages_to_worker
from integrations.mail.messages import CABINET, EQUIPMENT, bookings_with_address, mail_message_enqueue
from integrations.mail.models import MailMessage
from integrations.reminders import reminder_is_due
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.clock import clinic_zone

logger = logging.getLogger(__name__)

# A client without a Telegram account, or with reminders on.
WANTS_REMINDERS = Q(client__telegram_account__isnull=True) | Q(client__telegram_account__reminders_enabled=True)


def dedupe_key(resource_type: str, booking_id: int, starts_at: datetime) -> str:
    return f"mail:reminder:{resource_type}:{booking_id}:{int(starts_at.timestamp())}"


def _candidates(now: datetime) -> list[tuple[str, object]]:
    """Approved bookings starting within the reminder window whose client has an address."""
    now = now.astimezone(UTC)  # hours ahead are real hours, whatever the zone `now` was given in
    horizon = now + timedelta(hours=settings.REMINDER_HOURS_BEFORE)
    zone = clinic_zone()
    today, last = timezone.localtime(now, zone).date(), timezone.localtime(horizon, zone).date()
    windows = {CABINET: {"starts_at__gt": now, "starts_at__lte": horizon},
               EQUIPMENT: {"start_date__gte": today, "start_date__lte": last}}
    return [(resource_type, booking) for resource_type, window in windows.items()
            for booking in bookings_with_address(resource_type, WANTS_REMINDERS, status=Status.APPROVED, **window)]


def mail_reminders_queue(*, now: datetime) -> list[int]:
    """Record every reminder due now and not yet recorded; returns the ids of the new messages."""
    due = []
    for resource_type, booking in _candidates(now):
        starts_at = adapter_for(resource_type).booking_starts_at(booking)
        if reminder_is_due(booking, starts_at, now):
            due.append((resource_type, booking, dedupe_key(resource_type, booking.pk, starts_at)))
    recorded = set(MailMessage.objects.filter(dedupe_key__in=[key for _r, _b, key in due])
                   .values_list("dedupe_key", flat=True))
    created = []
    for resource_type, booking, key in due:
        if key in recorded:
            continue
        message = mail_message_enqueue(kind=MailMessage.Kind.REMINDER, resource_type=resource_type, booking=booking,
                                       client=booking.client, dedupe_key=key, now=now)
        if message is not None:
            created.append(message.pk)
    if created:
        logger.info("e-mail reminders: %s queued", len(created))
        mail_messages_to_worker(created)
    return created
