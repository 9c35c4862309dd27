"""The booking page's "My bookings" on a phone shows the wallet's balance in the clinic's currency while it holds
money, with or without bookings, and nothing about a wallet while it is empty."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kernel.channels import Actor
from payments.models import WalletTransaction
from payments.wallets import wallet_post
from tests import factories
from tests.browser import test_booking_page as booking_page

_bot_api_server, bot_api = booking_page._bot_api_server, booking_page.bot_api
phone, catalogue, open_page = booking_page.phone, booking_page.catalogue, booking_page.open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def client_with(account, name: str, amount: str | None):
    client = factories.ClientFactory(name=name, telegram_account=account)
    if amount is not None:
        wallet_post(client=client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal(amount), reason="cash",
                    actor=Actor.system(), idempotency_key=f"cash:{client.pk}", now=timezone.now())


def test_my_bookings_shows_the_wallet_balance_while_it_holds_money(phone, live_server, bot_api, catalogue,
                                                                   screenshots):
    ann = factories.TelegramAccountFactory(telegram_id=1001, first_name="Ann", language_code="en")
    client_with(ann, "Ann Smith", "12500.50")

    page = open_page(phone, live_server, tab="bookings")
    page.wait_for_selector("#wallet")
    page.screenshot(path=str(screenshots / "booking-page-wallet.png"), full_page=True)

    assert page.inner_text("#wallet") == "💰 Wallet: 12,500.50\u00a0₽"
    assert "You have no bookings yet." in page.inner_text("#panel-bookings")


def test_each_client_holding_money_is_shown_and_an_empty_wallet_is_not(phone, live_server, bot_api, catalogue):
    ann = factories.TelegramAccountFactory(telegram_id=1001, first_name="Ann", language_code="en")
    client_with(ann, "Ann Smith", "300")
    client_with(ann, "Tom Smith", "1000")
    factories.TelegramAccountFactory(telegram_id=1002, first_name="Ben", language_code="en")

    page = open_page(phone, live_server, tab="bookings")
    page.wait_for_selector("#wallet")
    lines = [line for line in page.inner_text("#wallet").splitlines() if line]
    assert lines == ["💰 Wallets:", "Ann Smith: 300\u00a0₽", "Tom Smith: 1,000\u00a0₽"]

    page = open_page(phone.context.new_page(), live_server, telegram_id=1002, first_name="Ben", tab="bookings")
    page.wait_for_selector("#panel-bookings .hint")
    assert page.locator("#wallet").count() == 0
