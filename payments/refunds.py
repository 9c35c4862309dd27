"""Money given back. A booking that stops holding its place (cancelled or rejected) is settled here, in its own
transaction (kernel.prepayment calls `BookingSettlement` from `booking_transition`):

- its open payment attempts (an invoice sent, not paid) are `cancelled` (`failed` when it ended as not paid
  because a payment failed);
- what was paid and not yet given back is refunded to the client's wallet when the clinic ends the booking (a
  manager's cancellation or rejection, the system), or when the client cancels at least REFUND_FULL_HOURS_BEFORE
  hours before the start; a client cancelling later gets nothing back (the policy is shown before paying).

Each refund is a `Refund` row and, to the wallet, a `refund` wallet transaction, both under one key per payment
and cause, so a booking's refund happens once whoever asks again. A manager may also refund any paid payment to
the wallet or record a refund to the card made in the provider's dashboard (the admin)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kernel import locking, metrics
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from payments.models import Payment, Refund, WalletTransaction
from payments.wallets import BookingRef, wallet_amount, wallet_post

logger = logging.getLogger(__name__)

State, Destination = Payment.State, Refund.Destination
OPEN = (State.CREATED, State.PENDING)


def refund_deadline(starts_at: datetime) -> datetime:
    """Until when a client's own cancellation is refunded in full (to the wallet)."""
    return starts_at - timedelta(hours=settings.REFUND_FULL_HOURS_BEFORE)


def refundable(payment: Payment) -> Decimal:
    return payment.amount - payment.refunded_amount


def credited(payment: Payment) -> bool:
    """The payment's money went to the client's wallet when it came (a top-up, money for a booking that no
    longer awaited it): it is given back from the wallet, never refunded a second time."""
    return payment.method == Payment.Method.TELEGRAM and payment.wallet_transaction_id is not None


def _refund(payment: Payment, *, amount: Decimal, destination: str, reason: str, actor: Actor, key: str,
            now: datetime) -> Refund:
    """Give `amount` of a locked paid payment back, once per `key`."""
    earlier = Refund.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        if earlier.payment_id != payment.pk:
            raise BookingError("idempotency_conflict", _("This operation key was already used for another refund."))
        return earlier
    if payment.state not in (State.PAID, State.REFUNDED):
        raise BookingError("invalid", _("Only a paid payment can be refunded."))
    if credited(payment):
        raise BookingError("invalid", _("This payment was credited to the client's wallet: give the money back "
                                        "from the wallet instead."))
    amount = wallet_amount(kind=WalletTransaction.Kind.REFUND, amount=amount)
    if amount > refundable(payment):
        raise BookingError("invalid", _("At most %(left)s can still be refunded.") % {"left": refundable(payment)},
                           field="amount")
    posted = None
    booking = BookingRef(payment.resource_type, payment.booking_id) if payment.booking_id else None
    if destination == Destination.WALLET:
        posted = wallet_post(client=Client(pk=payment.client_id), kind=WalletTransaction.Kind.REFUND, amount=amount,
                             reason=reason, actor=actor, idempotency_key=f"refund:{key}", now=now, booking=booking)
    refund = Refund.objects.create(payment=payment, destination=destination, amount=amount, currency=payment.currency,
                                   reason=reason[:500], actor=actor.label[:200], idempotency_key=key,
                                   wallet_transaction=posted, created_at=now)
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + amount, updated_at=now)
    payment.refresh_from_db(fields=["refunded_amount", "updated_at"])
    if payment.refunded_amount == payment.amount:
        payment.state = State.REFUNDED
        payment.save(update_fields=["state"])
        transaction.on_commit(lambda: metrics.PAYMENTS.labels(State.REFUNDED, payment.method).inc())
    transaction.on_commit(lambda: metrics.REFUNDS.labels(destination).inc())
    if payment.booking_id:
        event_record(topic=Event.Topic.REFUNDED, resource_type=payment.resource_type, booking_id=payment.booking_id,
                     now=now, channel=Channel.SYSTEM, actor_label=actor.label,
                     payload={"amount": str(amount), "currency": payment.currency, "to": destination,
                              "payment_id": payment.pk})
    logger.info("payments: %s of payment %s refunded (%s)", amount, payment.pk, destination)
    return refund


@transaction.atomic
def refund_make(*, payment: Payment, amount: Decimal, destination: str, reason: str, actor: Actor, now: datetime,
                idempotency_key: str) -> Refund:
    """A manager's refund of a paid payment: to the client's wallet, or the record of a refund to the card made
    in the provider's dashboard."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can refund."))
    if destination not in Destination.values:
        raise BookingError("invalid", _("Choose where the money goes."), field="destination")
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("invalid", _("Say why the money is given back."), field="reason")
    payment = locking.lock_one(Payment, payment.pk, _("This payment no longer exists."))
    return _refund(payment, amount=amount, destination=destination, reason=reason, actor=actor,
                   key=f"manual:{idempotency_key}", now=now)


def _clinic_ended(actor: Actor, to_status: str) -> bool:
    """The clinic ended the booking (a manager, staff or the system; a rejection): it refunds in full."""
    return to_status == Status.REJECTED or actor.is_manager or actor.kind == "system"


class BookingSettlement:
    """What kernel.prepayment calls when a booking is cancelled or rejected (registered in PaymentsConfig)."""

    def booking_ended(self, *, booking, resource_type: str, from_status: str, to_status: str, actor: Actor,
                      reason: str, now: datetime) -> None:
        payments = list(Payment.objects.filter(purpose=Payment.Purpose.BOOKING, resource_type=resource_type,
                                               booking_id=booking.pk, state__in=(*OPEN, State.PAID))
                        .order_by("pk"))
        if not payments:
            return
        payments = locking.lock(Payment, [p.pk for p in payments])
        for payment in payments.values():
            if payment.state in OPEN:
                payment.state, payment.updated_at = State.CANCELLED, now
                payment.note = (reason or str(Status(to_status).label))[:500]
                payment.save(update_fields=["state", "updated_at", "note"])
                transaction.on_commit(lambda state=payment.state, method=payment.method:
                                      metrics.PAYMENTS.labels(state, method).inc())
        # Money that came for the booking after it stopped awaiting payment is in the wallet already.
        paid = [p for p in payments.values() if p.state == State.PAID and refundable(p) > 0 and not credited(p)]
        if not paid:
            return
        starts_at = adapter_for(resource_type).booking_starts_at(booking)
        if not (_clinic_ended(actor, to_status) or now <= refund_deadline(starts_at)):
            logger.info("payments: %s cancelled by its client after the refund deadline: no refund",
                        booking.reference)
            return
        why = (_("Refund: %(ref)s rejected") if to_status == Status.REJECTED else _("Refund: %(ref)s cancelled")) % {
            "ref": booking.reference}
        for payment in paid:
            _refund(payment, amount=refundable(payment), destination=Destination.WALLET, reason=str(why),
                    actor=actor, key=f"ended:{payment.pk}", now=now)


def refund_policy(starts_at: datetime, *, now: datetime) -> dict:
    """What a client is told before paying: until when cancelling gets the money back (to the wallet)."""
    deadline = refund_deadline(starts_at)
    return {"hours": settings.REFUND_FULL_HOURS_BEFORE, "until": deadline, "refundable_now": now <= deadline}
