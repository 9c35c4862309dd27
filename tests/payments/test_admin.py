"""Wallets in the admin: a manager deposits cash and makes corrections on one form, with clear errors; the ledger
is searched by the client's name or phone and filtered by kind and date, and is never edited or deleted."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Client
from accounts.permissions import MANAGERS_GROUP
from kernel.channels import Actor
from payments.admin import WalletPostForm
from payments.models import WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.clock import NOW

Kind = WalletTransaction.Kind
ADD = reverse("admin:payments_wallettransaction_add")
LIST = reverse("admin:payments_wallettransaction_changelist")


@pytest.fixture
def olga(db):
    return factories.ClientFactory(name="Ольга Иванова", phone="+79161234567")


def form(client, amount, kind=Kind.DEPOSIT, reason="Оплата наличными", key=None):
    return {"client": client.pk, "kind": kind, "amount": amount, "reason": reason, "key": key or uuid.uuid4().hex}


def deposit(client, amount, key, when=NOW):
    return wallet_post(client=client, kind=Kind.DEPOSIT, amount=Decimal(amount), reason="Наличные",
                       actor=Actor.system(), idempotency_key=key, now=when)


def test_a_manager_deposits_cash_and_sees_the_new_balance(manager_client, olga):
    deposit(olga, "500", "earlier")

    response = manager_client.post(ADD, form(olga, "1500"), follow=True)

    row = WalletTransaction.objects.get(kind=Kind.DEPOSIT, amount=Decimal("1500"))
    assert (row.client, row.actor, row.reason, row.currency) == (olga, "admin:maria", "Оплата наличными", "RUB")
    assert wallet_balance(olga) == Decimal("2000.00")
    page = response.content.decode()
    assert "Баланс теперь 2\xa0000,00 RUB" in page
    assert response.redirect_chain[-1][0] == f"{LIST}?client__id__exact={olga.pk}"


def test_a_correction_can_take_money_away_down_to_zero(manager_client, olga):
    deposit(olga, "300", "earlier")

    manager_client.post(ADD, form(olga, "-300", kind=Kind.CORRECTION, reason="Ошибка кассира"))

    assert wallet_balance(olga) == Decimal("0.00")


@pytest.mark.parametrize(("kind", "amount", "error"), [
    (Kind.DEPOSIT, "0", "Сумма пополнения должна быть больше нуля."),
    (Kind.DEPOSIT, "-100", "Сумма пополнения должна быть больше нуля."),
    (Kind.DEPOSIT, "10.555", "Убедитесь, что вы ввели не более 2 цифр после запятой."),
    (Kind.CORRECTION, "0", "Сумма корректировки не может быть нулевой."),
    (Kind.CORRECTION, "-300.01", "Баланс кошелька стал бы меньше нуля: сейчас на нём 300,00 RUB."),
])
def test_a_bad_amount_is_explained_beside_the_field_and_nothing_is_posted(manager_client, olga, kind, amount, error):
    deposit(olga, "300", "earlier")

    response = manager_client.post(ADD, form(olga, amount, kind=kind))

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [error]
    assert WalletTransaction.objects.count() == 1


def test_a_missing_reason_and_client_are_both_reported(manager_client, db):
    response = manager_client.post(ADD, {"kind": Kind.DEPOSIT, "amount": "100", "reason": " ", "key": "x"})

    assert set(response.context["form"].errors) == {"client", "reason"}
    assert not WalletTransaction.objects.exists()


def test_the_same_form_sent_twice_posts_once(manager_client, olga):
    sent = form(olga, "1500", key=uuid.uuid4().hex)

    manager_client.post(ADD, sent)
    manager_client.post(ADD, sent)

    assert WalletTransaction.objects.count() == 1 and wallet_balance(olga) == Decimal("1500.00")


def test_each_form_shown_carries_a_new_key(manager_client, db):
    first, second = manager_client.get(ADD), manager_client.get(ADD)
    assert first.context["key"] != second.context["key"]


def test_the_form_opened_for_a_client_shows_their_balance(manager_client, olga):
    deposit(olga, "1250.50", "earlier")

    page = manager_client.get(ADD, {"client": olga.pk}).content.decode()

    assert "Баланс клиента Ольга Иванова сейчас: <strong>1\xa0250,50 RUB</strong>" in page


def test_the_client_is_picked_by_search_once_the_clients_admin_can_search_them(db):
    site = admin.site
    registered = site._registry.pop(Client, None)
    try:
        site.register(Client, admin.ModelAdmin)
        assert type(WalletPostForm(admin_site=site).fields["client"].widget).__name__ == "ForeignKeyRawIdWidget"
        site.unregister(Client)
        site.register(Client, type("Searchable", (admin.ModelAdmin,), {"search_fields": ["name", "phone"]}))
        assert type(WalletPostForm(admin_site=site).fields["client"].widget).__name__ == "AutocompleteSelect"
    finally:
        site._registry.pop(Client, None)
        if registered is not None:
            site._registry[Client] = registered


def test_the_list_finds_a_client_by_name_or_by_phone_written_any_way(manager_client, olga):
    deposit(olga, "100", "a")
    deposit(factories.ClientFactory(name="Пётр Сидоров", phone="+79035550000"), "200", "b")

    by_name = manager_client.get(LIST, {"q": "Ольга"}).context["cl"].result_list
    by_phone = manager_client.get(LIST, {"q": "8 (916) 123-45-67"}).context["cl"].result_list

    assert [row.client for row in by_name] == [olga] and [row.client for row in by_phone] == [olga]


def test_the_list_filters_by_kind_and_date_and_shows_the_clients_balance(manager_client, olga):
    deposit(olga, "1000", "a", when=NOW - timedelta(days=40))
    wallet_post(client=olga, kind=Kind.CORRECTION, amount=Decimal("-250"), reason="Ошибка", actor=Actor.system(),
                idempotency_key="b", now=NOW)

    corrections = manager_client.get(LIST, {"kind__exact": "correction"})
    this_month = manager_client.get(LIST, {"created_at__year": NOW.year, "created_at__month": NOW.month})
    last_week = manager_client.get(LIST, {"created_at__gte": (NOW - timedelta(days=7)).isoformat()})

    assert [row.kind for row in corrections.context["cl"].result_list] == ["correction"]
    assert [row.amount for row in this_month.context["cl"].result_list] == [Decimal("-250.00")]
    assert [row.amount for row in last_week.context["cl"].result_list] == [Decimal("-250.00")]
    assert "750,00 RUB" in corrections.content.decode() and "-250,00 RUB" in corrections.content.decode()


def test_ledger_rows_can_be_read_but_never_edited_or_deleted(manager_client, olga):
    row = deposit(olga, "100", "a")
    change = reverse("admin:payments_wallettransaction_change", args=[row.pk])

    page = manager_client.get(change)
    manager_client.post(change, {"reason": "исправлено"})

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert manager_client.get(reverse("admin:payments_wallettransaction_delete", args=[row.pk])).status_code == 403
    assert manager_client.get(LIST).context["action_form"] is None  # no bulk action, "delete" included
    row.refresh_from_db()
    assert row.reason == "Наличные"


def test_managers_may_view_and_add_wallet_transactions_packages_payments_and_refunds_and_nothing_more(db):
    codes = set(Group.objects.get(name=MANAGERS_GROUP).permissions.filter(content_type__app_label="payments")
                .values_list("codename", flat=True))
    assert codes == {"view_wallettransaction", "add_wallettransaction", "view_packageproduct", "add_packageproduct",
                     "change_packageproduct", "view_clientpackage", "add_clientpackage", "view_payment",
                     "add_payment", "view_refund", "add_refund"}


def test_staff_outside_the_managers_group_cannot_post(client, olga):
    client.force_login(factories.StaffUserFactory(username="intern"))

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form(olga, "100")).status_code == 403
    assert not WalletTransaction.objects.exists()
