"""Money that went to the client's wallet when it came (a top-up, a payment for a booking that no longer awaited
it) is never refunded a second time: not when its booking ends, not by a manager."""

from __future__ import annotations

from decimal import Decimal

import pytest

from equipment.services import equipment_booking_cancel
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from payments.checkout import invoice_open, payment_received, pre_checkout
from payments.invoices import topup_invoice_open
from payments.models import Payment, Refund
from payments.refunds import refund_make
from payments.wallets import wallet_balance
from tests import factories
from tests.clock import NOW
from tests.payments.test_checkout import book, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15
    settings.REFUND_FULL_HOURS_BEFORE = 24


@pytest.fixture
def ecg(db):
    return factories.ItemFactory(name="ЭКГ", quantity=1, price_per_day=Decimal("1500.00"), prepayment_required=True)


@pytest.fixture
def anna(db):
    return factories.TelegramAccountFactory()


@pytest.fixture
def staff(db):
    return factories.StaffUserFactory(username="manager")


def checked_invoice(booking) -> str:
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(booking.requester)).payload
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    return payload


def paid(payload: str, charge: str) -> str:
    return payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id=charge,
                            provider_charge_id="prov", now=NOW).outcome


def test_a_second_invoice_paid_goes_to_the_wallet_once_and_is_not_refunded_again_when_the_booking_ends(ecg, anna):
    booking = book(ecg, anna)
    first, second = checked_invoice(booking), checked_invoice(booking)
    assert (paid(first, "tg-1"), paid(second, "tg-2")) == ("paid", "late")

    equipment_booking_cancel(booking=fresh(booking), actor=Actor.telegram(anna), now=NOW, channel=Channel.BOT)

    assert fresh(booking).status == Status.CANCELLED
    refund = Refund.objects.get()  # the first payment's, for the cancellation
    assert refund.payment.telegram_payment_charge_id == "tg-1"
    assert wallet_balance(fresh(booking).client) == Decimal("3000.00")  # 1500 late + 1500 refunded, not 4500


def test_a_manager_cannot_refund_money_already_in_the_wallet(ecg, anna, staff):
    booking = book(ecg, anna)
    first, second = checked_invoice(booking), checked_invoice(booking)
    paid(first, "tg-1"), paid(second, "tg-2")
    topup = topup_invoice_open(client=fresh(booking).client, amount=Decimal("500.00"), actor=Actor.telegram(anna),
                               now=NOW)
    payment_received(payload=topup.payload, currency="RUB", total_amount=50000, telegram_charge_id="tg-3",
                     provider_charge_id="prov", now=NOW)

    for charge in ("tg-2", "tg-3"):
        for destination in ("wallet", "card"):
            with pytest.raises(BookingError) as refused:
                refund_make(payment=Payment.objects.get(telegram_payment_charge_id=charge), amount=Decimal("100.00"),
                            destination=destination, reason="Клиент попросил", actor=Actor.staff(staff), now=NOW,
                            idempotency_key=f"{charge}-{destination}")
            assert "зачислены в кошелёк" in refused.value.message
    assert not Refund.objects.exists()
    assert wallet_balance(fresh(booking).client) == Decimal("2000.00")
