"""The wallet in both bots: /wallet tells the balance (zero too), "My bookings" adds it while it holds money and
the packages with sessions left, and someone who books for several clients sees each one's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import TelegramAccount
from kernel.channels import Actor
from payments.models import ClientPackage, PackageProduct, WalletTransaction
from payments.packages import package_sell
from payments.wallets import wallet_post
from specialists.models import Service
from tests import factories
from tests.clock import NOW
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


def client_of(user, name="Ann Smith", amount=None):
    """The client record the user books as, with `amount` deposited in its wallet."""
    user.send("/start")
    client = factories.ClientFactory(name=name, telegram_account=TelegramAccount.objects.get(telegram_id=user.id))
    if amount is not None:
        wallet_post(client=client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal(amount), reason="cash",
                    actor=Actor.system(), idempotency_key=f"cash:{client.pk}", now=NOW)
    return client


def test_wallet_tells_the_balance_of_the_client_the_user_books_as(ann):
    client_of(ann, amount="1500")

    calls = ann.send("/wallet")

    assert "💰 Wallet: 1,500\u00a0₽" in said(calls)
    assert "A manager tops the wallet up when you pay at the clinic." in said(calls)


def test_wallet_in_the_cabinet_bot_speaks_russian_and_shows_kopecks_only_when_there_are_some(user_factory):
    user = user_factory(1003, bot="cabinet", first_name="Вера", language="ru")
    client_of(user, name="Вера Петрова", amount="1250.50")

    assert "💰 Кошелёк: 1\u00a0250,50\u00a0₽" in said(user.send("/wallet"))


def test_an_empty_wallet_is_zero_and_so_is_no_client_yet(ann, ben):
    client_of(ann)

    assert "💰 Wallet: 0\u00a0₽" in said(ann.send("/wallet"))
    assert "💰 Wallet: 0\u00a0₽" in said(ben.send("/wallet"))


def test_my_bookings_shows_the_balance_only_while_the_wallet_holds_money(ann, ben):
    client_of(ann, amount="700")
    client_of(ben)

    assert "💰 Wallet: 700\u00a0₽" in said(ann.send("📊 My bookings"))
    assert "Wallet" not in said(ben.send("📊 My bookings"))


def test_someone_booking_for_several_clients_sees_each_wallet_that_holds_money(ann):
    client_of(ann, name="Ann Smith", amount="300")
    client_of(ann, name="Tom Smith", amount="1000")
    client_of(ann, name="Zoe Smith")

    text = said(ann.send("/wallet"))

    assert "💰 Wallets:\n• Ann Smith: 300\u00a0₽\n• Tom Smith: 1,000\u00a0₽" in text and "Zoe" not in text


def test_help_names_the_wallet_command(ann):
    assert "/wallet — your wallet balance" in said(ann.send("/help"))


def test_my_bookings_shows_each_package_with_sessions_left(ann):
    client = client_of(ann)
    service = Service.objects.create(name="Массаж", duration_minutes=60, price=Decimal("2000.00"))
    product = PackageProduct.objects.create(service=service, sessions=5, price=Decimal("8000.00"), validity_days=30)
    package_sell(product=product, client=client, paid_by="cash", actor=Actor.system(), now=NOW, idempotency_key="p")
    valid_until = f"{ClientPackage.objects.get().valid_until:%d.%m.%Y}"

    text = said(ann.send("📊 My bookings"))

    assert f"🎫 Package «Массаж»: 5 of 5 sessions left, valid until {valid_until}" in text


def test_the_cabinet_bot_shows_a_package_in_russian(user_factory):
    user = user_factory(1003, bot="cabinet", first_name="Вера", language="ru")
    client = client_of(user, name="Вера Петрова")
    service = Service.objects.create(name="Массаж", duration_minutes=60, price=Decimal("2000.00"))
    product = PackageProduct.objects.create(service=service, sessions=3, price=Decimal("5000.00"), validity_days=10)
    package_sell(product=product, client=client, paid_by="cash", actor=Actor.system(), now=NOW, idempotency_key="p")

    text = said(user.send("📊 Мои заявки"))

    assert "🎫 Абонемент «Массаж»: осталось сеансов 3 из 3, действует до 03.12.2026" in text
