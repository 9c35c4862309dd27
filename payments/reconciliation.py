"""The daily reconciliation of the clinic's money: per clinic day (kernel.clock's zone), what came in from outside
must equal what was earned plus what the wallets now hold more.

    money in  = paid in (payments by Telegram or in cash, whatever for)
              + desk deposits (cash put in a wallet at the desk: a `deposit` no payment row names)
              + packages sold for cash (no payment row: the package is the record)
              + corrections (a manager's wallet corrections, either sign)
              − refunded to the card (recorded refunds made in the provider's dashboard)

    revenue   = booking payments paid that day, any method, but not those whose money went to the wallet (a
                Telegram payment that came after its booking's hold ended: the wallet's deposit, not revenue)
              + packages sold that day (their price, however paid)
              − refunds made that day of payments counted as revenue (booking payments not credited to the
                wallet, and packages paid by Telegram), wherever the money went

    money in  = revenue + wallet change (the sum of the day's wallet transactions)

Why each case balances, A being the amount:

- a booking paid by Telegram or in cash: in +A, revenue +A;
- paid from the wallet: revenue +A, wallet −A;
- a top-up: in +A (the payment), wallet +A (its deposit);
- a late payment credited to the wallet: in +A, wallet +A, no revenue;
- a refund to the wallet: revenue −A, wallet +A; to the card: in −A, revenue −A;
- a package for cash: in +A (the package), revenue +A; from the wallet: revenue +A, wallet −A; by Telegram: in
  +A (its payment), revenue +A (the package);
- a desk deposit: in +A, wallet +A; a correction: in ±A, wallet ±A.

A paid payment stays counted on the day it was paid when it is refunded later (state `refunded`): the refund
is counted on its own day. A day that does not balance shows money the ledger cannot explain, for example a
top-up or a late payment refunded again although its money is already in the wallet.

Every sum is in the clinic's currency; five grouped queries for any period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from kernel.clock import clinic_zone, month_bounds
from payments.models import ClientPackage, Payment, Refund, WalletTransaction

ZERO = Decimal("0.00")
State, Method, Purpose = Payment.State, Payment.Method, Payment.Purpose
Kind = WalletTransaction.Kind
PAID = (State.PAID, State.REFUNDED)  # a refunded payment was paid, on the day it was paid
MAX_DAYS = 366

# A payment whose money was credited to the client's wallet (a top-up, a late payment): a deposit, not revenue.
CREDITED = Q(wallet_transaction__isnull=False, wallet_transaction__kind=Kind.DEPOSIT)
# The payments whose amount counts as revenue when paid (and comes off it when refunded).
EARNING = (Q(purpose=Purpose.BOOKING) & ~CREDITED) | Q(purpose=Purpose.PACKAGE)


@dataclass
class Reconciliation:
    """One clinic day (or a period's total, `day` None) of the reconciliation."""

    day: date | None
    paid_telegram: Decimal = ZERO  # payments by Telegram, any purpose
    paid_cash: Decimal = ZERO  # booking payments marked paid in cash
    desk_deposits: Decimal = ZERO
    cash_packages: Decimal = ZERO
    corrections: Decimal = ZERO
    card_refunds: Decimal = ZERO
    booking_payments: Decimal = ZERO  # revenue: booking payments, any method, not credited to a wallet
    packages_sold: Decimal = ZERO  # revenue: packages, however paid
    refunds: Decimal = ZERO  # revenue: refunds of what counted as revenue, to the wallet or the card
    wallet_change: Decimal = ZERO

    @property
    def money_in(self) -> Decimal:
        return (self.paid_telegram + self.paid_cash + self.desk_deposits + self.cash_packages + self.corrections
                - self.card_refunds)

    @property
    def revenue(self) -> Decimal:
        return self.booking_payments + self.packages_sold - self.refunds

    @property
    def difference(self) -> Decimal:
        """Money in less revenue and wallet change: zero on a balanced day."""
        return self.money_in - self.revenue - self.wallet_change

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def add(self, other: Reconciliation) -> None:
        for name in AMOUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


AMOUNTS = tuple(f.name for f in fields(Reconciliation) if f.name != "day")


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clinic_zone())


def _per_day(queryset: QuerySet, when: str, start: date, end: date, amount: str = "amount") -> dict[date, Decimal]:
    """The sum of `amount` per clinic day of `when`, from `start` to `end`."""
    rows = (queryset.filter(**{f"{when}__gte": _instant(start), f"{when}__lt": _instant(end + timedelta(days=1))})
            .annotate(clinic_day=TruncDate(when, tzinfo=clinic_zone())).order_by().values("clinic_day")
            .annotate(total=Sum(amount)).values_list("clinic_day", "total"))
    return {day: total or ZERO for day, total in rows}


def _split(queryset: QuerySet, when: str, start: date, end: date, by: dict[str, Q],
           amount: str = "amount") -> dict[str, dict[date, Decimal]]:
    return {name: _per_day(queryset.filter(condition), when, start, end, amount) for name, condition in by.items()}


def reconciliation(*, start: date, end: date) -> list[Reconciliation]:
    """Each clinic day from `start` to `end` (at most MAX_DAYS), in order, whether anything happened or not."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError(f"a reconciliation covers 1 to {MAX_DAYS} days, not {start} to {end}")
    currency = settings.CURRENCY
    payments = Payment.objects.filter(state__in=PAID, currency=currency)
    refunds = Refund.objects.filter(currency=currency)
    ledger = WalletTransaction.objects.filter(currency=currency)
    packages = ClientPackage.objects.filter(currency=currency)
    sums = {
        **_split(payments, "paid_at", start, end, {
            "paid_telegram": Q(method=Method.TELEGRAM),
            "paid_cash": Q(method=Method.CASH),
            "booking_payments": Q(purpose=Purpose.BOOKING) & ~CREDITED,
        }),
        **_split(ledger, "created_at", start, end, {
            "desk_deposits": Q(kind=Kind.DEPOSIT, payment__isnull=True),
            "corrections": Q(kind=Kind.CORRECTION),
            "wallet_change": Q(),
        }),
        **_split(packages, "bought_at", start, end, {
            "cash_packages": Q(paid_by=ClientPackage.PaidBy.CASH),
            "packages_sold": Q(),
        }, amount="price"),
        **_split(refunds, "created_at", start, end, {
            "card_refunds": Q(destination=Refund.Destination.CARD),
            "refunds": Q(payment__in=Payment.objects.filter(EARNING).values("pk")),
        }),
    }
    return [Reconciliation(day, **{name: by_day.get(day, ZERO) for name, by_day in sums.items()})
            for day in _days(start, end)]


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def month_reconciliation(month: date) -> tuple[list[Reconciliation], Reconciliation]:
    """The month's days and their total."""
    first, last = month_bounds(month)
    days = reconciliation(start=first, end=last)
    return days, total_of(days)


def total_of(days: list[Reconciliation]) -> Reconciliation:
    total = Reconciliation(None)
    for day in days:
        total.add(day)
    return total
