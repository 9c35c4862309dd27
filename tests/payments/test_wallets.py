"""A client's wallet: a ledger whose sum is the balance, never below zero, with an idempotency key on every
transaction; amounts are decimals with at most two digits after the point and the sign of their kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from kernel.channels import Actor
from kernel.errors import BookingError
from payments.models import WalletTransaction
from payments.wallets import (
    BookingRef,
    account_wallets,
    wallet_balance,
    wallet_balances,
    wallet_check,
    wallet_post,
    wallets_total,
)
from tests import factories
from tests.clock import NOW

pytestmark = pytest.mark.django_db
Kind = WalletTransaction.Kind


@pytest.fixture
def olga(db):
    return factories.ClientFactory(name="Ольга Иванова", phone="+79161234567")


@pytest.fixture
def post(staff):
    keys = iter(range(1, 1000))

    def post(client, kind, amount, key=None, **extra):
        return wallet_post(client=client, kind=kind, amount=Decimal(amount), reason=extra.pop("reason", "Наличные"),
                           actor=Actor.staff(staff), idempotency_key=key or f"test:{next(keys)}", now=NOW, **extra)

    return post


def test_a_new_client_has_an_empty_wallet(olga):
    assert wallet_balance(olga) == Decimal("0.00")


def test_the_balance_is_the_sum_of_deposits_payments_refunds_and_corrections(olga, post):
    post(olga, Kind.DEPOSIT, "5000")
    post(olga, Kind.PAYMENT, "-2500.50")
    post(olga, Kind.REFUND, "1000")
    post(olga, Kind.CORRECTION, "-499.50")
    post(olga, Kind.PACKAGE_PURCHASE, "-1000")

    assert wallet_balance(olga) == Decimal("2000.00")
    assert wallets_total() == Decimal("2000.00")


def test_a_transaction_records_who_why_when_and_in_the_clinics_currency(olga, post, settings):
    row = post(olga, Kind.DEPOSIT, "1500", reason="  Оплата наличными  ")

    assert (row.actor, row.reason, row.created_at, row.currency) == ("admin:manager", "Оплата наличными", NOW, "RUB")
    assert row.amount == Decimal("1500.00") and row.resource_type == "" and row.booking_id is None


def test_a_payment_names_its_booking_without_knowing_the_resources_model(olga, post):
    post(olga, Kind.DEPOSIT, "3000")

    row = post(olga, Kind.PAYMENT, "-2000", booking=BookingRef("cabinet", 42))

    assert (row.resource_type, row.booking_id) == ("cabinet", 42)


def test_a_booking_of_a_resource_nobody_registered_is_a_programming_error(olga, post):
    with pytest.raises(LookupError):
        post(olga, Kind.REFUND, "100", booking=BookingRef("spaceship", 1))


def test_spending_more_than_the_balance_is_refused_and_nothing_is_written(olga, post):
    post(olga, Kind.DEPOSIT, "1000")

    with pytest.raises(BookingError) as refused:
        post(olga, Kind.PAYMENT, "-1000.01")

    assert refused.value.code == "wallet_insufficient" and refused.value.http_status == 409
    assert refused.value.details["balance"] == "1000.00"
    assert wallet_balance(olga) == Decimal("1000.00") and WalletTransaction.objects.count() == 1


def test_the_whole_balance_can_be_spent(olga, post):
    post(olga, Kind.DEPOSIT, "1000")
    post(olga, Kind.PAYMENT, "-1000")
    assert wallet_balance(olga) == Decimal("0.00")


def test_a_correction_may_not_take_the_balance_below_zero_either(olga, post):
    post(olga, Kind.DEPOSIT, "1300")

    with pytest.raises(BookingError) as refused:
        post(olga, Kind.CORRECTION, "-1300.01")

    assert str(refused.value) == "Баланс кошелька стал бы меньше нуля: сейчас на нём 1\xa0300,00 RUB."


@pytest.mark.parametrize(("kind", "amount", "message"), [
    (Kind.DEPOSIT, "0", "A deposit must be more than zero."),
    (Kind.DEPOSIT, "-5", "A deposit must be more than zero."),
    (Kind.REFUND, "-5", "A refund must be more than zero."),
    (Kind.PAYMENT, "5", "A payment takes money from the wallet: its amount must be below zero."),
    (Kind.PACKAGE_PURCHASE, "5", "A package purchase takes money from the wallet: its amount must be below zero."),
    (Kind.CORRECTION, "0.00", "A correction must not be zero."),
    (Kind.DEPOSIT, "10.005", "An amount has at most two digits after the point."),
    (Kind.DEPOSIT, "1e11", "The amount is too large."),
    (Kind.DEPOSIT, "NaN", "The amount is not valid."),
])
def test_an_amount_without_the_sign_of_its_kind_or_with_too_many_digits_is_refused(olga, post, kind, amount,
                                                                                     message):
    with pytest.raises(BookingError) as refused:
        post(olga, kind, amount)

    with translation.override("en"):
        assert (refused.value.code, str(refused.value), refused.value.details["field"]) == (
            "wallet_bad_amount", message, "amount")
    assert not WalletTransaction.objects.exists()


def test_trailing_zeros_are_not_extra_digits(olga, post):
    assert post(olga, Kind.DEPOSIT, "10.500").amount == Decimal("10.50")


def test_a_float_amount_is_a_programming_error(olga, staff):
    with pytest.raises(TypeError):
        wallet_post(client=olga, kind=Kind.DEPOSIT, amount=10.5, reason="x", actor=Actor.staff(staff),
                    idempotency_key="k", now=NOW)


def test_a_reason_is_required_and_russian_by_default(olga, post):
    with pytest.raises(BookingError) as refused:
        post(olga, Kind.DEPOSIT, "100", reason="   ")

    assert str(refused.value) == "Укажите причину операции с кошельком."
    assert refused.value.details["field"] == "reason"


def test_the_same_key_again_returns_the_first_transaction_and_posts_nothing(olga, post):
    first = post(olga, Kind.DEPOSIT, "700", key="cash:1")

    again = post(olga, Kind.DEPOSIT, "700.00", key="cash:1", reason="нажали дважды")

    assert again.pk == first.pk and again.reason == "Наличные"
    assert wallet_balance(olga) == Decimal("700.00")


def test_a_repeated_payment_is_returned_even_after_the_money_was_spent(olga, post):
    post(olga, Kind.DEPOSIT, "500")
    first = post(olga, Kind.PAYMENT, "-500", key="pay:1")

    assert post(olga, Kind.PAYMENT, "-500", key="pay:1").pk == first.pk
    assert wallet_balance(olga) == Decimal("0.00")


@pytest.mark.parametrize("change", [{"amount": "701"}, {"kind": Kind.CORRECTION}, {"other_client": True},
                                    {"booking": BookingRef("equipment", 7)}])
def test_the_same_key_with_another_amount_kind_client_or_booking_is_refused(olga, post, change):
    post(olga, Kind.DEPOSIT, "700", key="cash:1")
    client = factories.ClientFactory(name="Пётр Сидоров") if change.pop("other_client", False) else olga
    kind = change.pop("kind", Kind.DEPOSIT)
    amount = change.pop("amount", "700")

    with pytest.raises(BookingError) as refused:
        post(client, kind, amount, key="cash:1", **change)

    with translation.override("en"):
        assert (refused.value.code, str(refused.value)) == (
            "idempotency_conflict", "This operation key was already used for another wallet transaction.")
    assert WalletTransaction.objects.count() == 1


def test_transactions_in_another_currency_are_not_part_of_the_balance(olga, post):
    post(olga, Kind.DEPOSIT, "100")
    WalletTransaction.objects.create(client=olga, kind=Kind.DEPOSIT, amount=Decimal("50"), currency="EUR",
                                     reason="старая касса", actor="system", idempotency_key="eur:1", created_at=NOW)

    assert wallet_balance(olga) == Decimal("100.00") and wallets_total() == Decimal("100.00")


def test_check_answers_without_writing(olga, post):
    post(olga, Kind.DEPOSIT, "100")

    assert wallet_check(client=olga, kind=Kind.PAYMENT, amount=Decimal("-100")) == Decimal("-100.00")
    with pytest.raises(BookingError):
        wallet_check(client=olga, kind=Kind.PAYMENT, amount=Decimal("-100.01"))
    assert WalletTransaction.objects.count() == 1


def test_balances_of_many_clients_come_in_one_query(olga, post, django_assert_num_queries):
    petr, empty = factories.ClientFactory(name="Пётр"), factories.ClientFactory(name="Нина")
    post(olga, Kind.DEPOSIT, "100")
    post(petr, Kind.DEPOSIT, "250.50")

    with django_assert_num_queries(1):
        balances = wallet_balances([olga, petr, empty])

    assert balances == {olga.pk: Decimal("100.00"), petr.pk: Decimal("250.50"), empty.pk: Decimal("0.00")}


def test_a_telegram_account_sees_the_wallets_of_the_clients_it_books_as(alice, bob, post):
    mine = factories.ClientFactory(name="Алиса Смирнова", telegram_account=alice)
    factories.ClientFactory(name="Боб", telegram_account=bob)
    post(mine, Kind.DEPOSIT, "1200")

    assert [(w.client.name, w.balance) for w in account_wallets(alice)] == [("Алиса Смирнова", Decimal("1200.00"))]


def test_the_database_refuses_a_ledger_row_with_the_wrong_sign(olga):
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletTransaction.objects.create(client=olga, kind=Kind.DEPOSIT, amount=Decimal("-1"), currency="RUB",
                                         reason="x", actor="system", idempotency_key="bad", created_at=NOW)


def test_metrics_show_the_money_held_in_all_wallets(olga, post, client):
    post(olga, Kind.DEPOSIT, "1234.5")

    body = client.get("/metrics").content.decode()

    assert 'wallet_balance{currency="RUB"} 1234.5' in body
