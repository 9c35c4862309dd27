"""Client wallets. Each client's wallet is a ledger of transactions (payments/models.py); its balance is their
sum in the clinic's currency and never goes below zero: a transaction that takes money is checked against the
balance under the client's row lock, in the transaction that writes it, so two spends at once cannot both use
the same money.

Every transaction carries an idempotency key chosen by the door that makes it (a form, a payment update, a
booking's refund): the same key again returns the first transaction instead of posting twice, and is refused
when it comes with another client, kind, amount or booking."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, TelegramAccount
from kernel import locking, metrics
from kernel.adapters import adapter_for
from kernel.channels import Actor
from kernel.errors import BookingError
from payments.models import WalletTransaction

logger = logging.getLogger(__name__)

Kind = WalletTransaction.Kind
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")  # what the ledger's amount column holds (12 digits, 2 after the point)
REASON_MAX = WalletTransaction._meta.get_field("reason").max_length
KEY_MAX = WalletTransaction._meta.get_field("idempotency_key").max_length

# The sign each kind's amount must have: money in (+1), money out (-1), either way (0).
SIGNS = {Kind.DEPOSIT: 1, Kind.REFUND: 1, Kind.PAYMENT: -1, Kind.PACKAGE_PURCHASE: -1, Kind.CORRECTION: 0}
WRONG_SIGN = {
    Kind.DEPOSIT: _("A deposit must be more than zero."),
    Kind.REFUND: _("A refund must be more than zero."),
    Kind.PAYMENT: _("A payment takes money from the wallet: its amount must be below zero."),
    Kind.PACKAGE_PURCHASE: _("A package purchase takes money from the wallet: its amount must be below zero."),
    Kind.CORRECTION: _("A correction must not be zero."),
}


@dataclass(frozen=True)
class BookingRef:
    """The booking a transaction is about, named the way the kernel names resources (kernel/adapters.py)."""

    resource_type: str
    booking_id: int


@dataclass(frozen=True)
class ClientWallet:
    client: Client
    balance: Decimal


def _sum(rows) -> Decimal:
    total = rows.aggregate(total=Sum("amount"))["total"]
    return ZERO if total is None else total.quantize(CENT)


def _ledger():
    return WalletTransaction.objects.filter(currency=settings.CURRENCY)


def wallet_balance(client: Client) -> Decimal:
    """The sum of the client's ledger in the clinic's currency (0.00 for a client with none)."""
    return _sum(_ledger().filter(client=client))


def wallet_balances(clients) -> dict[int, Decimal]:
    """Balances of many clients in one query, by client id (0.00 for those with no transaction)."""
    ids = [client.pk for client in clients]
    sums = dict(_ledger().filter(client_id__in=ids).order_by().values("client_id").annotate(total=Sum("amount"))
                .values_list("client_id", "total"))
    return {pk: (sums.get(pk) or ZERO).quantize(CENT) for pk in ids}


def account_wallets(account: TelegramAccount) -> list[ClientWallet]:
    """The wallets of the clients a Telegram account books as, by name."""
    clients = list(Client.objects.filter(telegram_account=account).order_by("name", "pk"))
    balances = wallet_balances(clients)
    return [ClientWallet(client, balances[client.pk]) for client in clients]


def wallets_total() -> Decimal:
    """The money held in every wallet together, in the clinic's currency."""
    return _sum(_ledger())


def wallet_gauge_refresh() -> None:
    """Scrape hook: the money held in all wallets, for /metrics."""
    metrics.WALLET_BALANCE.labels(settings.CURRENCY).set(float(wallets_total()))


def wallet_amount(*, kind: str, amount: Decimal | int) -> Decimal:
    """The amount as the ledger stores it, or a refusal: never a float, at most two decimals, not zero, with
    the sign of its kind (SIGNS)."""
    if kind not in SIGNS:
        raise BookingError("invalid", _("Unknown kind of wallet transaction."), field="kind")
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"a wallet amount is a Decimal (or int), not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise BookingError("wallet_bad_amount", field="amount")
    if abs(amount) > MAX_AMOUNT:
        raise BookingError("wallet_bad_amount", _("The amount is too large."), field="amount")
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise BookingError("wallet_bad_amount", _("An amount has at most two digits after the point."),
                           field="amount")
    sign = SIGNS[kind]
    if amount == 0 or (sign > 0 and amount < 0) or (sign < 0 and amount > 0):
        raise BookingError("wallet_bad_amount", WRONG_SIGN[kind], field="amount")
    return amount.quantize(CENT)


def wallet_check(*, client: Client, kind: str, amount: Decimal | int) -> Decimal:
    """Read-only: would this transaction be accepted now? The amount as it would be posted, or the refusal.
    Forms call it to show errors; `wallet_post` calls it again under the client's lock."""
    amount = wallet_amount(kind=kind, amount=amount)
    if amount < 0:
        balance = wallet_balance(client)
        if balance + amount < 0:
            raise BookingError(
                "wallet_insufficient",
                _("The wallet balance would go below zero: it is %(balance)s %(currency)s.")
                % {"balance": number_format(balance, 2, force_grouping=True), "currency": settings.CURRENCY},
                field="amount", balance=str(balance), currency=settings.CURRENCY)
    return amount


def wallet_post(*, client: Client, kind: str, amount: Decimal | int, reason: str, actor: Actor,
                idempotency_key: str, now: datetime, booking: BookingRef | None = None) -> WalletTransaction:
    """Post one transaction to the client's wallet (`amount` signed: + in, - out), or return the one posted
    earlier under the same `idempotency_key`."""
    amount = wallet_amount(kind=kind, amount=amount)
    reason = _reason(reason)
    key = _key(idempotency_key)
    if booking is not None:
        adapter_for(booking.resource_type)  # a type no resource registered is a programming error
    fields = {"client_id": client.pk, "kind": kind, "amount": amount, "currency": settings.CURRENCY,
              "resource_type": booking.resource_type if booking else "",
              "booking_id": booking.booking_id if booking else None}
    with transaction.atomic():
        locking.lock_one(Client, client.pk, _("This client no longer exists."))
        earlier = WalletTransaction.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return _repeated(earlier, fields)
        wallet_check(client=client, kind=kind, amount=amount)
        locking.after_check()
        try:
            with transaction.atomic():  # the key taken at this instant by another client's transaction
                posted = WalletTransaction.objects.create(**fields, reason=reason, actor=actor.label[:200],
                                                          idempotency_key=key, created_at=now)
        except IntegrityError:
            earlier = WalletTransaction.objects.filter(idempotency_key=key).first()
            if earlier is None:
                raise
            return _repeated(earlier, fields)
    logger.info("wallet: %s of %s %s posted to client %s", kind, amount, settings.CURRENCY, client.pk)
    return posted


def _repeated(earlier: WalletTransaction, fields: dict) -> WalletTransaction:
    if any(getattr(earlier, name) != value for name, value in fields.items()):
        raise BookingError("idempotency_conflict",
                           _("This operation key was already used for another wallet transaction."))
    return earlier


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("invalid", _("Give a reason for this wallet transaction."), field="reason")
    if len(reason) > REASON_MAX:
        raise BookingError("invalid", _("The reason is too long: at most %(n)s characters.") % {"n": REASON_MAX},
                           field="reason")
    return reason


def _key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX:
        raise ValueError(f"an idempotency key is a non-empty string of at most {KEY_MAX} characters")
    return key


def wallet_balance_subquery(client_ref: str):
    """`wallet_balance` as a subquery, to annotate rows with their client's balance (`client_ref` names the
    client's id in the outer query). None for a client with no transaction."""
    return Subquery(_ledger().filter(client_id=OuterRef(client_ref)).order_by().values("client_id")
                    .annotate(total=Sum("amount")).values("total")[:1])
