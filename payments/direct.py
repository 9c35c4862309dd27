"""Payments that need no invoice: a booking awaiting payment paid from the client's wallet when it covers the
total, and cash a manager records at the desk. Both move a booking awaiting payment on, as a Telegram payment
does (payments.checkout)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kernel import metrics
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.prepayment import status_once_paid
from kernel.pricing.labels import money_text
from payments.checkout import Method, Purpose, State, booking_locked, check_awaiting, moved_on, total_due
from payments.models import Payment, WalletTransaction
from payments.wallets import BookingRef, wallet_balance, wallet_post


def wallet_covers(booking, total: Decimal) -> bool:
    """Whether the wallet of `booking`'s client holds `total` (more than 0): then paying from it is offered
    beside paying online, in the bots and on the booking page."""
    return total > 0 and bool(booking.client_id) and wallet_balance(Client(pk=booking.client_id)) >= total


def paid_total(*, resource_type: str, booking_id: int) -> Decimal:
    """What was paid for a booking and not given back."""
    total = Decimal("0.00")
    for amount, refunded in Payment.objects.filter(purpose=Purpose.BOOKING, resource_type=resource_type,
                                                   booking_id=booking_id, state__in=(State.PAID, State.REFUNDED)
                                                   ).values_list("amount", "refunded_amount"):
        total += amount - refunded
    return total


@transaction.atomic
def pay_from_wallet(*, booking, resource_type: str, actor: Actor, channel: str, now: datetime) -> Payment:
    """Pay a booking awaiting payment from its client's wallet, when the balance covers the total: a `payment`
    transaction and a paid row under one key per booking, then the booking moves on."""
    booking = booking_locked(resource_type, booking.pk)
    check_awaiting(booking, now=now)
    if actor.account is not None and not actor.is_manager and booking.requester_id != actor.account.pk:
        raise BookingError("forbidden", _("You can pay only for your own bookings."))
    total = total_due(booking, resource_type)
    key = f"wallet:{resource_type}:{booking.pk}"
    try:
        posted = wallet_post(client=Client(pk=booking.client_id), kind=WalletTransaction.Kind.PAYMENT,
                             amount=-total, reason=str(_("Payment for %(ref)s") % {"ref": booking.reference}),
                             actor=actor, idempotency_key=key, now=now, booking=BookingRef(resource_type, booking.pk))
    except BookingError as refusal:
        if refusal.code != "wallet_insufficient":
            raise
        raise BookingError("wallet_insufficient", _("Your wallet holds %(balance)s and booking %(ref)s costs "
                                                    "%(total)s: pay it online instead.")
                           % {"balance": money_text(Decimal(refusal.details["balance"])), "ref": booking.reference,
                              "total": money_text(total)}, **refusal.details) from refusal
    payment = Payment.objects.create(
        purpose=Purpose.BOOKING, method=Method.WALLET, state=State.PAID, client_id=booking.client_id,
        resource_type=resource_type, booking_id=booking.pk, amount=total, currency=settings.CURRENCY,
        wallet_transaction=posted, actor=actor.label[:200], idempotency_key=key, created_at=now, updated_at=now,
        paid_at=now)
    transaction.on_commit(lambda: metrics.PAYMENTS.labels(State.PAID, Method.WALLET).inc())
    moved_on(booking, payment, channel=channel, now=now)
    return payment


@transaction.atomic
def mark_paid_in_cash(*, booking, resource_type: str, actor: Actor, now: datetime, idempotency_key: str,
                      note: str = "") -> Payment:
    """A manager records that the client paid the booking's total in cash. A booking awaiting payment moves on
    as if just made; a booking paid at the clinic (no prepayment) gets its payment recorded."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can mark a booking paid."))
    earlier = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None:
        if (earlier.resource_type, earlier.booking_id) != (resource_type, booking.pk):
            raise BookingError("idempotency_conflict", _("This operation key was already used for another booking."))
        return earlier
    booking = booking_locked(resource_type, booking.pk)
    if booking is None:
        raise BookingError("not_found")
    if booking.status not in (Status.AWAITING_PAYMENT, Status.PENDING, Status.APPROVED, Status.COMPLETED):
        raise BookingError("payment_not_due", _("Booking %(ref)s is %(status)s: there is nothing to pay.")
                           % {"ref": booking.reference, "status": Status(booking.status).label.lower()})
    total = total_due(booking, resource_type)
    if paid_total(resource_type=resource_type, booking_id=booking.pk) >= total:
        raise BookingError("payment_not_due", _("Booking %(ref)s is already paid.") % {"ref": booking.reference})
    payment = Payment.objects.create(
        purpose=Purpose.BOOKING, method=Method.CASH, state=State.PAID, client_id=booking.client_id,
        resource_type=resource_type, booking_id=booking.pk, amount=total, currency=settings.CURRENCY,
        note=(note or "")[:500], actor=actor.label[:200], idempotency_key=idempotency_key, created_at=now,
        updated_at=now, paid_at=now)
    transaction.on_commit(lambda: metrics.PAYMENTS.labels(State.PAID, Method.CASH).inc())
    if booking.status == Status.AWAITING_PAYMENT:
        adapter_for(resource_type).status_change(
            booking=booking, to_status=status_once_paid(booking, now=now), actor=actor, channel=Channel.ADMIN,
            now=now, reason=str(_("paid in cash")), topic=Event.Topic.PAID)
    return payment

