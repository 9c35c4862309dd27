"""Payments for one booking arriving at once, as real parallel transactions on PostgreSQL:

- the same `successful_payment` update delivered twice at the same instant records one payment and confirms the
  booking once;
- two invoices of one booking paid at the same instant (two charges): the booking's row lock queues them, so
  one confirms the booking and the other's money goes to the wallet ("late"), and the ledger balances;
- the hold sweep and a payment at the same instant: the booking is either paid or ended as not paid with the
  money in the wallet, never both, and the money is never lost.

The negative control switches the locks off for the two invoices: both then confirm the booking, so the test
above can see the race. (Ten spends from one wallet at once are tests/concurrency/test_wallet_races.py.)"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel import locking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from payments import checkout
from payments.checkout import invoice_open, payment_holds_sweep, payment_received, pre_checkout
from payments.models import Payment, WalletTransaction
from payments.wallets import wallet_balance
from tests import factories
from tests.concurrency.test_races import NOW, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
DAY = date(2026, 12, 1)
PRICE = Decimal("1500.00")
TOTAL = 150000  # the price in kopecks, as Telegram counts it
ROUNDS = 5


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15


@pytest.fixture
def slow_payments(monkeypatch):
    """Each payment pauses between finding its booking awaiting payment and moving it on, as a slow one would."""
    monkeypatch.setattr(locking, "pause_after_check", 0.05)
    status_once_paid = checkout.status_once_paid

    def slowly(booking, *, now):
        locking.after_check()
        return status_once_paid(booking, now=now)

    monkeypatch.setattr(checkout, "status_once_paid", slowly)


def awaiting_booking(round_no: int) -> EquipmentBooking:
    """A client's bot booking of a prepaid ECG, awaiting its payment."""
    item = factories.ItemFactory(name=f"ЭКГ {round_no}", quantity=1, price_per_day=PRICE, prepayment_required=True)
    account = factories.TelegramAccountFactory()
    booking = equipment_booking_create(item=item, start_date=DAY, units=1, client_name="Мария Петрова",
                                       client_phone=f"+7999111{round_no:04d}", actor=Actor.telegram(account),
                                       channel=Channel.BOT, now=NOW)
    assert booking.status == Status.AWAITING_PAYMENT
    return booking


def checked_invoice(booking) -> str:
    """An invoice of the booking that Telegram was told it may charge: its payload."""
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(booking.requester)).payload
    assert pre_checkout(payload=payload, currency="RUB", total_amount=TOTAL, now=NOW) is None
    return payload


def delivery(payload: str, charge: str, received: list, now=NOW):
    return lambda: received.append(payment_received(payload=payload, currency="RUB", total_amount=TOTAL,
                                                    telegram_charge_id=charge, provider_charge_id=f"p-{charge}",
                                                    now=now).outcome)


def topics(booking) -> list[str]:
    return list(Event.objects.filter(resource_type="equipment", booking_id=booking.pk).order_by("pk")
                .values_list("topic", flat=True))


def status(booking) -> str:
    return EquipmentBooking.objects.values_list("status", flat=True).get(pk=booking.pk)


def test_the_same_payment_update_delivered_twice_at_once_is_recorded_once(slow_payments):
    for round_no in range(ROUNDS):
        booking = awaiting_booking(round_no)
        payload, received = checked_invoice(booking), []

        outcomes = race([delivery(payload, f"tg-{round_no}", received) for _ in range(2)])

        assert outcomes == {"ok": 2}, outcomes
        assert sorted(received) == ["paid", "repeat"], received
        assert Payment.objects.filter(booking_id=booking.pk, state=Payment.State.PAID).count() == 1
        assert topics(booking).count(Event.Topic.PAID) == 1
        assert status(booking) == Status.PENDING
        assert not WalletTransaction.objects.filter(client_id=booking.client_id).exists()


def two_invoices_paid_at_once(round_no: int) -> tuple[EquipmentBooking, list[str]]:
    booking = awaiting_booking(round_no)
    payloads, received = [checked_invoice(booking), checked_invoice(booking)], []
    outcomes = race([delivery(payload, f"tg-{round_no}-{n}", received) for n, payload in enumerate(payloads)])
    assert outcomes == {"ok": 2}, outcomes
    return booking, received


def test_two_invoices_of_a_booking_paid_at_once_confirm_it_once_and_the_other_money_goes_to_the_wallet(
        slow_payments):
    for round_no in range(ROUNDS):
        booking, received = two_invoices_paid_at_once(round_no)

        assert sorted(received) == ["late", "paid"], received
        assert status(booking) == Status.PENDING
        assert topics(booking).count(Event.Topic.PAID) == 1
        assert topics(booking).count(Event.Topic.PAID_LATE) == 1
        paid = Payment.objects.filter(booking_id=booking.pk, resource_type="equipment", state=Payment.State.PAID)
        assert paid.count() == 2
        credits = WalletTransaction.objects.filter(client_id=booking.client_id)
        assert list(credits.values_list("kind", "amount")) == [("deposit", PRICE)]
        assert credits.get().payment in paid  # the ledger's one row is the second payment's money
        assert wallet_balance(booking.client) == PRICE


def test_negative_control_without_the_lock_both_invoices_confirm_the_booking(slow_payments, monkeypatch):
    monkeypatch.setattr(locking, "enabled", False)
    seen = []
    for round_no in range(ROUNDS):
        booking, received = two_invoices_paid_at_once(round_no)
        seen.append((sorted(received), topics(booking).count(Event.Topic.PAID),
                     str(wallet_balance(booking.client))))
    print(f"(outcomes, booking.paid events, wallet) per round, without the lock: {seen}")
    assert any(outcomes == ["paid", "paid"] and confirmed == 2 and credit == "0.00"
               for outcomes, confirmed, credit in seen), f"no double confirmation seen without the lock: {seen}"


def test_the_hold_sweep_and_a_payment_at_once_either_pay_or_end_the_booking_never_both_and_keep_the_money(
        slow_payments):
    later = NOW + timedelta(minutes=20)  # the hold is over, the sweep is due, the money comes now
    endings = []
    for round_no in range(ROUNDS):
        booking = awaiting_booking(round_no)
        payload, received = checked_invoice(booking), []

        outcomes = race([delivery(payload, f"tg-{round_no}", received, now=later),
                         lambda: payment_holds_sweep(now=later)])

        assert outcomes == {"ok": 2}, outcomes
        payment = Payment.objects.get(booking_id=booking.pk, resource_type="equipment")
        assert payment.state == Payment.State.PAID  # the money is recorded, whoever won
        events = topics(booking)
        if received == ["paid"]:
            assert status(booking) == Status.PENDING
            assert Event.Topic.NOT_PAID not in events and events.count(Event.Topic.PAID) == 1
            assert wallet_balance(booking.client) == 0 and payment.wallet_transaction is None
        else:
            assert received == ["late"], received
            assert status(booking) == Status.CANCELLED
            assert events.count(Event.Topic.NOT_PAID) == 1 and Event.Topic.PAID not in events
            assert wallet_balance(booking.client) == PRICE == payment.wallet_transaction.amount
        endings.append(received[0])
    print(f"who won, per round: {endings}")
