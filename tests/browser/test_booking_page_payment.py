"""Paying on the booking page in Chromium at a phone's size, with the test playing the Telegram app: it records the
events the page posts (TelegramWebviewProxy.postEvent, as the phone and desktop apps offer it) and answers with
`invoice_closed` through Telegram.WebView.receiveEvent, as they do. A booking of a prepaid item waits for its
payment; Pay opens the invoice link's slug with `web_app_open_invoice`; "paid" is shown and the booking read again
until the bot's webhook has recorded the payment; "failed" ends the booking as not paid."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from integrations.texts import hhmm
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.prepayment import payment_due_by
from payments.checkout import payment_received, pre_checkout
from payments.models import Payment, WalletTransaction
from payments.wallets import wallet_post
from tests import factories
from tests.browser import test_booking_page as booking_page
from tests.integrations.telegram.fake_bot_api import invoice_slug

_bot_api_server, bot_api = booking_page._bot_api_server, booking_page.bot_api
phone, open_page, today = booking_page.phone, booking_page.open_page, booking_page.today

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The Telegram app's side of the page: what the page posts is kept in window.posted.
TELEGRAM_APP = """
window.posted = [];
window.TelegramWebviewProxy = { postEvent: function (type, data) { window.posted.push([type, data]); } };
"""


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15
    settings.REFUND_FULL_HOURS_BEFORE = 24


@pytest.fixture
def ecg(transactional_db):
    return factories.ItemFactory(name="ECG machine", category="Diagnostics", quantity=1,
                                 price_per_day=Decimal("1500.00"), prepayment_required=True)


@pytest.fixture
def ann(transactional_db):
    return factories.TelegramAccountFactory(telegram_id=1001, first_name="Ann", language_code="en")


def in_telegram(page, live_server, **kwargs):
    page.add_init_script(TELEGRAM_APP)
    return open_page(page, live_server, **kwargs)


def invoices_opened(page) -> list[dict]:
    return [json.loads(data) for kind, data in page.evaluate("window.posted") if kind == "web_app_open_invoice"]


def invoice_closed(page, slug: str, status: str) -> None:
    page.evaluate("([slug, status]) => window.Telegram.WebView.receiveEvent('invoice_closed', "
                  "{slug: slug, status: status})", [slug, status])


def awaiting(item, account) -> EquipmentBooking:
    """A booking Ann made of `item` a week ahead, waiting for its payment."""
    booking = equipment_booking_create(item=item, start_date=today() + timedelta(days=7), client_name="Ann Smith",
                                       client_phone="+79991234567", actor=Actor.telegram(account),
                                       channel=Channel.WEBAPP, now=timezone.now())
    assert booking.status == Status.AWAITING_PAYMENT
    return booking


def pay_and_open_the_form(page, booking) -> Payment:
    card = f"[data-booking='equipment:{booking.pk}']"
    page.click(f"{card} [data-action=pay]")
    page.wait_for_function("window.posted.some(([kind]) => kind === 'web_app_open_invoice')")
    return Payment.objects.get(booking_id=booking.pk)


def test_a_prepaid_booking_is_paid_in_telegrams_form_and_shown_confirmed_once_the_bot_has_the_money(
        phone, live_server, bot_api, ecg, screenshots):
    page = in_telegram(phone, live_server)
    page.click(f"button[data-item='{ecg.pk}']")
    day = (today().replace(day=1) + timedelta(days=40)).replace(day=10)
    page.click(".month button[aria-label=next]")
    page.click(f"button[data-date='{day.isoformat()}']")
    page.click("#equipment-continue")
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")

    page.wait_for_selector("#payment-screen [data-action=pay]")
    booking = EquipmentBooking.objects.get()
    card = page.inner_text("#payment-screen")
    assert f"Pay 1,500\u00a0₽ by {hhmm(payment_due_by(booking))}" in card
    assert "the money goes back to your wallet" in card
    assert page.locator("#payment-screen [data-action=pay-from-wallet]").count() == 0  # the wallet is empty
    page.screenshot(path=str(screenshots / "booking-page-pay.png"), full_page=True)

    payment = pay_and_open_the_form(page, booking)
    assert invoices_opened(page) == [{"slug": invoice_slug(payment.invoice_payload)}]
    assert [call.fields["payload"] for call in bot_api.of("createInvoiceLink")] == [payment.invoice_payload]

    with page.expect_response(lambda response: response.url.endswith(f"/bookings/equipment/{booking.pk}")) as read:
        invoice_closed(page, invoice_slug(payment.invoice_payload), "paid")
        page.wait_for_selector("[data-notice]")
        assert "Payment received" in page.inner_text("[data-notice]")
        assert page.locator("#payment-screen [data-action=pay]").count() == 0
    assert read.value.json()["booking"]["status"] == "awaiting_payment"  # the bot has not heard of it yet

    # The successful_payment update reaches the bot's webhook, not the page: the page reads the booking again.
    assert pre_checkout(payload=payment.invoice_payload, currency="RUB", total_amount=150000,
                        now=timezone.now()) is None
    payment_received(payload=payment.invoice_payload, currency="RUB", total_amount=150000,
                     telegram_charge_id="tg-charge-1", provider_charge_id="prov-1", now=timezone.now())
    page.wait_for_function("document.querySelector('#payment-screen .status').textContent === "
                           "'waiting for confirmation'")
    assert f"Request {booking.reference} is sent" in page.inner_text("[data-notice]")
    assert page.locator("#payment-screen .payment").count() == 0


def test_a_failed_payment_ends_the_booking_as_not_paid(phone, live_server, bot_api, ecg, ann):
    booking = awaiting(ecg, ann)
    page = in_telegram(phone, live_server, tab="bookings")
    page.wait_for_selector(f"[data-booking='equipment:{booking.pk}'] [data-action=pay]")

    payment = pay_and_open_the_form(page, booking)
    invoice_closed(page, invoice_slug(payment.invoice_payload), "failed")

    page.wait_for_selector("[data-notice]")
    assert page.inner_text("[data-notice]") == f"Booking {booking.reference} is cancelled: it was not paid."
    card = f"[data-booking='equipment:{booking.pk}']"
    assert page.inner_text(f"{card} .status") == "cancelled"
    assert page.locator(f"{card} [data-action=pay]").count() == 0
    assert EquipmentBooking.objects.get(pk=booking.pk).status == Status.CANCELLED
    assert Payment.objects.get().state == Payment.State.FAILED


def test_a_form_closed_without_paying_keeps_pay_and_another_invoice_is_opened(phone, live_server, bot_api, ecg,
                                                                              ann):
    booking = awaiting(ecg, ann)
    page = in_telegram(phone, live_server, tab="bookings")
    card = f"[data-booking='equipment:{booking.pk}']"
    page.wait_for_selector(f"{card} [data-action=pay]")

    first = pay_and_open_the_form(page, booking)
    invoice_closed(page, invoice_slug(first.invoice_payload), "cancelled")

    page.wait_for_selector(f"{card} [data-notice]")
    assert f"You can still pay until {hhmm(payment_due_by(booking))}" in page.inner_text(f"{card} [data-notice]")
    page.click(f"{card} [data-action=pay]")
    page.wait_for_function("window.posted.filter(([kind]) => kind === 'web_app_open_invoice').length === 2")
    second = Payment.objects.exclude(pk=first.pk).get()
    assert invoices_opened(page)[1] == {"slug": invoice_slug(second.invoice_payload)}
    assert EquipmentBooking.objects.get(pk=booking.pk).status == Status.AWAITING_PAYMENT


def test_my_bookings_pays_from_the_wallet_when_it_covers_the_total(phone, live_server, bot_api, ecg, ann):
    booking = awaiting(ecg, ann)
    wallet_post(client=booking.client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal("2000"), reason="cash",
                actor=Actor.system(), idempotency_key="cash:1", now=timezone.now())
    page = in_telegram(phone, live_server, tab="bookings")
    card = f"[data-booking='equipment:{booking.pk}']"

    page.click(f"{card} [data-action=pay-from-wallet]")

    page.wait_for_function(f"document.querySelector(\"{card} .status\").textContent === 'waiting for confirmation'")
    assert page.inner_text("#wallet") == "💰 Wallet: 500\u00a0₽"
    assert f"Request {booking.reference} is sent" in page.inner_text(f"{card} [data-notice]")
    assert invoices_opened(page) == []
    assert Payment.objects.get().method == Payment.Method.WALLET
