"""Paying for a booking: a client's booking of a resource that requires prepayment waits for its payment,
holding its place and its discount; paid, it moves on as if just made; not paid in time, failed or cancelled,
every step it took is undone once; money that comes late goes to the wallet; refunds follow the policy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_reject
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.pricing.quota import daily_limit_set, quota_used
from payments.checkout import (
    invoice_open,
    minor_units,
    payment_failed,
    payment_holds_sweep,
    payment_received,
    pre_checkout,
)
from payments.direct import mark_paid_in_cash, pay_from_wallet
from payments.models import Payment, Refund, WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.clock import NOW
from tests.kernel.pricing.conftest import make_rule

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)  # a week after NOW
State = Payment.State


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


def book(item, account, *, channel=Channel.BOT, now=NOW, day=DAY, actor=None):
    return equipment_booking_create(item=item, start_date=day, units=1, client_name="Мария Петрова",
                                    client_phone="+79991112233", actor=actor or Actor.telegram(account),
                                    channel=channel, now=now)


def pay(booking, *, charge="tg-charge-1", now=NOW, payload=None, amount=None):
    if payload is None:
        payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=now,
                               actor=Actor.telegram(booking.requester)).payload
    total = amount if amount is not None else minor_units(Decimal("1500.00"), "RUB")
    assert pre_checkout(payload=payload, currency="RUB", total_amount=total, now=now) is None
    return payment_received(payload=payload, currency="RUB", total_amount=total, telegram_charge_id=charge,
                            provider_charge_id="prov-1", now=now)


def fresh(booking):
    return EquipmentBooking.objects.get(pk=booking.pk)


def topics(booking) -> list[str]:
    return list(Event.objects.filter(booking_id=booking.pk, resource_type="equipment").order_by("pk")
                .values_list("topic", flat=True))


def test_a_clients_booking_of_a_prepaid_item_awaits_payment_and_holds_the_last_unit(ecg, anna):
    booking = book(ecg, anna)

    assert booking.status == Status.AWAITING_PAYMENT
    assert list(booking.history.values_list("from_status", "to_status")) == [("", "awaiting_payment")]
    with pytest.raises(BookingError) as refused:
        book(ecg, factories.TelegramAccountFactory())
    assert refused.value.code == "no_capacity"


def test_without_a_provider_token_nobody_prepays(ecg, anna, settings):
    settings.PAYMENT_PROVIDER_TOKEN = ""
    assert book(ecg, anna).status == Status.PENDING


def test_managers_partners_and_free_bookings_never_await_payment(ecg, anna, staff):
    manager = factories.TelegramAccountFactory(is_manager=True)
    assert book(ecg, manager).status == Status.APPROVED
    assert book(ecg, None, actor=Actor.staff(staff), channel=Channel.ADMIN, day=DAY + timedelta(days=1)
                ).status == Status.APPROVED
    free = factories.ItemFactory(name="Ширма", quantity=2, price_per_day=None, prepayment_required=True)
    assert book(free, anna).status == Status.PENDING


def test_a_paid_booking_moves_on_as_if_just_made_and_the_managers_hear_of_it_then(ecg, anna):
    booking = book(ecg, anna)

    received = pay(booking)

    assert received.outcome == "paid"
    booking = fresh(booking)
    assert booking.status == Status.PENDING
    payment = Payment.objects.get()
    assert (payment.state, payment.method, payment.amount) == (State.PAID, "telegram", Decimal("1500.00"))
    assert (payment.telegram_payment_charge_id, payment.provider_payment_charge_id) == ("tg-charge-1", "prov-1")
    assert topics(booking) == ["booking.created", "booking.paid"]
    assert list(booking.history.values_list("to_status", flat=True)) == ["awaiting_payment", "pending"]


def test_a_repeated_successful_payment_update_confirms_nothing_twice(ecg, anna):
    booking = book(ecg, anna)
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(anna)).payload
    pay(booking, payload=payload)

    again = payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id="tg-charge-1",
                             provider_charge_id="prov-1", now=NOW)

    assert again.outcome == "repeat"
    assert Payment.objects.filter(state=State.PAID).count() == 1
    assert topics(booking).count("booking.paid") == 1
    assert not WalletTransaction.objects.exists()


def test_pre_checkout_is_refused_when_the_amount_differs_or_the_hold_is_over(ecg, anna):
    booking = book(ecg, anna)
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(anna)).payload

    with translation.override("en"):  # the refusals are shown to the client in their language
        assert "amount" in pre_checkout(payload=payload, currency="RUB", total_amount=100, now=NOW)
        assert "amount" in pre_checkout(payload=payload, currency="USD", total_amount=150000, now=NOW)
        assert "over" in pre_checkout(payload=payload, currency="RUB", total_amount=150000,
                                      now=NOW + timedelta(minutes=16))
        assert "not known" in pre_checkout(payload="p.nothing", currency="RUB", total_amount=150000, now=NOW)
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    assert Payment.objects.get().state == State.PENDING


def test_an_expired_hold_is_compensated_once_capacity_and_discount_given_back(ecg, anna):
    daily_limit_set(1)
    make_rule("threshold", "10", min_total="1000")
    booking = book(ecg, anna)
    invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW, actor=Actor.telegram(anna))
    assert quota_used(NOW.date()) == 1

    assert payment_holds_sweep(now=NOW + timedelta(minutes=14)) == 0
    assert payment_holds_sweep(now=NOW + timedelta(minutes=15)) == 1
    assert payment_holds_sweep(now=NOW + timedelta(minutes=16)) == 0

    booking = fresh(booking)
    assert (booking.status, booking.status_reason) == (Status.CANCELLED, "not paid in time")
    assert quota_used(NOW.date()) == 0
    assert Payment.objects.get().state == State.CANCELLED
    assert topics(booking) == ["booking.created", "booking.not_paid"]
    assert book(ecg, factories.TelegramAccountFactory(), now=NOW + timedelta(minutes=16)).status == \
        Status.AWAITING_PAYMENT


def test_a_payment_after_the_hold_ended_goes_to_the_wallet_and_confirms_nothing(ecg, anna):
    booking = book(ecg, anna)
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(anna)).payload
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    payment_holds_sweep(now=NOW + timedelta(minutes=20))

    received = payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id="late-1",
                                provider_charge_id="p", now=NOW + timedelta(minutes=21))

    assert received.outcome == "late"
    assert fresh(booking).status == Status.CANCELLED
    payment = Payment.objects.get()
    assert payment.state == State.PAID and payment.wallet_transaction.amount == Decimal("1500.00")
    assert wallet_balance(fresh(booking).client) == Decimal("1500.00")
    assert topics(booking)[-1] == "payment.late"


def test_a_failed_payment_ends_the_booking_as_not_paid(ecg, anna):
    booking = book(ecg, anna)
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(anna)).payload

    payment_failed(payload=payload, now=NOW)
    payment_failed(payload=payload, now=NOW)

    assert fresh(booking).status == Status.CANCELLED
    assert Payment.objects.get().state == State.FAILED
    assert topics(booking).count("booking.not_paid") == 1


def test_a_manager_cannot_approve_a_booking_awaiting_payment_but_can_mark_it_paid_in_cash(ecg, anna, staff):
    booking = book(ecg, anna)
    with pytest.raises(BookingError) as refused:
        from equipment.services import equipment_booking_approve

        equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    assert refused.value.code == "awaiting_payment"

    payment = mark_paid_in_cash(booking=booking, resource_type="equipment", actor=Actor.staff(staff), now=NOW,
                                idempotency_key="cash-1")

    assert (payment.method, payment.state) == ("cash", State.PAID)
    assert fresh(booking).status == Status.PENDING
    assert mark_paid_in_cash(booking=booking, resource_type="equipment", actor=Actor.staff(staff), now=NOW,
                             idempotency_key="cash-1") == payment


def test_a_booking_is_paid_from_the_wallet_when_it_covers_the_total(ecg, anna):
    booking = book(ecg, anna)
    client = booking.client
    with pytest.raises(BookingError) as refused:
        pay_from_wallet(booking=booking, resource_type="equipment", actor=Actor.telegram(anna), channel=Channel.BOT,
                        now=NOW)
    assert refused.value.code == "wallet_insufficient"
    wallet_post(client=client, kind="deposit", amount=Decimal("2000.00"), reason="cash", actor=Actor.system(),
                idempotency_key="dep-1", now=NOW)

    pay_from_wallet(booking=booking, resource_type="equipment", actor=Actor.telegram(anna), channel=Channel.BOT,
                    now=NOW)

    assert fresh(booking).status == Status.PENDING
    assert wallet_balance(client) == Decimal("500.00")


def test_a_client_cancelling_early_gets_the_money_back_to_the_wallet_once(ecg, anna):
    booking = book(ecg, anna)
    pay(booking)

    equipment_booking_cancel(booking=fresh(booking), actor=Actor.telegram(anna), now=NOW, channel=Channel.BOT)

    refund = Refund.objects.get()
    assert (refund.destination, refund.amount) == ("wallet", Decimal("1500.00"))
    assert Payment.objects.get().state == State.REFUNDED
    assert wallet_balance(fresh(booking).client) == Decimal("1500.00")
    assert topics(booking)[-1] == "payment.refunded"


def test_a_client_cancelling_late_gets_nothing_back(ecg, anna, settings):
    settings.REFUND_FULL_HOURS_BEFORE = 24 * 30
    booking = book(ecg, anna)
    pay(booking)

    equipment_booking_cancel(booking=fresh(booking), actor=Actor.telegram(anna), now=NOW, channel=Channel.BOT)

    assert not Refund.objects.exists()
    assert Payment.objects.get().state == State.PAID


def test_a_managers_rejection_always_refunds_in_full(ecg, anna, staff, settings):
    settings.REFUND_FULL_HOURS_BEFORE = 24 * 30
    booking = book(ecg, anna)
    pay(booking)

    equipment_booking_reject(booking=fresh(booking), actor=Actor.staff(staff), now=NOW, reason="Прибор на поверке")

    assert Refund.objects.get().amount == Decimal("1500.00")
    assert wallet_balance(fresh(booking).client) == Decimal("1500.00")


def test_a_client_cancelling_before_paying_closes_the_invoice(ecg, anna):
    booking = book(ecg, anna)
    payload = invoice_open(booking=booking, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(anna)).payload

    equipment_booking_cancel(booking=fresh(booking), actor=Actor.telegram(anna), now=NOW, channel=Channel.BOT)

    assert Payment.objects.get().state == State.CANCELLED
    with translation.override("en"):
        assert "no longer valid" in pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW)
