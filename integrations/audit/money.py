"""The audit's money sheets: the month's payments (made or paid in it), refunds and wallet movements, each row as
the ledger holds it, and the month's reconciliation per clinic day (payments/reconciliation.py says what
balances). Rows are read with `values_list(...).iterator()`, so memory stays flat however long the month."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache

from django.db.models import Q
from django.utils.translation import pgettext, pgettext_lazy

from integrations.audit.columns import Column
from kernel.adapters import UnknownResource, adapter_for
from kernel.clock import month_instants
from payments.models import Payment, Refund, WalletTransaction
from payments.reconciliation import month_reconciliation

CHUNK = 1000


@cache
def _prefix(resource_type: str) -> str:
    try:
        return adapter_for(resource_type).booking_model.REFERENCE_PREFIX
    except UnknownResource:
        return resource_type


def booking_reference(resource_type: str, booking_id: int | None) -> str | None:
    """"E-12", "C-3": the booking a money row names, as every door shows it."""
    return f"{_prefix(resource_type)}-{booking_id}" if booking_id else None


PAYMENT_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Created at"), "created_at", 18),
    Column(pgettext_lazy("audit", "Paid at"), "paid_at", 18),
    Column(pgettext_lazy("audit", "For"), "purpose", 10),
    Column(pgettext_lazy("audit", "Method"), "method", 10),
    Column(pgettext_lazy("audit", "State"), "state", 10),
    Column(pgettext_lazy("audit", "Booking"), None, 10),
    Column(pgettext_lazy("audit", "Client"), "client__name", 22),
    Column(pgettext_lazy("audit", "Phone"), "client__phone", 15),
    Column(pgettext_lazy("audit", "Amount"), "amount", 12),
    Column(pgettext_lazy("audit", "Refunded"), "refunded_amount", 12),
    Column(pgettext_lazy("audit", "Currency"), "currency", 8),
    Column(pgettext_lazy("audit", "Telegram charge id"), "telegram_payment_charge_id", 22),
    Column(pgettext_lazy("audit", "Provider charge id"), "provider_payment_charge_id", 22),
    Column(pgettext_lazy("audit", "Wallet transaction"), "wallet_transaction_id", 10),
    Column(pgettext_lazy("audit", "Note"), "note", 24),
    Column(pgettext_lazy("audit", "Made by"), "actor", 16),
]

REFUND_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "At"), "created_at", 18),
    Column(pgettext_lazy("audit", "Payment ID"), "payment_id", 10),
    Column(pgettext_lazy("audit", "Booking"), None, 10),
    Column(pgettext_lazy("audit", "Client"), "payment__client__name", 22),
    Column(pgettext_lazy("audit", "To"), "destination", 9),
    Column(pgettext_lazy("audit", "Amount"), "amount", 12),
    Column(pgettext_lazy("audit", "Currency"), "currency", 8),
    Column(pgettext_lazy("audit", "Reason"), "reason", 28),
    Column(pgettext_lazy("audit", "Made by"), "actor", 16),
    Column(pgettext_lazy("audit", "Wallet transaction"), "wallet_transaction_id", 10),
]

WALLET_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "At"), "created_at", 18),
    Column(pgettext_lazy("audit", "Client"), "client__name", 22),
    Column(pgettext_lazy("audit", "Phone"), "client__phone", 15),
    Column(pgettext_lazy("audit", "Kind"), "kind", 12),
    Column(pgettext_lazy("audit", "Amount"), "amount", 12),
    Column(pgettext_lazy("audit", "Currency"), "currency", 8),
    Column(pgettext_lazy("audit", "Reason"), "reason", 28),
    Column(pgettext_lazy("audit", "Made by"), "actor", 16),
    Column(pgettext_lazy("audit", "Booking"), None, 10),
    Column(pgettext_lazy("audit", "Payment ID"), "payment__id", 10),
    Column(pgettext_lazy("audit", "Refund ID"), "refund__id", 10),
    Column(pgettext_lazy("audit", "Package ID"), "package__id", 10),
]

RECONCILIATION_COLUMNS = [
    Column(pgettext_lazy("audit", "Day"), None, 12),
    Column(pgettext_lazy("audit", "Telegram"), None, 12),
    Column(pgettext_lazy("audit", "Cash for bookings"), None, 12),
    Column(pgettext_lazy("audit", "Desk deposits"), None, 12),
    Column(pgettext_lazy("audit", "Packages for cash"), None, 12),
    Column(pgettext_lazy("audit", "Corrections"), None, 12),
    Column(pgettext_lazy("audit", "Refunded to cards"), None, 12),
    Column(pgettext_lazy("audit", "Money in"), None, 12),
    Column(pgettext_lazy("audit", "Booking payments"), None, 12),
    Column(pgettext_lazy("audit", "Packages sold"), None, 12),
    Column(pgettext_lazy("audit", "Refunds"), None, 12),
    Column(pgettext_lazy("audit", "Revenue"), None, 12),
    Column(pgettext_lazy("audit", "Wallet change"), None, 12),
    Column(pgettext_lazy("audit", "Difference"), None, 12),
    Column(pgettext_lazy("audit", "Balanced"), None, 9),
]
# The reconciliation's amounts in the sheet's order, after the day.
_IN = ("paid_telegram", "paid_cash", "desk_deposits", "cash_packages", "corrections", "card_refunds")
_EARNED = ("booking_payments", "packages_sold", "refunds")


def _fields(columns: list[Column]) -> list[str]:
    return [column.field for column in columns if column.field]


def _within(month: date, zone, name: str) -> Q:
    start, end = month_instants(month, zone)
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def payment_rows(month: date, zone) -> Iterator[tuple]:
    """Payments made or paid in the month, in the order they were made."""
    query = (Payment.objects.filter(_within(month, zone, "created_at") | _within(month, zone, "paid_at"))
             .order_by("created_at", "id").values_list(*_fields(PAYMENT_COLUMNS), "resource_type", "booking_id"))
    for row in query.iterator(chunk_size=CHUNK):
        *values, resource_type, booking_id = row
        yield (*values[:6], booking_reference(resource_type, booking_id), *values[6:])


def refund_rows(month: date, zone) -> Iterator[tuple]:
    query = (Refund.objects.filter(_within(month, zone, "created_at")).order_by("created_at", "id")
             .values_list(*_fields(REFUND_COLUMNS), "payment__resource_type", "payment__booking_id"))
    for row in query.iterator(chunk_size=CHUNK):
        *values, resource_type, booking_id = row
        yield (*values[:3], booking_reference(resource_type, booking_id), *values[3:])


def wallet_rows(month: date, zone) -> Iterator[tuple]:
    query = (WalletTransaction.objects.filter(_within(month, zone, "created_at")).order_by("created_at", "id")
             .values_list(*_fields(WALLET_COLUMNS), "resource_type", "booking_id"))
    for row in query.iterator(chunk_size=CHUNK):
        *values, resource_type, booking_id = row
        yield (*values[:9], booking_reference(resource_type, booking_id), *values[9:])


def reconciliation_rows(month: date) -> Iterator[tuple]:
    """Each clinic day of the month, then the month's total."""
    days, total = month_reconciliation(month)
    for day, row in [*((row.day, row) for row in days), (pgettext("audit", "Total"), total)]:
        yield (day, *(getattr(row, name) for name in _IN), row.money_in, *(getattr(row, name) for name in _EARNED),
               row.revenue, row.wallet_change, row.difference,
               pgettext("audit", "yes") if row.balanced else pgettext("audit", "no"))
