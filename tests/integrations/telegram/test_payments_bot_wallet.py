"""Topping the wallet up and buying a package in the bots, through the real webhook: /wallet offers top-up
buttons (only with Telegram Payments on, never to a manager) and a "Buy" button per package on sale; a button
sends an invoice, Telegram's pre-checkout query is accepted, and its successful payment credits the wallet or
sells the package exactly once, however often the update comes; the package then pays for the next appointment
of its service, and a product taken off sale after its invoice still sells (the money was received)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from accounts.models import Client, TelegramAccount
from cabinets.models import CabinetBooking
from kernel.bookings import Status
from kernel.pricing.services import booking_price
from payments.models import ClientPackage, PackageProduct, Payment, WalletTransaction
from payments.wallets import wallet_balance
from specialists.models import Service
from tests import factories
from tests.clock import NOW
from tests.integrations.telegram.conftest import said
from tests.integrations.telegram.test_payments_bot import (
    TOKEN,
    accepted,
    invoice_of,
    pre_checkout,
    successful_payment,
)
from tests.specialists.conftest import WEEKDAYS, specialist

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+79991234567"


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = TOKEN
    settings.PAYMENT_HOLD_MINUTES = 15


def client_of(user, name="Anna Smirnova", phone=PHONE) -> Client:
    """The client record the user books as (after /start, which makes the Telegram account)."""
    user.send("/start")
    return Client.objects.create(name=name, phone=phone,
                                 telegram_account=TelegramAccount.objects.get(telegram_id=user.id))


def buttons(calls) -> list[dict]:
    return [button for call in calls if call.method == "sendMessage" for button in call.buttons]


def deposits(client) -> list[WalletTransaction]:
    return list(WalletTransaction.objects.filter(client=client, kind=WalletTransaction.Kind.DEPOSIT))


# --- Topping the wallet up ----------------------------------------------------------------------------------

def test_wallet_offers_three_top_ups_for_the_client_the_user_books_as(ann, bot_api):
    client = client_of(ann)

    calls = ann.send("/wallet")

    assert "Or top it up here, by card:" in said(calls) and "💳 Top up the wallet:" in said(calls)
    assert [(b["text"], b["callback_data"]) for b in buttons(calls)] == [
        ("+1,000\u00a0₽", f"eq:tu1:{client.pk}"), ("+3,000\u00a0₽", f"eq:tu3:{client.pk}"),
        ("+5,000\u00a0₽", f"eq:tu5:{client.pk}")]


def test_no_top_up_buttons_while_payments_are_off(ann, bot_api, settings):
    client_of(ann)
    settings.PAYMENT_PROVIDER_TOKEN = ""

    calls = ann.send("/wallet")

    assert "💰 Wallet: 0\u00a0₽" in said(calls)
    assert "top it up here" not in said(calls) and buttons(calls) == []


def test_a_manager_is_offered_no_top_up_even_with_a_client_of_their_own(boss, bot_api):
    client_of(boss, name="Maria Ivanova", phone="+79990000000")

    calls = boss.send("/wallet")

    assert "💰 Wallet: 0\u00a0₽" in said(calls)
    assert not [b for b in buttons(calls) if b["callback_data"].startswith("eq:tu")]


def test_plus_one_thousand_sends_an_invoice_for_one_thousand(ann, bot_api):
    client = client_of(ann)
    ann.send("/wallet")

    invoice = invoice_of(ann.press("+1,000"))

    payment = Payment.objects.get()
    assert (payment.purpose, payment.client_id, payment.amount) == (Payment.Purpose.TOPUP, client.pk,
                                                                    Decimal("1000.00"))
    assert invoice.chat_id == ann.id and invoice.fields["provider_token"] == TOKEN
    assert invoice.fields["currency"] == "RUB" and invoice.fields["title"] == "Wallet top-up"
    assert invoice.fields["prices"] == [{"label": "Top-up", "amount": 100000}]
    assert invoice.fields["payload"] == payment.invoice_payload
    assert wallet_balance(client) == Decimal("0.00")  # nothing is credited before the money comes


def test_a_paid_top_up_raises_the_balance_once_however_often_telegram_says_so(ann, bot_api):
    client = client_of(ann)
    ann.send("/wallet")
    invoice = invoice_of(ann.press("+1,000"))

    assert accepted(pre_checkout(ann, invoice))
    update, paid = successful_payment(ann, invoice, charge="tg-topup")
    again = successful_payment(ann, invoice, update=update)[1]  # the webhook's dedupe: the same update
    resent = successful_payment(ann, invoice, charge="tg-topup")[1]  # a new update about the same charge

    assert "💰 Your wallet is topped up by 1,000\u00a0₽. Balance: 1,000\u00a0₽" in said(paid)
    assert again == []
    assert "This payment is already recorded." in said(resent) and "topped up" not in said(resent)
    assert wallet_balance(client) == Decimal("1000.00")
    payment = Payment.objects.get()
    [deposit] = deposits(client)
    assert payment.state == Payment.State.PAID and payment.telegram_payment_charge_id == "tg-topup"
    assert payment.wallet_transaction_id == deposit.pk and deposit.amount == Decimal("1000.00")


def test_the_balance_in_the_reply_counts_what_the_wallet_held_before(ann, bot_api):
    client_of(ann)
    ann.send("/wallet")
    first = invoice_of(ann.press("+1,000"))
    successful_payment(ann, first)
    ann.send("/wallet")

    paid = successful_payment(ann, invoice_of(ann.press("+5,000")))[1]

    assert "topped up by 5,000\u00a0₽. Balance: 6,000\u00a0₽" in said(paid)
    assert "💰 Wallet: 6,000\u00a0₽" in said(ann.send("/wallet"))


def test_a_top_up_for_a_client_the_user_does_not_book_as_is_refused(ann, ben, bot_api):
    client_of(ann)
    bens = client_of(ben, name="Ben Brown", phone="+79997654321")
    ann.send("/wallet")
    _button, message_id = ann.find("+1,000")

    calls = ann.press_data(f"eq:tu1:{bens.pk}", message_id)

    assert "This button is out of date." in said(calls)
    assert not [call for call in calls if call.method == "sendInvoice"]
    assert not Payment.objects.exists()


# --- Packages -----------------------------------------------------------------------------------------------

@pytest.fixture
def ultrasound(transactional_db):
    """A prepaid service with one specialist and one room, open every weekday."""
    room = factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"), opens=time(8), closes=time(20),
                               lunch=None)
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"), prepayment_required=True)
    service.specialists.set([specialist("Анна Смирнова", {d: [(time(9), time(18))] for d in WEEKDAYS})])
    service.cabinets.set([room])
    return service


@pytest.fixture
def five_ultrasounds(ultrasound):
    return PackageProduct.objects.create(service=ultrasound, sessions=5, price=Decimal("10000.00"), validity_days=30)


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


def buy(user, label="🎫 Buy УЗИ брюшной полости × 5"):
    user.send("/wallet")
    return invoice_of(user.press(label))


def book_ultrasound(user):
    """The service dialog to its card; returns what the card said and the calls Confirm made."""
    user.send("🩺 Book a service")
    user.press("Диагностика")
    user.press("УЗИ брюшной полости")
    user.press("👩‍⚕️ Анна Смирнова")
    user.press("24")
    user.press("10:00")
    user.send("Anna Smirnova")
    card = user.share_contact(PHONE)
    if "date of birth" in said(card):
        card = user.press("Skip")
    return said(card), user.press("✅ Confirm")


def test_wallet_offers_each_package_on_sale(ann_cab, five_ultrasounds, bot_api):
    client_of(ann_cab)
    PackageProduct.objects.create(service=five_ultrasounds.service, sessions=10, price=Decimal("18000.00"),
                                  validity_days=60, is_active=False)

    calls = ann_cab.send("/wallet")

    assert "🎫 Packages on sale:" in said(calls)
    assert [(b["text"], b["callback_data"]) for b in buttons(calls) if b["callback_data"].startswith("cab:pkg")] \
        == [("🎫 Buy УЗИ брюшной полости × 5 for 10,000\u00a0₽", f"cab:pkg:{five_ultrasounds.pk}")]


def test_no_package_buttons_for_someone_booking_for_several_clients_or_with_payments_off(ann_cab, five_ultrasounds,
                                                                                        bot_api, settings):
    client_of(ann_cab)
    client_of(ann_cab, name="Tom Smirnov", phone="+79990001122")

    several = ann_cab.send("/wallet")
    settings.PAYMENT_PROVIDER_TOKEN = ""
    off = ann_cab.send("/wallet")

    assert "Packages on sale" not in said(several) + said(off)
    assert not [b for b in buttons(several) + buttons(off) if b["callback_data"].startswith("cab:pkg")]


def test_buy_sends_an_invoice_for_the_product_s_price(ann_cab, five_ultrasounds, bot_api):
    client = client_of(ann_cab)

    invoice = buy(ann_cab)

    payment = Payment.objects.get()
    assert (payment.purpose, payment.client_id, payment.product_id, payment.amount) == (
        Payment.Purpose.PACKAGE, client.pk, five_ultrasounds.pk, Decimal("10000.00"))
    assert invoice.fields["currency"] == "RUB" and invoice.fields["payload"] == payment.invoice_payload
    assert invoice.fields["prices"] == [{"label": "УЗИ брюшной полости × 5", "amount": 1000000}]
    assert invoice.fields["description"] == "5 sessions of УЗИ брюшной полости, valid 30 days."
    assert not ClientPackage.objects.exists()


def test_a_paid_package_is_sold_once_and_the_reply_names_its_sessions_and_expiry(ann_cab, five_ultrasounds,
                                                                                 bot_api):
    client = client_of(ann_cab)
    invoice = buy(ann_cab)

    assert accepted(pre_checkout(ann_cab, invoice))
    update, paid = successful_payment(ann_cab, invoice, charge="tg-package")
    again = successful_payment(ann_cab, invoice, update=update)[1]
    resent = successful_payment(ann_cab, invoice, charge="tg-package")[1]

    payment = Payment.objects.get()
    package = ClientPackage.objects.get()
    valid_until = NOW.date() + timedelta(days=30)
    assert (package.client_id, package.product_id, package.sessions, package.price) == (
        client.pk, five_ultrasounds.pk, 5, Decimal("10000.00"))
    assert package.paid_by == ClientPackage.PaidBy.TELEGRAM and package.idempotency_key == f"payment:{payment.pk}"
    assert package.valid_until == valid_until
    assert (f"🎫 Package «УЗИ брюшной полости» is yours: 5 sessions, valid until {valid_until:%d.%m.%Y}"
            in said(paid))
    assert again == [] and "This payment is already recorded." in said(resent)
    assert payment.state == Payment.State.PAID
    assert not WalletTransaction.objects.exists()  # paid by card: the wallet is not touched
    assert "🎫 Package «УЗИ брюшной полости»: 5 of 5 sessions left" in said(ann_cab.send("📊 My bookings"))


def test_the_next_appointment_of_the_service_is_a_session_of_the_package_bought(ann_cab, five_ultrasounds,
                                                                               bot_api):
    client_of(ann_cab)
    invoice = buy(ann_cab)
    pre_checkout(ann_cab, invoice)
    successful_payment(ann_cab, invoice)

    card, confirmed = book_ultrasound(ann_cab)

    booking = CabinetBooking.objects.get()
    price = booking_price(resource_type="cabinet", booking_id=booking.pk)
    assert "package: session 1 of 5" in card and "total 0\u00a0₽" in card
    assert [(line.kind, line.amount) for line in price.lines] == [("base", Decimal("2500.00")),
                                                                  ("package", Decimal("-2500.00"))]
    assert price.total == Decimal("0.00")
    assert booking.status != Status.AWAITING_PAYMENT  # nothing left to prepay
    assert not [call for call in confirmed if call.method == "sendInvoice"]
    assert "4 of 5 sessions left" in said(ann_cab.send("📊 My bookings"))


def test_without_the_package_the_same_appointment_waits_for_its_payment(ann_cab, five_ultrasounds, bot_api):
    client_of(ann_cab)

    card, confirmed = book_ultrasound(ann_cab)

    assert "package" not in card and "total 2,500\u00a0₽" in card
    assert CabinetBooking.objects.get().status == Status.AWAITING_PAYMENT
    assert invoice_of(confirmed).fields["prices"] == [{"label": "УЗИ брюшной полости", "amount": 250000}]


def test_a_product_taken_off_sale_after_its_invoice_still_sells_because_the_money_came(ann_cab, five_ultrasounds,
                                                                                       bot_api):
    client = client_of(ann_cab)
    invoice = buy(ann_cab)
    five_ultrasounds.is_active = False
    five_ultrasounds.save(update_fields=["is_active"])

    assert accepted(pre_checkout(ann_cab, invoice))
    paid = successful_payment(ann_cab, invoice)[1]

    assert "is yours: 5 sessions" in said(paid)
    assert ClientPackage.objects.get().client_id == client.pk
    assert "Packages on sale" not in said(ann_cab.send("/wallet"))  # and it is offered no more


def test_a_package_button_of_a_product_no_longer_on_sale_sends_no_invoice(ann_cab, five_ultrasounds, bot_api):
    client_of(ann_cab)
    ann_cab.send("/wallet")
    five_ultrasounds.is_active = False
    five_ultrasounds.save(update_fields=["is_active"])

    calls = ann_cab.press("🎫 Buy")

    assert "This package is not on sale." in said(calls)
    assert not [call for call in calls if call.method == "sendInvoice"] and not Payment.objects.exists()


def test_a_package_button_of_a_service_no_longer_offered_sends_no_invoice(ann_cab, five_ultrasounds, bot_api):
    client_of(ann_cab)
    ann_cab.send("/wallet")
    Service.objects.filter(pk=five_ultrasounds.service_id).update(is_active=False)

    calls = ann_cab.press("🎫 Buy")

    assert "This package is not on sale." in said(calls)
    assert not [call for call in calls if call.method == "sendInvoice"] and not Payment.objects.exists()
    assert "Packages on sale" not in said(ann_cab.send("/wallet"))
