"""Paying for a booking, as a saga. A booking of a resource that requires prepayment is made `awaiting_payment`
(kernel.prepayment): it holds its capacity and its discount for PAYMENT_HOLD_MINUTES. Then one of:

- **paid** (Telegram Payments' `successful_payment`, the client's wallet, or cash marked by a manager): the
  payment row becomes `paid` with both charge ids, and the booking moves on as if it had just been made
  (approved, or pending with the managers' request message), outbox topic `booking.paid`;
- **not paid** (the hold expired, the payment failed or was refused, or the client cancelled first): the
  booking is cancelled (`booking.not_paid`) and every step it took is undone, each exactly once: its capacity
  (the status change frees it), its discount (`booking_price_release` claims the return once), a package
  session (derived from the booking's status, nothing to give back twice), a wallet charge (a refund under one
  key); its open payment rows become `cancelled` or `failed`.

Every entry point is idempotent: a repeated `pre_checkout_query` or `successful_payment` update finds the row it
already wrote (by payload and by Telegram's charge id, both unique), and money arriving for a booking whose hold
has ended is credited to the client's wallet (`payment.late`) instead of confirming anything. Refunds follow
the booking (payments/refunds.py)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kernel import locking, metrics
from kernel.adapters import adapter_for, adapters
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import bookings_sweep
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from kernel.prepayment import payment_due_by, payment_hold_expired, payments_enabled, status_once_paid
from kernel.pricing.labels import label_text
from kernel.pricing.services import booking_price
from payments.models import Payment, WalletTransaction
from payments.wallets import BookingRef, wallet_post

logger = logging.getLogger(__name__)

State, Method, Purpose = Payment.State, Payment.Method, Payment.Purpose
OPEN = (State.CREATED, State.PENDING)
REASON_NOT_PAID, REASON_FAILED = "not paid in time", "payment failed"
# Currencies Telegram counts without minor units (its currencies.json "exp": 0); every other one has two.
NO_MINOR_UNITS = frozenset({"CLP", "ISK", "JPY", "KRW", "PYG", "UGX", "VND"})


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount in the smallest units of its currency, as Telegram counts prices (`total_amount`)."""
    return int(amount if currency in NO_MINOR_UNITS else amount * 100)


@dataclass(frozen=True)
class Invoice:
    """What a door sends Telegram (`sendInvoice`, `createInvoiceLink`) for one payment attempt."""

    payment: Payment
    title: str
    description: str
    payload: str
    currency: str
    prices: list[tuple[str, int]]  # (label, amount in minor units), adding up to the total

    @property
    def total(self) -> int:
        return sum(amount for _label, amount in self.prices)


def new_payload() -> str:
    return f"p.{secrets.token_urlsafe(24)}"


def booking_locked(resource_type: str, booking_id: int):
    """The booking's row, locked (kernel.locking: the tests' negative controls switch it off)."""
    return locking.lock(adapter_for(resource_type).booking_model, [booking_id]).get(booking_id)


def _payment_locked(payload: str) -> Payment | None:
    """The attempt an update names, locked after its booking (the order a cancellation takes them in: booking,
    then its payments), so the two never wait for each other in a circle."""
    found = Payment.objects.filter(invoice_payload=payload).values_list("pk", "purpose", "resource_type",
                                                                        "booking_id").first()
    if found is None:
        return None
    pk, purpose, resource_type, booking_id = found
    if purpose == Purpose.BOOKING:
        booking_locked(resource_type, booking_id)
    return locking.lock(Payment, [pk]).get(pk)


def _booking_ref(payment: Payment) -> BookingRef | None:
    return BookingRef(payment.resource_type, payment.booking_id) if payment.booking_id else None


def _state(payment: Payment, state: str, *, now: datetime, note: str = "") -> None:
    payment.state, payment.updated_at = state, now
    fields = ["state", "updated_at"]
    if note:
        payment.note = str(note)[:500]
        fields.append("note")
    payment.save(update_fields=fields)
    transaction.on_commit(lambda: metrics.PAYMENTS.labels(state, payment.method).inc())


def check_awaiting(booking, *, now: datetime) -> None:
    if booking is None or booking.status != Status.AWAITING_PAYMENT:
        raise BookingError("payment_not_due")
    if payment_due_by(booking) <= now:
        raise BookingError("payment_not_due", _("The time to pay for booking %(ref)s is over.")
                           % {"ref": booking.reference})


def total_due(booking, resource_type: str) -> Decimal:
    price = booking_price(resource_type=resource_type, booking_id=booking.pk)
    if price is None or price.total <= 0:
        raise BookingError("payment_not_due", _("Booking %(ref)s has nothing to pay.") % {"ref": booking.reference})
    return price.total


def invoice_lines(booking, resource_type: str) -> list[tuple[str, int]]:
    """The booking's stored price lines as an invoice's prices: one per line that moves money (a discount is a
    negative line), in the order they were priced; they add up to the total."""
    price = booking_price(resource_type=resource_type, booking_id=booking.pk)
    lines = [(str(label_text(line.label, line.params))[:64] or "—", minor_units(line.amount, price.currency))
             for line in price.lines if line.amount]
    return [(label, amount) for label, amount in lines if amount]


@transaction.atomic
def invoice_open(*, booking, resource_type: str, what: str, now: datetime, actor: Actor,
                 telegram_id: int | None = None) -> Invoice:
    """A new payment attempt (`created`) for a booking awaiting payment, and the invoice to send for it: each
    invoice its own row and payload, so whichever is paid is recorded as itself. `what` is the booking as the
    door names it (the invoice's description)."""
    if not payments_enabled():
        raise BookingError("payments_off")
    booking = booking_locked(resource_type, booking.pk)
    check_awaiting(booking, now=now)
    total = total_due(booking, resource_type)
    payment = _attempt(booking, resource_type, total=total, actor=actor, telegram_id=telegram_id, now=now)
    title = str(_("Booking %(ref)s") % {"ref": booking.reference})
    return Invoice(payment=payment, title=title[:32], description=what[:255], payload=payment.invoice_payload,
                   currency=payment.currency, prices=invoice_lines(booking, resource_type))


def _attempt(booking, resource_type: str, *, total: Decimal, actor: Actor, telegram_id, now: datetime) -> Payment:
    payment = Payment.objects.create(
        purpose=Purpose.BOOKING, method=Method.TELEGRAM, state=State.CREATED, client_id=booking.client_id,
        resource_type=resource_type, booking_id=booking.pk, amount=total, currency=settings.CURRENCY,
        invoice_payload=new_payload(), telegram_id=telegram_id, actor=actor.label[:200], created_at=now,
        updated_at=now)
    transaction.on_commit(lambda: metrics.PAYMENTS.labels(State.CREATED, Method.TELEGRAM).inc())
    return payment


def pre_checkout(*, payload: str, currency: str, total_amount: int, now: datetime) -> str | None:
    """Telegram asks whether a payment may go ahead: None (answer ok) while its booking still awaits payment and
    the amount and currency are the invoice's, else the message to show the client (answer ok=false). A
    repeated query answers the same; an accepted one leaves its row `pending`."""
    with transaction.atomic():
        payment = _payment_locked(payload)
        if payment is None:
            return str(_("This invoice is not known: ask for a new one."))
        if payment.state not in OPEN:
            return str(_("This invoice is already paid or no longer valid."))
        if currency != payment.currency or total_amount != minor_units(payment.amount, payment.currency):
            return str(_("The amount does not match the invoice: ask for a new one."))
        if payment.purpose == Purpose.BOOKING:
            booking = booking_locked(payment.resource_type, payment.booking_id)
            try:
                check_awaiting(booking, now=now)
            except BookingError as refusal:
                return str(refusal.message)
        if payment.state == State.CREATED:
            _state(payment, State.PENDING, now=now)
    return None


@dataclass(frozen=True)
class Received:
    """What a `successful_payment` did: `paid` (the booking moved on, or the top-up or package is credited),
    `repeat` (this charge was recorded before), `late` (the booking's hold had ended: credited to the wallet)."""

    outcome: str
    payment: Payment | None
    booking_status: str = ""


def payment_received(*, payload: str, currency: str, total_amount: int, telegram_charge_id: str,
                     provider_charge_id: str, now: datetime, channel: str = Channel.BOT,
                     telegram_id: int | None = None) -> Received:
    """Record money Telegram says was paid (`successful_payment`) and move its booking on, exactly once."""
    try:
        with transaction.atomic():
            return _received(payload=payload, currency=currency, total_amount=total_amount,
                             telegram_charge_id=telegram_charge_id, provider_charge_id=provider_charge_id, now=now,
                             channel=channel, telegram_id=telegram_id)
    except IntegrityError:
        # The same charge recorded at this instant by a second delivery of the update: that one won.
        earlier = Payment.objects.filter(telegram_payment_charge_id=telegram_charge_id).first()
        if earlier is None:
            raise
        return Received("repeat", earlier, _status_of(earlier))


def _status_of(payment: Payment) -> str:
    if payment.purpose != Purpose.BOOKING:
        return ""
    booking = adapter_for(payment.resource_type).booking_model.objects.filter(pk=payment.booking_id).first()
    return booking.status if booking is not None else ""


def _received(*, payload, currency, total_amount, telegram_charge_id, provider_charge_id, now, channel,
              telegram_id) -> Received:
    payment = _payment_locked(payload)
    earlier = Payment.objects.filter(telegram_payment_charge_id=telegram_charge_id).first()
    if earlier is not None:
        return Received("repeat", earlier, _status_of(earlier))
    if payment is None:
        logger.error("payments: a successful payment for an unknown invoice (charge %s)", telegram_charge_id)
        return Received("unknown", None)
    if payment.state in (State.PAID, State.REFUNDED):
        # The invoice was paid once already and money came again: a new attempt row, kept. (An attempt that
        # was closed unpaid, its booking's hold over, is the one paid: it records the money itself.)
        payment = Payment.objects.create(
            purpose=payment.purpose, method=Method.TELEGRAM, state=State.CREATED, client_id=payment.client_id,
            resource_type=payment.resource_type, booking_id=payment.booking_id, product_id=payment.product_id,
            amount=payment.amount, currency=payment.currency, actor=payment.actor, created_at=now, updated_at=now)
    paid = Decimal(total_amount) / (1 if currency in NO_MINOR_UNITS else 100)
    matches = currency == payment.currency and minor_units(payment.amount, currency) == total_amount
    payment.telegram_payment_charge_id = telegram_charge_id
    payment.provider_payment_charge_id = (provider_charge_id or "")[:200]
    payment.telegram_id = telegram_id or payment.telegram_id
    payment.paid_at = now
    if not matches:
        payment.note = str(_("Paid %(paid)s %(currency)s instead of the invoice's amount.")
                           % {"paid": paid, "currency": currency})[:500]
        if currency == payment.currency and paid > 0:
            payment.amount = paid
    payment.save(update_fields=["telegram_payment_charge_id", "provider_payment_charge_id", "telegram_id",
                                "paid_at", "note", "amount"])
    _state(payment, State.PAID, now=now)
    if payment.purpose == Purpose.TOPUP:
        _credit(payment, kind=WalletTransaction.Kind.DEPOSIT, key=f"topup:{payment.pk}", now=now,
                reason=_("Top-up through Telegram"))
        return Received("paid", payment)
    if payment.purpose == Purpose.PACKAGE:
        from payments.packages import package_bought_online

        package_bought_online(payment=payment, now=now)
        return Received("paid", payment)
    booking = booking_locked(payment.resource_type, payment.booking_id)
    if booking is not None and booking.status == Status.AWAITING_PAYMENT and matches:
        moved_on(booking, payment, channel=channel, now=now)
        return Received("paid", payment, booking.status)
    _paid_late(payment, booking, now=now)
    return Received("late", payment, booking.status if booking is not None else "")


def moved_on(booking, payment: Payment, *, channel: str, now: datetime) -> None:
    """The booking is paid: on as if it had just been made."""
    actor = Actor.telegram(booking.requester) if booking.requester_id else Actor.system()
    adapter_for(payment.resource_type).status_change(
        booking=booking, to_status=status_once_paid(booking, now=now), actor=actor, channel=channel, now=now,
        reason=str(_("paid")), topic=Event.Topic.PAID)


def _credit(payment: Payment, *, kind: str, key: str, now: datetime, reason) -> WalletTransaction:
    from accounts.models import Client

    posted = wallet_post(client=Client(pk=payment.client_id), kind=kind, amount=payment.amount, reason=str(reason),
                         actor=Actor.system(), idempotency_key=key, now=now, booking=_booking_ref(payment))
    payment.wallet_transaction = posted
    payment.save(update_fields=["wallet_transaction"])
    return posted


def _paid_late(payment: Payment, booking, *, now: datetime) -> None:
    """Money for a booking that no longer awaits it (its hold ended, it was cancelled, or the amount was not the
    invoice's): nothing is confirmed; the money goes to the client's wallet and the client is told."""
    reference = booking.reference if booking is not None else payment.booking_reference
    _credit(payment, kind=WalletTransaction.Kind.DEPOSIT, key=f"late:{payment.pk}", now=now,
            reason=_("Payment for %(ref)s came after its time to pay ended") % {"ref": reference})
    event_record(topic=Event.Topic.PAID_LATE, resource_type=payment.resource_type, booking_id=payment.booking_id,
                 now=now, channel=Channel.SYSTEM,
                 payload={"amount": str(payment.amount), "currency": payment.currency, "payment_id": payment.pk})
    logger.info("payments: payment %s for %s came late, credited to the wallet", payment.pk, reference)


def payment_failed(*, payload: str, now: datetime, reason: str = REASON_FAILED) -> Payment | None:
    """The client's payment failed (the booking page's `invoice_closed` with status "failed"): the attempt is
    `failed` and its booking ends as not paid. A payment already made is not touched."""
    with transaction.atomic():
        payment = _payment_locked(payload)
        if payment is None or payment.state not in OPEN:
            return payment
        _state(payment, State.FAILED, now=now, note=reason)
        if payment.purpose == Purpose.BOOKING:
            booking = booking_locked(payment.resource_type, payment.booking_id)
            if booking is not None and booking.status == Status.AWAITING_PAYMENT:
                booking_not_paid(booking=booking, resource_type=payment.resource_type, reason=reason,
                                 why="failed", now=now)
    return payment


def booking_not_paid(*, booking, resource_type: str, reason: str, why: str, now: datetime) -> None:
    """End a locked booking awaiting payment as not paid: cancelled, and through `booking_transition` its
    discount given back, its capacity freed and (payments/refunds.py) its open payments closed."""
    adapter_for(resource_type).status_change(booking=booking, to_status=Status.CANCELLED, actor=Actor.system(),
                                             channel=Channel.SYSTEM, now=now, reason=reason,
                                             topic=Event.Topic.NOT_PAID)
    transaction.on_commit(lambda: metrics.PAYMENT_COMPENSATIONS.labels(why).inc())


def _booking_models() -> list[tuple[str, type]]:
    """Each booking model once, with the resource type its bookings are stored under (an appointment is a
    cabinet booking: the cabinets' adapter, registered first, names it)."""
    seen: dict[type, str] = {}
    for adapter in adapters():
        seen.setdefault(adapter.booking_model, adapter.resource_type)
    return [(resource_type, model) for model, resource_type in seen.items()]


def payment_holds_sweep(*, now: datetime, batch: int = 500) -> int:
    """End the bookings whose time to pay is over (beat runs this every minute), each in its own transaction."""
    done = 0
    for resource_type, model in _booking_models():
        def change(booking, resource_type=resource_type):
            booking_not_paid(booking=booking, resource_type=resource_type, reason=REASON_NOT_PAID, why="expired",
                             now=now)

        done += bookings_sweep(model.objects.filter(payment_hold_expired(now)), change, batch=batch)
    return done
