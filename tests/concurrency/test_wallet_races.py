"""Real parallel transactions on PostgreSQL: ten spends from one wallet at once, against a balance that covers
only some of them. The client's row lock queues them, so exactly the affordable number succeed and the balance
never goes below zero. The negative control shows the race is real: without the lock the wallet is overdrawn.

One operation sent ten times at once (the same idempotency key) is posted once, with or without the lock: the
unique key has the last word and the losers get the first transaction back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kernel import locking
from kernel.channels import Actor
from payments.models import WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.concurrency.test_races import NOW, race
from tests.concurrency.test_races import slow_requests as slow_requests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]
Kind = WalletTransaction.Kind
SPENDS = 10
ROUNDS = 5


def funded_client(amount: str):
    client = factories.ClientFactory()
    wallet_post(client=client, kind=Kind.DEPOSIT, amount=Decimal(amount), reason="Наличные",
                actor=Actor.system(), idempotency_key=f"deposit:{client.pk}", now=NOW)
    return client


def spends(client, amount: str, key=lambda n: f"spend:{n}"):
    return [lambda n=n: wallet_post(client=client, kind=Kind.PAYMENT, amount=Decimal(amount), reason="Оплата",
                                    actor=Actor.system(), idempotency_key=f"{client.pk}:{key(n)}", now=NOW)
            for n in range(SPENDS)]


def test_ten_spends_at_once_take_exactly_what_the_balance_covers(slow_requests):
    for _round in range(ROUNDS):
        client = funded_client("100.00")  # covers three spends of 30

        outcomes = race(spends(client, "-30.00"))

        assert outcomes == {"ok": 3, "wallet_insufficient": SPENDS - 3}, outcomes
        assert wallet_balance(client) == Decimal("10.00")


def test_without_the_lock_the_wallet_is_overdrawn_so_the_race_is_real(slow_requests, monkeypatch):
    """The negative control: if this ever stops overdrawing, the test above proves nothing."""
    monkeypatch.setattr(locking, "enabled", False)
    client = funded_client("100.00")

    outcomes = race(spends(client, "-30.00"))

    assert outcomes["ok"] > 3, outcomes
    assert wallet_balance(client) < 0


@pytest.mark.parametrize("lock", [True, False], ids=["locked", "unlocked"])
def test_one_operation_sent_ten_times_at_once_is_posted_once(slow_requests, monkeypatch, lock):
    monkeypatch.setattr(locking, "enabled", lock)
    client = funded_client("100.00")

    outcomes = race(spends(client, "-30.00", key=lambda n: "the-same"))

    assert outcomes == {"ok": SPENDS}, outcomes
    assert WalletTransaction.objects.filter(client=client, kind=Kind.PAYMENT).count() == 1
    assert wallet_balance(client) == Decimal("70.00")
