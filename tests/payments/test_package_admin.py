"""Packages in the admin: a manager sets up what is on sale with clear errors, and sells a package for cash or
from the client's wallet; a wallet that does not cover it is refused beside the field and nothing is sold."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from kernel.channels import Actor
from payments.models import ClientPackage, PackageProduct, WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from specialists.models import Service
from tests import factories
from tests.clock import NOW

SELL = reverse("admin:payments_clientpackage_add")
SOLD = reverse("admin:payments_clientpackage_changelist")
PRODUCT_ADD = reverse("admin:payments_packageproduct_add")


@pytest.fixture
def olga(db):
    return factories.ClientFactory(name="Ольга Иванова", phone="+79161234567")


@pytest.fixture
def massage(db):
    service = Service.objects.create(name="Массаж", duration_minutes=60, price=Decimal("2000.00"))
    return PackageProduct.objects.create(service=service, sessions=5, price=Decimal("8000.00"), validity_days=60)


def sale(product, client, paid_by, key=None):
    return {"product": product.pk, "client": client.pk, "paid_by": paid_by, "key": key or uuid.uuid4().hex}


def test_a_manager_sells_a_package_for_cash(manager_client, olga, massage):
    response = manager_client.post(SELL, sale(massage, olga, "cash"), follow=True)

    package = ClientPackage.objects.get()
    assert (package.client, package.service, package.sessions, package.price) == (
        olga, massage.service, 5, Decimal("8000.00"))
    assert (package.paid_by, package.actor, package.wallet_transaction) == ("cash", "admin:maria", None)
    assert not WalletTransaction.objects.exists()
    page = response.content.decode()
    assert "продан клиенту Ольга Иванова (Наличными в клинике" in page
    assert "5 / 5" in page  # the sessions left in the list


def test_a_manager_sells_a_package_from_the_wallet_once_for_a_form_sent_twice(manager_client, olga, massage):
    wallet_post(client=olga, kind="deposit", amount=Decimal("10000"), reason="Наличные", actor=Actor.system(),
                idempotency_key="deposit", now=NOW)
    form = sale(massage, olga, "wallet")

    manager_client.post(SELL, form)
    manager_client.post(SELL, form)

    package = ClientPackage.objects.get()
    assert package.paid_by == "wallet"
    assert package.wallet_transaction.kind == "package_purchase"
    assert wallet_balance(olga) == Decimal("2000.00")


def test_a_wallet_that_does_not_cover_the_package_is_refused_beside_the_field(manager_client, olga, massage):
    wallet_post(client=olga, kind="deposit", amount=Decimal("500"), reason="Наличные", actor=Actor.system(),
                idempotency_key="deposit", now=NOW)

    response = manager_client.post(SELL, sale(massage, olga, "wallet"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["paid_by"]
    assert error.startswith("В кошельке не хватает денег на абонемент")
    assert not ClientPackage.objects.exists()
    assert wallet_balance(olga) == Decimal("500.00")


def test_a_package_no_longer_on_sale_cannot_be_chosen(manager_client, olga, massage):
    massage.is_active = False
    massage.save()

    response = manager_client.post(SELL, sale(massage, olga, "cash"))

    assert "product" in response.context["form"].errors
    assert not ClientPackage.objects.exists()


def test_the_desk_sells_for_cash_or_from_the_wallet_never_as_paid_by_telegram(manager_client, olga, massage):
    response = manager_client.post(SELL, sale(massage, olga, "telegram"))

    assert [value for value, _label in response.context["form"].fields["paid_by"].choices] == ["cash", "wallet"]
    assert "paid_by" in response.context["form"].errors
    assert not ClientPackage.objects.exists()


def test_a_product_with_no_sessions_or_price_is_explained_beside_its_fields(manager_client, massage):
    response = manager_client.post(PRODUCT_ADD, {"service": massage.service.pk, "sessions": "0", "price": "0",
                                                 "validity_days": "0", "is_active": "on"})

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"sessions", "price", "validity_days"}
    assert PackageProduct.objects.count() == 1


def test_a_sold_package_is_never_edited_or_deleted(manager_client, olga, massage):
    manager_client.post(SELL, sale(massage, olga, "cash"))
    package = ClientPackage.objects.get()

    page = manager_client.get(reverse("admin:payments_clientpackage_change", args=[package.pk]))

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert manager_client.get(reverse("admin:payments_clientpackage_delete", args=[package.pk])).status_code == 403
