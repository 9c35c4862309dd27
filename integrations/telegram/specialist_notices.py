"""What a specialist with a Telegram id is told in the cabinet bot: a notice for each new, moved or cancelled
appointment of theirs (one Delivery row per event, deduplicated like every other notification), and the lines
of their /schedule. A specialist sees the client's first name and the last digits of the phone only."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from integrations import texts
from integrations.delivery import delivery_enqueue
from integrations.models import Delivery
from kernel.outbox.models import Event

CANCELLED_TOPICS = (Event.Topic.CANCELLED, Event.Topic.REJECTED, Event.Topic.EXPIRED)
# An appointment awaiting its payment is nothing yet for its specialist: paid (`booking.paid`), it is new; never
# paid (`booking.not_paid`), nothing is said.
NEW_TOPICS = (Event.Topic.CREATED, Event.Topic.PAID)
NOTICE_TOPICS = (*NEW_TOPICS, Event.Topic.MOVED, *CANCELLED_TOPICS)


def never_paid(event: Event) -> bool:
    """An event of an appointment that was never paid: made awaiting its payment, or ended before it was paid."""
    payload = event.payload or {}
    return ((event.topic == Event.Topic.CREATED and payload.get("status") == "awaiting_payment")
            or (event.topic in CANCELLED_TOPICS and payload.get("from") == "awaiting_payment"))


def masked_phone(e164: str) -> str:
    """'+79991234567' -> '•••45-67': enough to tell two clients apart, not enough to call them."""
    digits = "".join(ch for ch in e164 or "" if ch.isdigit())
    return f"•••{digits[-4:-2]}-{digits[-2:]}" if len(digits) >= 4 else ""


def client_for_specialist(booking) -> str:
    first = (booking.client_name or "").split()
    name = first[0] if first else ""
    phone = masked_phone(booking.client_phone)
    return f"{name}, {phone}" if name and phone else name or phone


def appointment_line(booking) -> str:
    """10:00–11:00 · УЗИ брюшной полости · Кабинет 1 · Мария, •••45-67"""
    parts = [f"{texts.hhmm(booking.starts_at)}–{texts.hhmm(booking.ends_at)}", booking.service.name,
             booking.cabinet.name, client_for_specialist(booking)]
    return " · ".join(part for part in parts if part)


def _headline(event: Event, booking) -> str:
    number = {"ref": booking.reference}
    if event.topic in NEW_TOPICS:
        return _("🆕 New appointment %(ref)s") % number
    if event.topic == Event.Topic.MOVED:
        return _("📅 Appointment %(ref)s has been moved. The new time:") % number
    return _("🚫 Appointment %(ref)s is cancelled") % number


def specialist_notice_render(event: Event, *, now) -> list[int]:
    """The Delivery row telling the appointment's specialist of this event (ids; none when there is nothing to
    tell or nobody to tell)."""
    if (event.resource_type != "cabinet" or event.booking_id is None or event.topic not in NOTICE_TOPICS
            or (event.payload or {}).get("notify") is False
            or never_paid(event)):
        return []
    booking = (CabinetBooking.objects.select_related("cabinet", "service", "specialist")
               .filter(pk=event.booking_id, specialist__isnull=False, service__isnull=False).first())
    if booking is None or not booking.specialist.telegram_id:
        return []
    chat_id = booking.specialist.telegram_id
    account = TelegramAccount.objects.filter(telegram_id=chat_id).first()
    with translation.override(account.language if account else settings.LANGUAGE_CODE):
        lines = [_headline(event, booking), "",
                 f"📅 {texts.day_text(texts.local(booking.starts_at).date())} " + appointment_line(booking)]
    delivery = delivery_enqueue(bot=Delivery.Bot.CABINET, chat_id=chat_id, now=now, event_id=event.pk,
                                dedupe_key=f"event:{event.pk}:specialist:{chat_id}",
                                payload={"text": "\n".join(lines)})
    return [delivery.pk] if delivery is not None else []
