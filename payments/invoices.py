"""Invoices that are not for a booking: topping a wallet up, buying a package. Paid, `payments.checkout`
credits the wallet or sells the package (payments.packages.package_bought_online), once per payment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kernel import metrics
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.prepayment import payments_enabled
from payments.checkout import Invoice, Method, Purpose, State, minor_units, new_payload
from payments.models import Payment, WalletTransaction
from payments.wallets import wallet_amount

TOPUP_MIN, TOPUP_MAX = Decimal("1.00"), Decimal("1000000.00")


def _client_invoice(*, purpose: str, client, amount: Decimal, actor: Actor, now: datetime, telegram_id, title,
                    description, label, product=None) -> Invoice:
    if not payments_enabled():
        raise BookingError("payments_off")
    payment = Payment.objects.create(
        purpose=purpose, method=Method.TELEGRAM, state=State.CREATED, client_id=client.pk, product=product,
        amount=amount, currency=settings.CURRENCY, invoice_payload=new_payload(), telegram_id=telegram_id,
        actor=actor.label[:200], created_at=now, updated_at=now)
    transaction.on_commit(lambda: metrics.PAYMENTS.labels(State.CREATED, Method.TELEGRAM).inc())
    return Invoice(payment=payment, title=str(title)[:32], description=str(description)[:255],
                   payload=payment.invoice_payload, currency=payment.currency,
                   prices=[(str(label)[:64], minor_units(amount, payment.currency))])


def topup_invoice_open(*, client, amount: Decimal, actor: Actor, now: datetime,
                       telegram_id: int | None = None) -> Invoice:
    """An invoice that tops the client's wallet up by `amount` when paid."""
    amount = wallet_amount(kind=WalletTransaction.Kind.DEPOSIT, amount=amount)
    if not TOPUP_MIN <= amount <= TOPUP_MAX:
        raise BookingError("wallet_bad_amount", _("A top-up is from %(min)s to %(max)s.")
                           % {"min": TOPUP_MIN, "max": TOPUP_MAX}, field="amount")
    return _client_invoice(purpose=Purpose.TOPUP, client=client, amount=amount, actor=actor, now=now,
                           telegram_id=telegram_id, title=_("Wallet top-up"),
                           description=_("Money for future bookings at the clinic, kept in your wallet."),
                           label=_("Top-up"))


def package_invoice_open(*, product, client, actor: Actor, now: datetime, telegram_id: int | None = None) -> Invoice:
    """An invoice for a package on sale; paying it sells the package to the client (payments.packages)."""
    if not product.is_active:
        raise BookingError("invalid", _("This package is not on sale."), field="product")
    return _client_invoice(purpose=Purpose.PACKAGE, client=client, amount=product.price, actor=actor, now=now,
                           telegram_id=telegram_id, title=str(product), product=product,
                           description=_("%(sessions)s sessions of %(service)s, valid %(days)s days.")
                           % {"sessions": product.sessions, "service": product.service.name,
                              "days": product.validity_days},
                           label=str(product))
