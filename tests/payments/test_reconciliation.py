"""The daily reconciliation (payments/reconciliation.py): on every clinic day, the money that came in (Telegram,
cash at the desk, corrections, less refunds to the card) equals the revenue plus what the wallets gained, for
each way money moves; a day the ledger cannot explain does not balance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Client
from equipment.services import equipment_booking_cancel
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from payments.checkout import payment_holds_sweep, payment_received, pre_checkout
from payments.direct import mark_paid_in_cash, pay_from_wallet
from payments.invoices import package_invoice_open, topup_invoice_open
from payments.models import ClientPackage, PackageProduct, Payment, Refund
from payments.packages import package_sell
from payments.reconciliation import month_reconciliation, reconciliation
from payments.refunds import refund_make
from payments.wallets import wallet_post
from specialists.models import Service
from tests.clock import MSK, NOW
from tests.payments import test_checkout as checkout
from tests.payments.test_checkout import book, fresh, invoice_open, pay

pytestmark = pytest.mark.django_db
# The checkout's cast: payments switched on, ЭКГ (1 500 ₽, prepaid), a client's Telegram account and a manager.
payments_on, ecg, anna, staff = checkout.payments_on, checkout.ecg, checkout.anna, checkout.staff
TODAY = NOW.date()
A = Decimal("1500.00")
ZERO = Decimal("0.00")


def day(on: date = TODAY):
    row = reconciliation(start=on, end=on)[0]
    assert row.day == on
    return row


def balanced_with(row, **amounts):
    """The row balances, its amounts are these, and every other amount is zero."""
    assert row.balanced, f"{row.money_in} in, {row.revenue} revenue, {row.wallet_change} wallet change"
    for name in ("paid_telegram", "paid_cash", "desk_deposits", "cash_packages", "corrections", "card_refunds",
                 "booking_payments", "packages_sold", "refunds", "wallet_change"):
        assert getattr(row, name) == amounts.get(name, ZERO), name
    return True


def deposit(client, amount, *, key="desk-1", now=NOW, kind="deposit"):
    return wallet_post(client=client, kind=kind, amount=amount, reason="cash at the desk", actor=Actor.system(),
                       idempotency_key=key, now=now)


def checked(invoice, *, now=NOW):
    """Telegram asked whether the payment may go ahead, and it may."""
    assert pre_checkout(payload=invoice.payload, currency="RUB", total_amount=int(invoice.payment.amount * 100),
                        now=now) is None
    return invoice


def telegram_paid(invoice, *, charge, now=NOW, asked=False):
    total = int(invoice.payment.amount * 100)
    if not asked:
        checked(invoice, now=now)
    return payment_received(payload=invoice.payload, currency="RUB", total_amount=total, telegram_charge_id=charge,
                            provider_charge_id="prov", now=now)


@pytest.fixture
def maria(db):
    return Client.objects.create(name="Мария Петрова", phone="+79990001122")


@pytest.fixture
def five_massages(db):
    service = Service.objects.create(name="Массаж", duration_minutes=60, price=Decimal("2000.00"))
    return PackageProduct.objects.create(service=service, sessions=5, price=Decimal("9000.00"), validity_days=60)


def test_a_booking_paid_by_telegram_is_money_in_and_revenue(ecg, anna):
    pay(book(ecg, anna))
    assert balanced_with(day(), paid_telegram=A, booking_payments=A)


def test_a_booking_paid_from_the_wallet_is_revenue_the_wallet_gave(ecg, anna):
    booking = book(ecg, anna)
    deposit(booking.client, A, now=NOW - timedelta(days=1))
    assert balanced_with(day(TODAY - timedelta(days=1)), desk_deposits=A, wallet_change=A)

    pay_from_wallet(booking=booking, resource_type="equipment", actor=Actor.telegram(anna), channel=Channel.BOT,
                    now=NOW)

    assert balanced_with(day(), booking_payments=A, wallet_change=-A)


def test_a_booking_paid_in_cash_is_money_in_and_revenue(ecg, anna, staff):
    mark_paid_in_cash(booking=book(ecg, anna), resource_type="equipment", actor=Actor.staff(staff), now=NOW,
                      idempotency_key="cash-1")
    assert balanced_with(day(), paid_cash=A, booking_payments=A)


def test_a_top_up_is_money_in_kept_in_the_wallet(maria):
    telegram_paid(topup_invoice_open(client=maria, amount=Decimal("700.00"), actor=Actor.system(), now=NOW),
                  charge="topup-1")
    assert balanced_with(day(), paid_telegram=Decimal("700.00"), wallet_change=Decimal("700.00"))


def test_a_payment_after_the_hold_ended_is_money_in_kept_in_the_wallet_not_revenue(ecg, anna):
    booking = book(ecg, anna)
    invoice = checked(invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                                   actor=Actor.telegram(anna)))
    payment_holds_sweep(now=NOW + timedelta(minutes=20))

    assert telegram_paid(invoice, charge="late-1", now=NOW + timedelta(minutes=21), asked=True).outcome == "late"

    assert balanced_with(day(), paid_telegram=A, wallet_change=A)


def test_a_refund_to_the_wallet_takes_revenue_back_into_the_wallet_on_its_own_day(ecg, anna):
    booking = book(ecg, anna)
    pay(booking)

    equipment_booking_cancel(booking=fresh(booking), actor=Actor.telegram(anna), now=NOW + timedelta(days=1),
                             channel=Channel.BOT)

    assert Payment.objects.get().state == Payment.State.REFUNDED
    assert balanced_with(day(), paid_telegram=A, booking_payments=A)  # the refunded payment still counts its day
    assert balanced_with(day(TODAY + timedelta(days=1)), refunds=A, wallet_change=A)


def test_a_refund_to_the_card_is_money_out_and_revenue_taken_back(ecg, anna, staff):
    pay(book(ecg, anna))

    refund_make(payment=Payment.objects.get(), amount=Decimal("500.00"), destination=Refund.Destination.CARD,
                reason="a unit was faulty", actor=Actor.staff(staff), now=NOW, idempotency_key="card-1")

    assert balanced_with(day(), paid_telegram=A, booking_payments=A, card_refunds=Decimal("500.00"),
                         refunds=Decimal("500.00"))


@pytest.mark.parametrize("paid_by", [ClientPackage.PaidBy.CASH, ClientPackage.PaidBy.WALLET])
def test_a_package_sold_at_the_desk_is_revenue_paid_in_cash_or_by_the_wallet(maria, five_massages, paid_by):
    price = Decimal("9000.00")
    deposit(maria, price, now=NOW - timedelta(days=1))

    package_sell(product=five_massages, client=maria, paid_by=paid_by, actor=Actor.system(), now=NOW,
                 idempotency_key="sale-1")

    if paid_by == ClientPackage.PaidBy.CASH:
        assert balanced_with(day(), cash_packages=price, packages_sold=price)
    else:
        assert balanced_with(day(), packages_sold=price, wallet_change=-price)


def test_a_package_paid_by_telegram_is_money_in_and_revenue_counted_once(maria, five_massages):
    telegram_paid(package_invoice_open(product=five_massages, client=maria, actor=Actor.system(), now=NOW),
                  charge="package-1")

    assert ClientPackage.objects.get().paid_by == ClientPackage.PaidBy.TELEGRAM
    price = Decimal("9000.00")
    assert balanced_with(day(), paid_telegram=price, packages_sold=price)


def test_a_refunded_package_payment_takes_its_revenue_back(maria, five_massages, staff):
    telegram_paid(package_invoice_open(product=five_massages, client=maria, actor=Actor.system(), now=NOW),
                  charge="package-1")

    refund_make(payment=Payment.objects.get(), amount=Decimal("1000.00"), destination=Refund.Destination.WALLET,
                reason="goodwill", actor=Actor.staff(staff), now=NOW, idempotency_key="goodwill-1")

    assert balanced_with(day(), paid_telegram=Decimal("9000.00"), packages_sold=Decimal("9000.00"),
                         refunds=Decimal("1000.00"), wallet_change=Decimal("1000.00"))


def test_a_desk_deposit_is_money_in_kept_in_the_wallet(maria):
    deposit(maria, Decimal("300.00"))
    assert balanced_with(day(), desk_deposits=Decimal("300.00"), wallet_change=Decimal("300.00"))


def test_corrections_either_way_move_the_wallet_and_nothing_else(maria):
    deposit(maria, Decimal("300.00"), now=NOW - timedelta(days=1))
    deposit(maria, Decimal("50.00"), key="plus", kind="correction")
    deposit(maria, Decimal("-120.00"), key="minus", kind="correction")
    assert balanced_with(day(), corrections=Decimal("-70.00"), wallet_change=Decimal("-70.00"))


def test_a_day_is_the_clinics_day_not_the_servers(maria):
    late_evening = NOW.replace(hour=23, minute=30, tzinfo=MSK)  # 20:30 UTC: still the same clinic day
    just_after_midnight = late_evening + timedelta(hours=1)  # 21:30 UTC: the clinic's next day
    deposit(maria, Decimal("10.00"), key="evening", now=late_evening)
    deposit(maria, Decimal("20.00"), key="night", now=just_after_midnight)

    days = reconciliation(start=TODAY, end=TODAY + timedelta(days=1))

    assert [row.desk_deposits for row in days] == [Decimal("10.00"), Decimal("20.00")]


def test_a_month_of_every_kind_of_movement_balances_each_day_and_in_total(ecg, anna, staff, maria, five_massages):
    first = book(ecg, anna)
    pay(first)
    equipment_booking_cancel(booking=fresh(first), actor=Actor.telegram(anna), now=NOW + timedelta(hours=1),
                             channel=Channel.BOT)
    second = book(ecg, anna, now=NOW + timedelta(days=1))
    pay_from_wallet(booking=second, resource_type="equipment", actor=Actor.telegram(anna), channel=Channel.BOT,
                    now=NOW + timedelta(days=1))
    deposit(maria, Decimal("9000.00"), now=NOW + timedelta(days=2))
    package_sell(product=five_massages, client=maria, paid_by="wallet", actor=Actor.system(),
                 now=NOW + timedelta(days=2), idempotency_key="sale-1")
    deposit(maria, Decimal("25.00"), key="fix", kind="correction", now=NOW + timedelta(days=3))

    days, total = month_reconciliation(TODAY)

    assert len(days) == 30 and all(row.balanced for row in days)
    assert total.balanced and total.day is None
    assert total.revenue == A + A - A + Decimal("9000.00")
    assert total.wallet_change == A - A + Decimal("9000.00") - Decimal("9000.00") + Decimal("25.00")


def test_a_late_payment_already_in_the_wallet_is_not_refunded_again_and_the_day_balances(ecg, anna, staff):
    booking = book(ecg, anna)
    invoice = checked(invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                                   actor=Actor.telegram(anna)))
    payment_holds_sweep(now=NOW + timedelta(minutes=20))
    telegram_paid(invoice, charge="late-1", now=NOW + timedelta(minutes=21), asked=True)

    with pytest.raises(BookingError):
        refund_make(payment=Payment.objects.get(), amount=A, destination=Refund.Destination.WALLET,
                    reason="by mistake", actor=Actor.staff(staff), now=NOW + timedelta(minutes=30),
                    idempotency_key="again")

    row = day()
    assert row.balanced and row.difference == 0


def test_a_period_longer_than_a_year_or_backwards_is_refused():
    with pytest.raises(ValueError):
        reconciliation(start=TODAY, end=TODAY - timedelta(days=1))
    with pytest.raises(ValueError):
        reconciliation(start=TODAY, end=TODAY + timedelta(days=366))
