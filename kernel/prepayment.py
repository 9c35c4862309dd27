"""Prepayment as every booking shares it: whether a booking being made waits for its payment, how long it holds
its place meanwhile, and what happens to money when a booking stops holding its place.

The kernel takes no payment. A booking of a resource marked `prepayment_required`, made by a client through a
bot or the booking page with Telegram Payments configured (PAYMENT_PROVIDER_TOKEN) and a total above zero,
is created `awaiting_payment`: it holds its capacity and its discount for PAYMENT_HOLD_MINUTES and is no
request for the managers yet. The app that takes payments (payments/) moves it on when paid, and registers a
`Settlement` here from its `AppConfig.ready()` (as pricing's package source is registered), which
`booking_transition` calls in the booking's transaction whenever a booking is cancelled or rejected: there its
payments are closed and refunds made, each exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.bookings import Status
from kernel.channels import Actor, Channel

# The doors a client pays through: the bots and the booking page (Telegram Payments).
PAYING_CHANNELS = (Channel.BOT, Channel.WEBAPP)


def prepayment_required_field() -> models.BooleanField:
    """The flag an item, a cabinet or a service carries: its clients pay before booking (`prepayment_due`)."""
    return models.BooleanField(
        _("prepayment required"), default=False,
        help_text=_("Clients booking in a bot or on the booking page pay online first (with Telegram Payments "
                    "configured); otherwise they pay at the clinic."))


def payments_enabled() -> bool:
    """Whether the clinic takes payments through Telegram (PAYMENT_PROVIDER_TOKEN is set). Without it no
    booking waits for payment, whatever its resource says: clients pay at the clinic."""
    return bool(settings.PAYMENT_PROVIDER_TOKEN)


def prepayment_due(*, actor: Actor, channel: str, required: bool, total: Decimal) -> bool:
    """Whether a booking being made waits for its payment: its resource requires prepayment, payments are on,
    something is left to pay (a package session or a free service is not paid for), and a client makes it in
    a door that can take the payment. Managers, staff, partners and the system never prepay here (a partner
    invoices its clients itself; a manager can mark a booking paid in cash)."""
    return (required and total > 0 and payments_enabled() and channel in PAYING_CHANNELS
            and actor.account is not None and not actor.account.is_manager and actor.partner is None)


def payment_hold_start(*, booking, now: datetime) -> None:
    """Inside the creating transaction, after the price is stored and before `booking_created`: the booking just
    inserted waits for its payment instead of a decision."""
    booking.status = Status.AWAITING_PAYMENT
    booking.decided_by, booking.decided_at, booking.updated_at = "", None, now
    type(booking).objects.filter(pk=booking.pk).update(status=booking.status, decided_by="", decided_at=None,
                                                        updated_at=now)


def payment_hold() -> timedelta:
    return timedelta(minutes=settings.PAYMENT_HOLD_MINUTES)


def payment_due_by(booking) -> datetime:
    """Until when a booking awaiting payment holds its place."""
    return booking.created_at + payment_hold()


def payment_hold_expired(now: datetime) -> Q:
    """Bookings whose time to pay is over (the sweep ends them as not paid)."""
    return Q(status=Status.AWAITING_PAYMENT, created_at__lte=now - payment_hold())


def status_once_paid(booking, *, now: datetime) -> str:
    """What a paid booking becomes: what it would have been made as (kernel.lifecycle.initial_status for its
    requester), approved or pending for the managers."""
    from kernel.lifecycle import initial_status

    return initial_status(Actor.telegram(booking.requester) if booking.requester_id else Actor.system(),
                          client_phone=booking.client_phone, now=now)


class Settlement(Protocol):
    def booking_ended(self, *, booking, resource_type: str, from_status: str, to_status: str, actor: Actor,
                      reason: str, now: datetime) -> None:
        """`booking` (locked, in its transaction) was just cancelled or rejected: close its open payments and
        refund what the policy says, each once."""


_settlement: Settlement | None = None


def register(settlement: Settlement) -> None:
    global _settlement
    _settlement = settlement


def unregister() -> None:
    global _settlement
    _settlement = None


def booking_ended(*, booking, resource_type: str, from_status: str, to_status: str, actor: Actor, reason: str,
                  now: datetime) -> None:
    if _settlement is not None:
        _settlement.booking_ended(booking=booking, resource_type=resource_type, from_status=from_status,
                                  to_status=to_status, actor=actor, reason=reason, now=now)
