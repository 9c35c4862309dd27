"""Telegram Payments in the bots, through the real webhook: a client's booking of an item that needs prepayment
waits for its payment with an invoice of its price's lines; Telegram's pre-checkout query is answered (refused
with the reason when the amount differs or the time to pay is over); a successful payment moves the booking on
and only then do the managers hear of it; a hold that expires is told to the client; money that comes late goes
to the wallet; a repeated update confirms nothing twice; the wallet pays, and is topped up, by invoice too."""

from __future__ import annotations

import itertools
from datetime import time, timedelta
from decimal import Decimal

import pytest

from accounts.models import Client, TelegramAccount
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.models import Delivery
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.outbox.models import Event
from payments.checkout import payment_holds_sweep
from payments.models import Payment, WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from specialists.models import Service
from tests import factories
from tests.clock import NOW
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import said
from tests.specialists.conftest import WEEKDAYS, specialist

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "284685063:TEST:token"
_charges = itertools.count(1)


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = TOKEN
    settings.PAYMENT_HOLD_MINUTES = 15
    settings.REFUND_FULL_HOURS_BEFORE = 24


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2, price_per_day=Decimal("1500.00"), prepayment_required=True)


def book(user, name="Anna Smirnova"):
    """The equipment dialog to its Confirm, pressed; returns the calls Confirm made and the booking."""
    user.send("/start")
    user.send("📋 Book")
    user.press("ЭКГ")
    user.press("›")  # December
    user.press("1")
    user.press("Single day")
    user.press("1")
    user.send(name)
    user.send("+79991234567")
    user.press("Skip")  # the birthday question
    calls = user.press("✅ Confirm")
    return calls, EquipmentBooking.objects.latest("pk")


def invoice_of(calls):
    invoices = [call for call in calls if call.method == "sendInvoice"]
    assert len(invoices) == 1, [call.method for call in calls]
    return invoices[0]


def pre_checkout(user, invoice, *, total=None, currency=None) -> dict:
    """Telegram asks whether the payment may go ahead; returns the bot's answerPreCheckoutQuery fields."""
    query_id = f"pcq-{next(_charges)}"
    calls = user.post({"update_id": next(_charges) + 50_000, "pre_checkout_query": {
        "id": query_id, "from": user.who, "currency": currency or invoice.fields["currency"],
        "total_amount": total if total is not None else sum(p["amount"] for p in invoice.fields["prices"]),
        "invoice_payload": invoice.fields["payload"]}})
    answers = [call for call in calls if call.method == "answerPreCheckoutQuery"]
    assert len(answers) == 1 and answers[0].fields["pre_checkout_query_id"] == query_id
    return answers[0].fields


def accepted(answer: dict) -> bool:
    return str(answer["ok"]).lower() == "true"


def successful_payment(user, invoice, *, charge=None, update=None):
    """Telegram's message that the invoice was paid; returns the update (to post again) and the calls."""
    update = update or user.message(successful_payment={
        "currency": invoice.fields["currency"], "total_amount": sum(p["amount"] for p in invoice.fields["prices"]),
        "invoice_payload": invoice.fields["payload"], "telegram_payment_charge_id": charge or f"tg-{next(_charges)}",
        "provider_payment_charge_id": f"prov-{next(_charges)}"})
    return update, user.post(update)


def fresh(booking):
    return EquipmentBooking.objects.get(pk=booking.pk)


def test_a_bot_booking_is_paid_end_to_end_and_the_managers_hear_of_it_only_then(ann, boss, ecg, bot_api):
    calls, booking = book(ann)

    assert booking.status == Status.AWAITING_PAYMENT
    text = said(calls)
    assert f"Booking {booking.reference} waits for payment until 10:15" in text
    assert "Cancel at least 24 hours before the start to get the money back to your wallet." in text
    invoice = invoice_of(calls)
    assert invoice.chat_id == ann.id and invoice.fields["provider_token"] == TOKEN
    assert invoice.fields["currency"] == "RUB" and invoice.fields["title"] == f"Booking {booking.reference}"
    assert invoice.fields["prices"] == [{"label": "ЭКГ аппарат · 1 pc × 1 day × 1,500\u00a0₽", "amount": 150000}]
    assert "ЭКГ аппарат, 01.12.2026" in invoice.fields["description"]
    assert not bot_api.of("sendMessage", chat_id=boss.id)  # no request for the managers yet

    assert accepted(pre_checkout(ann, invoice))
    _update, paid = successful_payment(ann, invoice)

    assert fresh(booking).status == Status.PENDING
    assert "✅ Payment received." in said(paid) and f"request {booking.reference} is created" in said(paid)
    to_boss = bot_api.of("sendMessage", chat_id=boss.id)
    assert len(to_boss) == 1 and f"New request {booking.reference}" in to_boss[0].text
    assert [b["callback_data"] for b in to_boss[0].buttons] == [f"eq:ap:{booking.pk}", f"eq:rj:{booking.pk}"]
    assert not Delivery.objects.filter(chat_id=ann.id).exists()  # the client was answered in the dialog only


def test_pre_checkout_is_refused_with_the_reason_when_the_amount_differs_or_the_time_to_pay_is_over(
        ann, ecg, bot_api, clock):
    calls, booking = book(ann)
    invoice = invoice_of(calls)

    wrong_amount = pre_checkout(ann, invoice, total=100)
    clock.move_to(NOW + timedelta(minutes=16), tick=False)
    too_late = pre_checkout(ann, invoice)

    assert not accepted(wrong_amount) and "amount does not match" in wrong_amount["error_message"]
    assert not accepted(too_late)
    assert f"time to pay for booking {booking.reference} is over" in too_late["error_message"]
    assert Payment.objects.get().state == Payment.State.CREATED


def test_the_pre_checkout_refusal_speaks_the_user_s_language(user_factory, ecg, bot_api):
    vera = user_factory(1003, first_name="Вера", language="ru")
    vera.send("/start")
    vera.send("📋 Создать заявку")
    vera.press("ЭКГ")
    vera.press("›")
    vera.press("1")
    vera.press("Один день")
    vera.press("1")
    vera.send("Вера Петрова")
    vera.send("+79991234567")
    vera.press("Пропустить")
    calls = vera.press("✅ Подтвердить")

    answer = pre_checkout(vera, invoice_of(calls), total=100)

    assert "ждёт оплаты до 10:15" in said(calls)
    assert not accepted(answer) and "Сумма не совпадает" in answer["error_message"]


def test_an_expired_hold_is_cancelled_and_the_client_told(ann, boss, ecg, bot_api, clock):
    _calls, booking = book(ann)

    later = NOW + timedelta(minutes=16)
    clock.move_to(later, tick=False)
    assert payment_holds_sweep(now=later) == 1

    assert fresh(booking).status == Status.CANCELLED
    told = bot_api.of("sendMessage", chat_id=ann.id)[-1].text
    assert f"🚫 Booking {booking.reference} was not paid in time and is cancelled." in told
    assert not bot_api.of("sendMessage", chat_id=boss.id)  # never a request, so never a cancellation either


def test_a_payment_after_the_hold_ended_goes_to_the_wallet_and_the_client_is_told_once(ann, boss, ecg, bot_api,
                                                                                       clock):
    calls, booking = book(ann)
    invoice = invoice_of(calls)
    assert accepted(pre_checkout(ann, invoice))
    later = NOW + timedelta(minutes=20)
    clock.move_to(later, tick=False)
    payment_holds_sweep(now=later)

    _update, paid = successful_payment(ann, invoice)

    assert fresh(booking).status == Status.CANCELLED
    assert wallet_balance(fresh(booking).client) == Decimal("1500.00")
    assert (f"The time to pay for booking {booking.reference} had ended, so the money (1,500\u00a0₽) is in your "
            "wallet. Balance: 1,500\u00a0₽") in said(paid)
    assert Event.objects.filter(topic=Event.Topic.PAID_LATE).count() == 1
    assert not [c for c in bot_api.of("sendMessage", chat_id=ann.id) if "had ended" in c.text and c not in paid]
    assert not bot_api.of("sendMessage", chat_id=boss.id)


def test_a_repeated_successful_payment_update_confirms_nothing_twice(ann, boss, ecg, bot_api):
    calls, _booking = book(ann)
    invoice = invoice_of(calls)
    pre_checkout(ann, invoice)
    update, _first = successful_payment(ann, invoice, charge="tg-once")

    again = successful_payment(ann, invoice, update=update)[1]  # the webhook's dedupe: the same update
    resent = successful_payment(ann, invoice, charge="tg-once")[1]  # a new update about the same charge

    assert again == []
    assert "already recorded" in said(resent) and "Payment received" not in said(resent)
    assert Payment.objects.filter(state=Payment.State.PAID).count() == 1
    assert Event.objects.filter(topic=Event.Topic.PAID).count() == 1
    assert len(bot_api.of("sendMessage", chat_id=boss.id)) == 1
    assert not WalletTransaction.objects.exists()


def test_the_wallet_pays_when_it_covers_the_total(ann, boss, ecg, bot_api):
    ann.send("/start")
    client = Client.objects.create(name="Anna Smirnova", phone="+79991234567",
                                   telegram_account=TelegramAccount.objects.get(telegram_id=ann.id))
    wallet_post(client=client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal("2000"), reason="cash",
                actor=Actor.system(), idempotency_key="cash", now=NOW)
    _calls, booking = book(ann)
    assert booking.client_id == client.pk

    paid = ann.press("👛 Pay from wallet")

    assert fresh(booking).status == Status.PENDING
    assert "Paid from your wallet. Balance: 500\u00a0₽" in said(paid)
    assert f"New request {booking.reference}" in bot_api.of("sendMessage", chat_id=boss.id)[-1].text
    assert Payment.objects.get(method=Payment.Method.WALLET).state == Payment.State.PAID


def test_no_pay_from_wallet_button_when_the_wallet_is_short(ann, ecg, bot_api):
    calls, _booking = book(ann)

    card = [call for call in calls if call.method == "sendMessage" and call.buttons][-1]
    assert [b["text"] for b in card.buttons] == ["Open", "❌ Cancel"]


def test_pay_in_my_bookings_sends_a_fresh_invoice(ann, ecg, bot_api):
    _calls, booking = book(ann)

    ann.send("📊 My bookings")
    calls = ann.press("💳 Pay")

    invoice = invoice_of(calls)
    assert Payment.objects.filter(booking_id=booking.pk).count() == 2
    assert invoice.fields["payload"] == Payment.objects.latest("pk").invoice_payload


def test_the_wallet_is_topped_up_by_invoice(ann, ecg, bot_api):
    ann.send("/start")
    client = Client.objects.create(name="Anna Smirnova", phone="+79991234567",
                                   telegram_account=TelegramAccount.objects.get(telegram_id=ann.id))

    ann.send("/wallet")
    invoice = invoice_of(ann.press("+3,000"))
    assert invoice.fields["prices"] == [{"label": "Top-up", "amount": 300000}]
    assert accepted(pre_checkout(ann, invoice))
    _update, paid = successful_payment(ann, invoice)

    assert "Your wallet is topped up by 3,000\u00a0₽. Balance: 3,000\u00a0₽" in said(paid)
    assert wallet_balance(client) == Decimal("3000.00")


def test_a_successful_payment_is_never_rate_limited(ann, ecg, bot_api, monkeypatch):
    calls, booking = book(ann)
    invoice = invoice_of(calls)
    monkeypatch.setattr("integrations.telegram.conversation.RATE_LIMIT_PER_MINUTE", 0)

    assert accepted(pre_checkout(ann, invoice))
    successful_payment(ann, invoice)

    assert fresh(booking).status == Status.PENDING


def test_a_paid_booking_cancelled_in_time_returns_the_money_to_the_wallet_and_the_client_is_told(ann, ecg,
                                                                                               bot_api):
    calls, booking = book(ann)
    invoice = invoice_of(calls)
    pre_checkout(ann, invoice)
    successful_payment(ann, invoice)

    ann.send("📊 My bookings")
    ann.press("❌ Cancel")
    ann.press("Yes, cancel it")

    assert fresh(booking).status == Status.CANCELLED
    assert wallet_balance(fresh(booking).client) == Decimal("1500.00")
    told = [c.text for c in bot_api.of("sendMessage", chat_id=ann.id) if "💸" in c.text]
    assert len(told) == 1
    assert told[0].startswith(f"💸 1,500\u00a0₽ returned to your wallet for booking {booking.reference}.")


def test_a_booking_cancelled_before_it_was_paid_is_no_news_for_the_managers(ann, boss, ecg, bot_api):
    _calls, booking = book(ann)

    ann.press("❌ Cancel")
    ann.press("Yes, cancel it")

    assert fresh(booking).status == Status.CANCELLED
    assert Payment.objects.get().state == Payment.State.CANCELLED
    assert not bot_api.of("sendMessage", chat_id=boss.id)


SPECIALIST_TELEGRAM = 700001


@pytest.fixture
def prepaid_ultrasound(transactional_db):
    room = factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"), opens=time(8), closes=time(20),
                               lunch=None)
    anna = specialist("Анна Смирнова", {d: [(time(9), time(18))] for d in WEEKDAYS},
                      telegram_id=SPECIALIST_TELEGRAM)
    factories.TelegramAccountFactory(telegram_id=SPECIALIST_TELEGRAM, first_name="Anna", language_code="en")
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"), prepayment_required=True)
    service.specialists.set([anna])
    service.cabinets.set([room])
    return service


def test_a_prepaid_service_is_news_for_its_specialist_only_once_paid(user_factory, prepaid_ultrasound, bot_api):
    ann_cab = user_factory(1001, bot="cabinet", first_name="Ann")
    ann_cab.send("/start")
    ann_cab.send("🩺 Book a service")
    ann_cab.press("Диагностика")
    ann_cab.press("УЗИ брюшной полости")
    ann_cab.press("👩‍⚕️ Анна Смирнова")
    ann_cab.press("24")
    ann_cab.press("10:00")
    ann_cab.send("Мария Петрова")
    ann_cab.share_contact("+79991234567")
    ann_cab.press("Skip")
    calls = ann_cab.press("✅ Confirm")
    booking = CabinetBooking.objects.get()

    invoice = invoice_of(calls)
    assert booking.status == Status.AWAITING_PAYMENT
    assert invoice.fields["prices"] == [{"label": "УЗИ брюшной полости", "amount": 250000}]
    assert not bot_api.of("sendMessage", chat_id=SPECIALIST_TELEGRAM)

    assert accepted(pre_checkout(ann_cab, invoice))
    successful_payment(ann_cab, invoice)

    told = [call.text for call in bot_api.of("sendMessage", chat_id=SPECIALIST_TELEGRAM)]
    assert len(told) == 1 and f"New appointment {booking.reference}" in told[0]
