"""Whatever a wallet goes through (deposits, spends, refunds, corrections either way, and operations sent again
with their key, as they were or changed), its balance is the sum of its ledger, never below zero, equal to what
a simple model of the rules expects, and a key never posts twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.channels import Actor
from kernel.errors import BookingError
from payments.models import WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.clock import NOW

pytestmark = pytest.mark.django_db
Kind = WalletTransaction.Kind
CENT = Decimal("0.01")

amounts = st.decimals(min_value=CENT, max_value=Decimal("1000"), places=2)
operations = st.lists(st.one_of(
    st.tuples(st.just(Kind.DEPOSIT), amounts),
    st.tuples(st.just(Kind.REFUND), amounts),
    st.tuples(st.just(Kind.PAYMENT), amounts.map(lambda a: -a)),
    st.tuples(st.just(Kind.PACKAGE_PURCHASE), amounts.map(lambda a: -a)),
    st.tuples(st.just(Kind.CORRECTION), amounts | amounts.map(lambda a: -a)),
    st.tuples(st.just("again"), st.integers(min_value=0, max_value=40), st.booleans()),
), max_size=30)


def attempt(client, key: str, kind: str, amount: Decimal) -> str:
    try:
        wallet_post(client=client, kind=kind, amount=amount, reason="проверка", actor=Actor.system(),
                    idempotency_key=key, now=NOW)
    except BookingError as exc:
        return exc.code
    return "ok"


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations)
def test_the_balance_is_the_ledgers_sum_never_negative_and_a_key_posts_once(db, steps):
    client = factories.ClientFactory()
    balance = Decimal("0.00")
    posted: dict[str, tuple[str, Decimal]] = {}  # key -> what it posted
    sent: list[tuple[str, str, Decimal]] = []  # every attempt: key, kind, amount
    for number, step in enumerate(steps):
        if step[0] == "again":
            if not sent:
                continue
            key, kind, amount = sent[step[1] % len(sent)]
            if not step[2]:  # sent again changed: a cent more, the same way
                amount += CENT if amount > 0 else -CENT
        else:
            (kind, amount), key = step, f"{client.pk}:{number}"

        outcome = attempt(client, key, kind, amount)

        if key in posted:
            expected = "ok" if posted[key] == (kind, amount) else "idempotency_conflict"
        elif balance + amount < 0:
            expected = "wallet_insufficient"
        else:
            expected, balance, posted[key] = "ok", balance + amount, (kind, amount)
        assert outcome == expected, (step, balance)
        sent.append((key, kind, amount))

        ledger = list(WalletTransaction.objects.filter(client=client).values_list("idempotency_key", "amount"))
        assert wallet_balance(client) == sum((a for _key, a in ledger), start=Decimal("0.00")) == balance >= 0
        assert sorted(k for k, _a in ledger) == sorted(posted)
