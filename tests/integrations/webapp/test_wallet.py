"""The booking page's "My bookings" carries the wallet: its currency and balance as a decimal string, written as
every door writes money ("1,500.50 ₽"), and each client's when the account books for several who hold money,
and the packages with sessions left."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import TelegramAccount
from kernel.channels import Actor
from payments.models import PackageProduct, WalletTransaction
from payments.packages import package_sell
from payments.wallets import wallet_post
from specialists.models import Service
from tests import factories
from tests.clock import NOW

pytestmark = pytest.mark.django_db


def client_of(user, name: str, amount: str | None = None):
    account = TelegramAccount.objects.get(telegram_id=user.telegram_id)
    client = factories.ClientFactory(name=name, telegram_account=account)
    if amount is not None:
        wallet_post(client=client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal(amount), reason="cash",
                    actor=Actor.system(), idempotency_key=f"cash:{client.pk}", now=NOW)
    return client


def test_a_user_with_no_client_yet_has_an_empty_wallet(ann):
    assert ann.get("/me").json()["wallet"] == {"currency": "RUB", "balance": "0.00", "balance_text": "0\u00a0₽",
                                               "clients": []}


def test_my_bookings_carries_the_wallet_balance_as_a_decimal_string(ann):
    ann.get("/me")  # the first visit makes the account
    client_of(ann, "Ann Smith", "1500.5")

    assert ann.get("/me").json()["wallet"] == {"currency": "RUB", "balance": "1500.50",
                                               "balance_text": "1,500.50\u00a0₽", "clients": []}


def test_several_clients_holding_money_are_listed_each_with_their_balance(ann):
    ann.get("/me")
    client_of(ann, "Ann Smith", "300")
    client_of(ann, "Tom Smith", "1000")
    client_of(ann, "Zoe Smith")

    wallet = ann.get("/me").json()["wallet"]

    assert wallet == {"currency": "RUB", "balance": "1300.00", "balance_text": "1,300\u00a0₽", "clients": [
        {"name": "Ann Smith", "balance": "300.00", "balance_text": "300\u00a0₽"},
        {"name": "Tom Smith", "balance": "1000.00", "balance_text": "1,000\u00a0₽"}]}


def test_the_balance_is_written_in_the_users_language(mini_app_user):
    russian = mini_app_user(1003, language="ru")
    russian.get("/me")
    client_of(russian, "Анна", "1250.5")

    assert russian.get("/me").json()["wallet"]["balance_text"] == "1\u00a0250,50\u00a0₽"


def test_the_page_has_the_words_to_show_it(client, clock):
    page = client.get("/app/?lang=ru").content.decode()

    config = json.loads(re.search(r'id="webapp-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert (config["texts"]["wallet"], config["texts"]["wallets"]) == ("💰 Кошелёк: %(amount)s", "💰 Кошельки:")


def test_my_bookings_carries_the_packages_with_sessions_left(ann):
    ann.get("/me")
    client = client_of(ann, "Ann Smith")
    service = Service.objects.create(name="Массаж", duration_minutes=60, price=Decimal("2000.00"))
    product = PackageProduct.objects.create(service=service, sessions=5, price=Decimal("8000.00"), validity_days=30)
    package = package_sell(product=product, client=client, paid_by="cash", actor=Actor.system(), now=NOW,
                           idempotency_key="p")
    used_up = package_sell(product=PackageProduct.objects.create(service=service, sessions=1, price=Decimal("1"),
                                                                 validity_days=30),
                           client=client, paid_by="cash", actor=Actor.system(), now=NOW, idempotency_key="q")
    used_up.valid_until = NOW.date() - timedelta(days=1)  # expired: not shown
    used_up.save()

    assert ann.get("/me").json()["packages"] == [
        {"service": "Массаж", "remaining": 5, "sessions": 5, "valid_until": package.valid_until.isoformat()}]


def test_a_user_with_no_package_has_none(ann):
    assert ann.get("/me").json()["packages"] == []
