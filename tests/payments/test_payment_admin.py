"""Payments and refunds in the admin: read-only lists filtered and searched by a booking's reference, a phone or a
charge id, each payment linking its booking and showing its refunds; a manager marks a booking paid in cash by
its reference and refunds a payment to the wallet or records a card refund, once per form and with every
refusal on the form; the month's reconciliation is a page of its own."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from equipment.services import equipment_booking_cancel, equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from payments.checkout import invoice_open
from payments.direct import mark_paid_in_cash
from payments.models import Payment, Refund
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.clock import NOW
from tests.payments import test_checkout as checkout
from tests.payments.test_checkout import DAY, book, fresh, pay

pytestmark = pytest.mark.django_db
# The checkout's cast: payments switched on, ЭКГ (1 500 ₽, prepaid) and a client's Telegram account.
payments_on, ecg, anna = checkout.payments_on, checkout.ecg, checkout.anna
LIST = reverse("admin:payments_payment_changelist")
CASH = reverse("admin:payments_payment_cash")
RECONCILIATION = reverse("admin:payments_reconciliation")
ENGLISH = {"Accept-Language": "en"}


def refund_url(payment) -> str:
    return reverse("admin:payments_payment_refund", args=[payment.pk])


def cash_form(booking, key=None, note="") -> dict:
    return {"booking": booking.reference, "note": note, "key": key or uuid.uuid4().hex}


def refund_form(amount, destination="wallet", reason="Клиент передумал", key=None) -> dict:
    return {"amount": amount, "destination": destination, "reason": reason, "key": key or uuid.uuid4().hex}


@pytest.fixture
def paid(ecg, anna):
    booking = book(ecg, anna)
    pay(booking, charge="tg-charge-77")
    return booking


def test_the_payments_list_links_each_booking_and_shows_its_refunds(manager_client, paid):
    payment = Payment.objects.get()
    manager_client.post(refund_url(payment), refund_form("500.00", destination="card"))

    page = manager_client.get(LIST, headers=ENGLISH).content.decode()

    booking_page = reverse("admin:equipment_equipmentbooking_change", args=[paid.pk])
    assert f'<a href="{booking_page}">{paid.reference}</a>' in page
    assert "500.00 RUB To the card" in page


@pytest.mark.parametrize("search", ["E-{pk}", "e{pk}", "tg-charge-77", "8 999 111-22-33", "prov-1"])
def test_payments_are_found_by_booking_reference_phone_or_charge_id(manager_client, paid, search):
    holter = factories.ItemFactory(name="Холтер", quantity=1, price_per_day=Decimal("900.00"))
    another = equipment_booking_create(item=holter, start_date=DAY, units=1, client_name="Олег Сидоров",
                                       client_phone="+79995550000", actor=Actor.system(), channel=Channel.ADMIN,
                                       now=NOW)
    mark_paid_in_cash(booking=another, resource_type="equipment", actor=Actor.system(), now=NOW,
                      idempotency_key="another")

    response = manager_client.get(LIST, {"q": search.format(pk=paid.pk)})

    assert [p.booking_id for p in response.context["cl"].result_list] == [paid.pk]


def test_the_lists_filter_by_state_method_and_purpose(manager_client, paid):
    for query, found in [({"state__exact": "paid"}, 1), ({"state__exact": "failed"}, 0),
                         ({"method__exact": "telegram"}, 1), ({"method__exact": "cash"}, 0),
                         ({"purpose__exact": "booking"}, 1), ({"purpose__exact": "topup"}, 0)]:
        assert manager_client.get(LIST, query).context["cl"].result_count == found, query


def test_payments_and_refunds_are_never_added_changed_or_deleted_here(manager_client, paid):
    payment = Payment.objects.get()
    change = manager_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert manager_client.get(reverse("admin:payments_payment_add")).status_code == 403
    assert manager_client.post(reverse("admin:payments_payment_delete", args=[payment.pk])).status_code == 403
    assert manager_client.get(reverse("admin:payments_refund_add")).status_code == 403


def test_a_manager_marks_a_booking_paid_in_cash_by_its_reference_once_for_a_form_sent_twice(manager_client, ecg,
                                                                                             anna):
    booking = book(ecg, anna)
    form = cash_form(booking, note="Оплатила на стойке")

    response = manager_client.post(CASH, form, follow=True)
    manager_client.post(CASH, form)

    payment = Payment.objects.get()
    assert (payment.method, payment.state, payment.amount, payment.note) == (
        "cash", "paid", Decimal("1500.00"), "Оплатила на стойке")
    assert payment.actor == "admin:maria"
    assert fresh(booking).status == Status.PENDING
    assert response.redirect_chain[-1][0] == f"{LIST}?q={booking.reference}"


@pytest.mark.parametrize("reference, error", [("E-999999", "No booking has this reference."),
                                              ("X-1", "No booking has this reference."),
                                              ("hello", "No booking has this reference."),
                                              ("", "This field is required.")])
def test_a_reference_that_names_no_booking_is_a_form_error(manager_client, reference, error):
    response = manager_client.post(CASH, {"booking": reference, "key": uuid.uuid4().hex}, headers=ENGLISH)
    assert response.status_code == 200
    assert response.context["form"].errors["booking"] == [error]
    assert not Payment.objects.exists()


def test_a_booking_already_paid_or_cancelled_is_refused_on_the_form_not_with_an_error_page(manager_client, paid):
    response = manager_client.post(CASH, cash_form(paid), headers=ENGLISH)
    assert response.status_code == 200
    assert f"Booking {paid.reference} is already paid." in response.content.decode()

    equipment_booking_cancel(booking=fresh(paid), actor=Actor.system(), now=NOW, channel=Channel.SYSTEM)
    response = manager_client.post(CASH, cash_form(paid), headers=ENGLISH)
    assert response.status_code == 200 and "there is nothing to pay" in response.content.decode()
    assert Payment.objects.count() == 1


def test_a_manager_refunds_part_to_the_wallet_once_for_a_form_sent_twice(manager_client, paid):
    payment = Payment.objects.get()
    form = refund_form("400.00")

    manager_client.post(refund_url(payment), form)
    manager_client.post(refund_url(payment), form)

    refund = Refund.objects.get()
    assert (refund.destination, refund.amount, refund.reason) == ("wallet", Decimal("400.00"), "Клиент передумал")
    assert wallet_balance(fresh(paid).client) == Decimal("400.00")
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.state) == (Decimal("400.00"), "paid")


def test_a_card_refund_is_recorded_and_moves_no_wallet_money(manager_client, paid):
    payment = Payment.objects.get()
    manager_client.post(refund_url(payment), refund_form("1500.00", destination="card"))

    assert Refund.objects.get().destination == "card"
    assert wallet_balance(fresh(paid).client) == Decimal("0.00")
    payment.refresh_from_db()
    assert payment.state == Payment.State.REFUNDED


@pytest.mark.parametrize("form, field, error", [
    (refund_form("1500.01"), "amount", "At most 1500.00 can still be refunded."),
    (refund_form("0"), "amount", "Ensure this value is greater than or equal to 0.01."),
    (refund_form("10.00", reason=""), "reason", "This field is required."),
    (refund_form("10.00", destination="cash"), "destination",
     "Select a valid choice. cash is not one of the available choices."),
])
def test_a_refund_the_payment_cannot_take_is_explained_beside_its_field(manager_client, paid, form, field, error):
    response = manager_client.post(refund_url(Payment.objects.get()), form, headers=ENGLISH)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not Refund.objects.exists()


def test_a_payment_not_paid_has_no_refund_page(manager_client, ecg, anna):
    invoice_open(booking=book(ecg, anna), resource_type="equipment", what="ЭКГ", now=NOW, actor=Actor.telegram(anna))
    assert manager_client.get(refund_url(Payment.objects.get())).status_code == 404


def test_staff_outside_the_managers_group_can_neither_mark_cash_nor_refund(client, paid):
    client.force_login(factories.StaffUserFactory(username="intern"))
    assert client.get(CASH).status_code == 403
    assert client.post(refund_url(Payment.objects.get()), refund_form("10.00")).status_code == 403
    assert client.get(RECONCILIATION).status_code == 403


def test_the_reconciliation_page_shows_the_month_per_day_with_its_total(manager_client, paid):
    wallet_post(client=fresh(paid).client, kind="deposit", amount=Decimal("300.00"), reason="наличные",
                actor=Actor.system(), idempotency_key="desk", now=NOW)

    page = manager_client.get(RECONCILIATION, {"month": "2026-11"}, headers=ENGLISH).content.decode()

    assert "November 2026" in page and "Mon 23.11.2026" in page
    assert "1,800.00 RUB" in page  # money in: 1 500 by Telegram and 300 at the desk
    assert "reconciliation-unbalanced" not in page
    assert reverse("admin:payments_reconciliation") in manager_client.get(reverse("admin:index")).content.decode()


def test_a_month_the_page_cannot_read_is_a_form_error(manager_client):
    response = manager_client.get(RECONCILIATION, {"month": "2026-13"}, headers=ENGLISH)
    assert response.status_code == 200
    assert "A month is written as YYYY-MM" in response.content.decode()


def test_the_refunds_list_is_read_only_and_found_by_booking_reference(manager_client, paid):
    manager_client.post(refund_url(Payment.objects.get()), refund_form("300.00", reason="Не работал датчик"))
    refunds = reverse("admin:payments_refund_changelist")

    found = manager_client.get(refunds, {"q": paid.reference})
    other = manager_client.get(refunds, {"q": "E-999999"})

    assert [r.amount for r in found.context["cl"].result_list] == [Decimal("300.00")]
    assert "Не работал датчик" in found.content.decode() and paid.reference in found.content.decode()
    assert other.context["cl"].result_count == 0
    refund = Refund.objects.get()
    assert manager_client.post(reverse("admin:payments_refund_delete", args=[refund.pk])).status_code == 403
