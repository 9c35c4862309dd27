"""Outbox events → Telegram messages. New requests go to the managers with Approve/Reject, and they are told
of bookings made elsewhere and of clients' own cancellations; decisions, cancellations by someone else,
expiry and moves go to the client. Each message is a Delivery row (one per
event and recipient, so rendering twice sends once), attempted right after commit; what fails stays
pending for the retrying worker."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from accounts.services import managers_bootstrap
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations import texts
from integrations.consumers import events_to_worker
from integrations.delivery import deliveries_send_now, delivery_enqueue
from integrations.models import Delivery
from integrations.telegram.calendar_attachment import calendar_attachment_enqueue
from integrations.telegram.specialist_notices import specialist_notice_render
from kernel import rows
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.outbox.models import Event
from kernel.outbox.services import events_of
from kernel.pricing.labels import money_text
from payments.checkout import REASON_FAILED

logger = logging.getLogger(__name__)

SEND_NOW_TIMEOUT = 3.0
UNSETTLED = (Delivery.Status.PENDING, Delivery.Status.SENDING)
BOT_OF = {"equipment": Delivery.Bot.EQUIPMENT, "cabinet": Delivery.Bot.CABINET}
PREFIX_OF = {"equipment": "eq", "cabinet": "cab"}


def _load(event: Event):
    # One row by its key: no ordering to compile (`.first()` orders by the model's ordering, which cost more
    # CPU than the query after every booking).
    if event.resource_type == "equipment":
        found = (EquipmentBooking.objects.select_related("item", "requester")
                 .filter(pk=event.booking_id, cabinet_booking__isnull=True).order_by())
    elif event.resource_type == "cabinet":
        found = (CabinetBooking.objects.select_related("cabinet", "requester")
                 .prefetch_related("equipment_bookings__item").filter(pk=event.booking_id).order_by())
    else:
        return None
    return next(iter(found), None)


def _managers() -> list[TelegramAccount]:
    """The managers a message can go to (not blocked), in primary-key order."""
    if settings.MANAGERS:
        managers_bootstrap()
    return rows.select(TelegramAccount, where={"is_manager": True, "is_blocked": False})


def _card(event: Event, booking, *, for_manager: bool) -> str:
    if event.resource_type == "equipment":
        return texts.equipment_card(booking, for_manager=for_manager)
    return texts.cabinet_card(booking, for_manager=for_manager)


def _client_text(event: Event, booking) -> str | None:
    """What the client is told about this event, or None when they need not be told."""
    number = {"ref": booking.reference}
    reason = (event.payload or {}).get("reason") or ""
    if event.topic == Event.Topic.APPROVED:
        return _("✅ Your booking %(ref)s is approved!") % number
    if event.topic == Event.Topic.REJECTED:
        return _("❌ Your request %(ref)s is rejected.") % number
    if event.topic == Event.Topic.EXPIRED:
        return _("🚫 Your request %(ref)s was not confirmed in time and is cancelled.") % number
    if event.topic == Event.Topic.CANCELLED:
        if booking.requester and event.actor_label == Actor.telegram(booking.requester).label:
            return None  # they cancelled it themselves and saw the answer
        text = _("🚫 Your booking %(ref)s is cancelled by the clinic.") % number
        return text + (f"\n📝 {reason}" if reason and not booking.status_reason else "")
    if event.topic == Event.Topic.MOVED:
        return _("📅 Your booking %(ref)s has been moved. The new details:") % number
    return _payment_text(event, booking)


def _told_in_the_dialog(event: Event, booking) -> bool:
    """A payment the client made themselves is answered in the bot's dialog (integrations/telegram/bots/
    paying.py): a Telegram payment arrives as an update of the bot (its events carry the update's request id),
    a payment from the wallet is the client's own step."""
    by_client = booking.requester is not None and event.actor_label == Actor.telegram(booking.requester).label
    return by_client or (event.request_id or "").startswith("tg-")


def _payment_text(event: Event, booking) -> str | None:
    """What the client is told of their booking's money (the payments' topics), or None."""
    number = {"ref": booking.reference}
    payload = event.payload or {}
    if event.topic == Event.Topic.PAID:
        if _told_in_the_dialog(event, booking):
            return None
        return _("✅ The payment for booking %(ref)s is recorded.") % number
    if event.topic == Event.Topic.NOT_PAID:
        if payload.get("reason") == REASON_FAILED:  # payments.checkout.payment_failed
            return _("🚫 The payment for booking %(ref)s failed, so the booking is cancelled.") % number
        return _("🚫 Booking %(ref)s was not paid in time and is cancelled.") % number
    amount = money_text(Decimal(str(payload.get("amount") or "0")), payload.get("currency") or None)
    if event.topic == Event.Topic.REFUNDED:
        if payload.get("to") == "card":
            return _("💸 %(amount)s for booking %(ref)s is refunded to your card.") % {**number, "amount": amount}
        return _("💸 %(amount)s returned to your wallet for booking %(ref)s.") % {**number, "amount": amount}
    if event.topic == Event.Topic.PAID_LATE:
        if _told_in_the_dialog(event, booking):
            return None
        return _("⌛ The time to pay for booking %(ref)s had ended, so the money (%(amount)s) is in your wallet.") % {
            **number, "amount": amount}
    return None


def render_event(event: Event, *, now) -> list[int]:
    """Delivery rows for one event; returns their ids."""
    # The keyboards need python-telegram-bot (tens of MB): imported when an event is rendered, not by every
    # process that loads the apps (the audit command, the beat scheduler).
    from integrations.telegram import keyboards as kb
    from integrations.telegram.waitlist import render_wait_event  # its offers carry keyboards too

    payload = event.payload or {}
    if event.topic in (Event.Topic.WAITLIST_OFFERED, Event.Topic.WAITLIST_ENDED):
        return render_wait_event(event, now=now)
    if event.booking_id is None or payload.get("notify") is False or event.resource_type not in BOT_OF:
        return []
    managers = None
    if event.topic == Event.Topic.CREATED:
        # A booking just made is news for the managers only (its client made it and saw the answer): with no
        # manager to tell (or only the one who made it) there is nothing to render, nor a booking to read.
        managers = _managers()
        if not any(event.actor_label != Actor.telegram(manager).label for manager in managers):
            return []
    booking = _load(event)
    if booking is None:
        return []
    bot, prefix = BOT_OF[event.resource_type], PREFIX_OF[event.resource_type]
    ids: list[int] = []
    by_client = booking.requester is not None and event.actor_label == Actor.telegram(booking.requester).label
    if event.topic == Event.Topic.CREATED and payload.get("status") == Status.AWAITING_PAYMENT:
        return []  # not a request until it is paid: `booking.paid` tells the managers then
    if event.topic in (Event.Topic.CREATED, Event.Topic.PAID):
        # A booking just made, or paid (on as if just made): what the managers hear of depends on its status.
        ids = _as_created(event, booking, bot, prefix, now=now, managers=managers)
        if event.topic == Event.Topic.CREATED:
            return ids
    if event.topic == Event.Topic.APPROVAL_OVERDUE:
        if booking.status != "pending":
            return []  # decided meanwhile: nothing to remind of
        waited = int(payload.get("waited_minutes") or 0)

        def overdue() -> str:  # rendered in each manager's language
            return _("⏰ Request %(ref)s is still waiting for a decision (%(waited)s)") % {
                "ref": booking.reference, "waited": texts.duration_text(waited)}

        return _to_managers(event, booking, bot, overdue, now=now,
                            markup=lambda: kb.decision(prefix, booking.pk).to_dict())
    if event.topic == Event.Topic.CANCELLED and payload.get("from") == Status.AWAITING_PAYMENT:
        return []  # cancelled before it was paid: the managers never heard of it, the client cancelled it
    if event.topic == Event.Topic.CANCELLED and by_client:
        return _to_managers(event, booking, bot,
                            lambda: _("🚫 The client cancelled booking %(ref)s") % {"ref": booking.reference}, now=now)
    client = booking.requester
    if client is None:
        return ids
    with translation.override(client.language):
        headline = _client_text(event, booking)
        if headline is None:
            return ids
        cancellable = (event.topic in (Event.Topic.APPROVED, Event.Topic.MOVED)
                       and adapter_for(event.resource_type).can_cancel(booking=booking, actor=Actor.telegram(client),
                                                                       now=now))
        text = headline + "\n\n" + _card(event, booking, for_manager=False)
        markup = kb.booking_actions(prefix, booking.pk, cancellable=cancellable).to_dict()
    delivery = delivery_enqueue(bot=bot, chat_id=client.telegram_id, now=now, event_id=event.pk,
                                dedupe_key=f"event:{event.pk}:client:{client.telegram_id}",
                                payload={"text": text, "reply_markup": markup})
    if delivery is not None:
        ids.append(delivery.pk)
    if event.topic in (Event.Topic.APPROVED, Event.Topic.MOVED) and booking.is_holding:
        ids += calendar_attachment_enqueue(event=event, booking=booking, bot=bot, client=client, now=now)
    return ids


def _as_created(event: Event, booking, bot: str, prefix: str, *, now, managers=None) -> list[int]:
    """A pending request goes to the managers with Approve and Reject; a booking approved at once (by a manager,
    the admin or a partner, or paid when its requester's bookings need no decision) is news for them."""
    from integrations.telegram import keyboards as kb

    if booking.status == "pending":
        return _to_managers(event, booking, bot, lambda: _("🆕 New request %(ref)s") % {"ref": booking.reference},
                            now=now, markup=lambda: kb.decision(prefix, booking.pk).to_dict(), managers=managers)
    return _to_managers(event, booking, bot, lambda: _("📌 New booking %(ref)s (%(channel)s)") % {
        "ref": booking.reference, "channel": booking.get_channel_display()}, now=now, managers=managers)


def _to_managers(event: Event, booking, bot: str, headline, *, now, markup=None, managers=None) -> list[int]:
    """One delivery per manager (in their language), except the manager who made the change."""
    ids: list[int] = []
    for manager in _managers() if managers is None else managers:
        if event.actor_label == Actor.telegram(manager).label:
            continue
        with translation.override(manager.language):
            text = headline() + "\n\n" + _card(event, booking, for_manager=True)
            payload = {"text": text, **({"reply_markup": markup()} if markup else {})}
        delivery = delivery_enqueue(bot=bot, chat_id=manager.telegram_id, now=now, event_id=event.pk,
                                    dedupe_key=f"event:{event.pk}:manager:{manager.telegram_id}", payload=payload)
        if delivery is not None:
            ids.append(delivery.pk)
    return ids


def telegram_events_consume(event_ids: list[int]) -> None:
    """Outbox consumer: render the committed events, then try to send at once (short timeout); the events whose
    messages are not all sent are handed to the worker, which follows them up."""
    if not (settings.EQUIPMENT_BOT_TOKEN or settings.CABINET_BOT_TOKEN):
        return
    now = timezone.now()
    rendered: dict[int, int] = {}  # delivery id -> its event, in sending order
    failed: list[int] = []
    for event in events_of(event_ids):
        try:
            rendered.update(dict.fromkeys(render_event(event, now=now), event.pk))
            rendered.update(dict.fromkeys(specialist_notice_render(event, now=now), event.pk))
        except Exception:  # one bad event must not stop the others
            logger.exception("could not render outbox event %s for Telegram", event.pk)
            failed.append(event.pk)
    if rendered:
        outcomes = deliveries_send_now(list(rendered), timeout=SEND_NOW_TIMEOUT)
        # Only events with a message still to send are the worker's business: most bookings are sent in full
        # here, and handing every event to the broker cost the web process more than the booking itself.
        waiting = sorted({rendered[pk] for pk, status in outcomes.items() if status in UNSETTLED})
        if waiting:
            events_to_worker(waiting)
    if failed:  # the outbox hands these events over again later; delivery dedupe keys make that harmless
        raise RuntimeError(f"outbox events not rendered for Telegram: {failed}")
