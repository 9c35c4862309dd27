"""Paying on the booking page: a client's booking of a prepaid resource answers what to pay, until when and what
cancelling after paying gives back; Pay asks the bot the page was opened from for an invoice link; a payment
the form reports as failed ends the booking as not paid; the wallet pays at once when it covers the total. Only
the booking's own requester may do any of it, and every refusal is a 4xx JSON answer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation

from equipment.models import EquipmentBooking
from integrations.webapp.page import page_context
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.outbox.models import Event
from payments.checkout import minor_units, payment_received, pre_checkout
from payments.models import Payment, WalletTransaction
from payments.wallets import wallet_balance, wallet_post
from tests import factories
from tests.conftest import NOW
from tests.integrations.telegram.conftest import TOKENS
from tests.integrations.telegram.fake_bot_api import invoice_slug
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

# The specialists' cast: an hour-long ultrasound performed in two cabinets.
rooms, anna, boris, ultrasound = cast.rooms, cast.anna, cast.boris, cast.ultrasound

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)  # a week after NOW
State = Payment.State


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15
    settings.REFUND_FULL_HOURS_BEFORE = 24


@pytest.fixture
def ecg(db):
    return factories.ItemFactory(name="ECG machine", category="Diagnostics", quantity=1,
                                 price_per_day=Decimal("1500.00"), prepayment_required=True)


def book(user, item, *, day=DAY, phone="+7 999 123-45-67") -> dict:
    response = user.post("/bookings", {"kind": "equipment", "item_id": item.pk, "start_date": day.isoformat(),
                                       "client_name": "Ann Smith", "client_phone": phone})
    assert response.status_code == 201, response.content
    return response.json()["booking"]


def fresh(booking: dict) -> EquipmentBooking:
    return EquipmentBooking.objects.get(pk=booking["id"])


def fund(booking: dict, amount: str) -> None:
    wallet_post(client=fresh(booking).client, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal(amount),
                reason="cash", actor=Actor.system(), idempotency_key=f"cash:{booking['id']}:{amount}", now=NOW)


def test_a_booking_of_a_prepaid_item_answers_what_to_pay_until_when_and_the_refund_policy(ann, ecg):
    booking = book(ann, ecg)

    assert (booking["status"], booking["status_label"]) == ("awaiting_payment", "waiting for payment")
    assert booking["payment"] == {
        "pay_by": "2026-11-23T10:15:00+03:00", "total": "1500.00", "total_text": "1,500\u00a0₽", "currency": "RUB",
        "refund_policy": {"hours": 24, "until": "2026-11-30T09:00:00+03:00",
                          "text": "If you cancel before 30.11 09:00, the money goes back to your wallet; later it "
                                  "is not refunded."},
        "wallet_covers": False}


def test_a_booking_starting_within_the_refund_hours_says_paying_is_not_refunded_on_cancelling(ann, ecg):
    booking = book(ann, ecg, day=NOW.date() + timedelta(days=1))

    policy = booking["payment"]["refund_policy"]

    assert policy["until"] is None
    assert policy["text"] == ("This booking starts in less than 24 h: if you cancel it after paying, the money is "
                              "not refunded.")


def test_the_payment_state_is_told_in_russian_to_a_russian_speaking_client(mini_app_user, ecg, bot_api):
    ivan = mini_app_user(1002, first_name="Иван", language="ru")

    booking = book(ivan, ecg)

    assert booking["status_label"] == "ждёт оплаты"
    assert booking["payment"]["refund_policy"]["text"] == (
        "Если отменить до 30.11 09:00, деньги вернутся в кошелёк; позже они не возвращаются.")


def test_a_booking_nobody_prepays_carries_no_payment(ann, ecg, settings):
    settings.PAYMENT_PROVIDER_TOKEN = ""

    booking = book(ann, ecg)

    assert (booking["status"], booking["payment"]) == ("pending", None)


def test_my_bookings_shows_the_booking_awaiting_payment_with_what_to_pay(ann, ecg):
    booking = book(ann, ecg)

    shown = ann.get("/me").json()["bookings"]

    assert [(b["id"], b["status"], b["payment"]["pay_by"]) for b in shown] == [
        (booking["id"], "awaiting_payment", "2026-11-23T10:15:00+03:00")]


def test_the_wallet_covers_the_booking_when_its_clients_balance_reaches_the_total(ann, ecg):
    booking = book(ann, ecg)
    fund(booking, "1499.99")
    assert ann.get(f"/bookings/equipment/{booking['id']}").json()["booking"]["payment"]["wallet_covers"] is False

    fund(booking, "0.01")

    assert ann.get(f"/bookings/equipment/{booking['id']}").json()["booking"]["payment"]["wallet_covers"] is True


def test_pay_asks_the_pages_bot_for_an_invoice_link_of_the_bookings_price(ann, ecg, bot_api):
    booking = book(ann, ecg)

    response = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {})

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert response.json() == {"invoice_url": f"https://t.me/${invoice_slug(payment.invoice_payload)}",
                               "payload": payment.invoice_payload}
    assert (payment.state, payment.amount, payment.telegram_id) == (State.CREATED, Decimal("1500.00"), 1001)
    [call] = bot_api.of("createInvoiceLink")
    assert call.token == TOKENS["equipment"]
    assert {key: call.fields[key] for key in ("title", "payload", "provider_token", "currency")} == {
        "title": f"Booking {booking['reference']}", "payload": payment.invoice_payload,
        "provider_token": "284685063:TEST:token", "currency": "RUB"}
    assert call.fields["description"] == "ECG machine · 01.12.2026"
    assert [line["amount"] for line in call.fields["prices"]] == [minor_units(Decimal("1500"), "RUB")]


def test_the_invoice_is_made_by_the_bot_that_opened_the_page(mini_app_user, ecg, bot_api):
    tom = mini_app_user(1003, first_name="Tom", bot="cabinet")
    booking = book(tom, ecg)

    assert tom.post(f"/bookings/equipment/{booking['id']}/invoice", {}).status_code == 201

    assert [call.token for call in bot_api.of("createInvoiceLink")] == [TOKENS["cabinet"]]


def test_an_appointment_awaiting_payment_is_paid_like_any_booking(ann, ultrasound, bot_api):
    ultrasound.prepayment_required = True
    ultrasound.save(update_fields=["prepayment_required"])
    response = ann.post("/appointments", {"service_id": ultrasound.pk, "specialist_id": None,
                                          "starts_at": at(TUE, 11).isoformat(), "client_name": "Ann Smith",
                                          "client_phone": "+79991234567"})
    assert response.status_code == 201, response.content
    booking = response.json()["booking"]
    assert (booking["status"], booking["payment"]["total"]) == ("awaiting_payment", "2500.00")

    link = ann.post(f"/bookings/cabinet/{booking['id']}/invoice", {})

    assert link.status_code == 201, link.content
    description = bot_api.of("createInvoiceLink")[0].fields["description"]
    assert description.startswith("УЗИ брюшной полости · Кабинет УЗИ ") and "24.11.2026 11:00–12:00" in description


def test_when_telegram_makes_no_link_the_answer_says_so_and_pay_can_be_tapped_again(ann, ecg, bot_api):
    booking = book(ann, ecg)
    bot_api.failing_methods.add("createInvoiceLink")

    refused = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {})

    assert refused.status_code == 502
    assert refused.json()["code"] == "invoice_unavailable"
    assert fresh(booking).status == Status.AWAITING_PAYMENT
    bot_api.failing_methods.clear()
    assert ann.post(f"/bookings/equipment/{booking['id']}/invoice", {}).status_code == 201


def test_a_paid_booking_reads_as_moved_on_when_the_page_asks_again(ann, ecg, bot_api):
    booking = book(ann, ecg)
    payload = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {}).json()["payload"]
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id="tg-1",
                     provider_charge_id="prov-1", now=NOW)

    shown = ann.get(f"/bookings/equipment/{booking['id']}").json()["booking"]

    assert (shown["status"], shown["payment"]) == ("pending", None)


def test_a_failed_payment_ends_the_booking_as_not_paid(ann, ecg, bot_api):
    booking = book(ann, ecg)
    payload = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {}).json()["payload"]

    response = ann.post(f"/payments/{payload}/failed", {})

    assert response.status_code == 200, response.content
    assert (response.json()["booking"]["status"], response.json()["booking"]["payment"]) == ("cancelled", None)
    assert Payment.objects.get().state == State.FAILED
    assert fresh(booking).status == Status.CANCELLED
    assert Event.objects.filter(booking_id=booking["id"], topic=Event.Topic.NOT_PAID).count() == 1
    assert book(ann, ecg)["status"] == "awaiting_payment"  # its unit is free again


def test_a_failure_reported_twice_or_after_the_payment_changes_nothing_more(ann, ecg, bot_api):
    booking = book(ann, ecg)
    payload = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {}).json()["payload"]
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id="tg-1",
                     provider_charge_id="prov-1", now=NOW)

    response = ann.post(f"/payments/{payload}/failed", {})

    assert response.status_code == 200
    assert response.json()["booking"]["status"] == "pending"
    assert Payment.objects.get().state == State.PAID


def test_the_wallet_pays_the_booking_at_once_when_it_covers_the_total(ann, ecg, bot_api):
    booking = book(ann, ecg)
    fund(booking, "2000")

    response = ann.post(f"/bookings/equipment/{booking['id']}/pay-from-wallet", {})

    assert response.status_code == 200, response.content
    assert (response.json()["booking"]["status"], response.json()["booking"]["payment"]) == ("pending", None)
    payment = Payment.objects.get()
    assert (payment.method, payment.state, payment.amount) == ("wallet", State.PAID, Decimal("1500.00"))
    assert wallet_balance(fresh(booking).client) == Decimal("500.00")
    assert bot_api.of("createInvoiceLink") == []


def test_a_wallet_short_of_the_total_is_refused_with_a_clear_message(ann, ecg):
    booking = book(ann, ecg)
    fund(booking, "100")

    response = ann.post(f"/bookings/equipment/{booking['id']}/pay-from-wallet", {})

    assert response.status_code == 409
    assert response.json()["code"] == "wallet_insufficient"
    assert "wallet" in response.json()["error"]
    assert fresh(booking).status == Status.AWAITING_PAYMENT
    assert Payment.objects.count() == 0


def test_a_booking_that_no_longer_awaits_payment_is_refused_pay_and_wallet(ann, ecg, bot_api):
    booking = book(ann, ecg)
    assert ann.post(f"/bookings/equipment/{booking['id']}/cancel", {}).status_code == 200
    fund(booking, "2000")

    for action in ("invoice", "pay-from-wallet"):
        response = ann.post(f"/bookings/equipment/{booking['id']}/{action}", {})
        assert response.status_code == 409, (action, response.content)
        assert response.json()["code"] == "payment_not_due"
    assert bot_api.of("createInvoiceLink") == []


def test_the_time_to_pay_over_pay_is_refused_saying_so(ann, ecg, bot_api, time_machine):
    booking = book(ann, ecg)
    time_machine.move_to(NOW + timedelta(minutes=15), tick=False)

    response = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {})

    assert response.status_code == 409
    assert response.json()["error"] == f"The time to pay for booking {booking['reference']} is over."


def test_without_payments_configured_pay_is_refused(ann, ecg, bot_api, settings):
    booking = book(ann, ecg)
    settings.PAYMENT_PROVIDER_TOKEN = ""

    response = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {})

    assert (response.status_code, response.json()["code"]) == (409, "payments_off")


def test_nobody_but_the_requester_sees_pays_or_fails_a_booking(ann, mini_app_user, ecg, bot_api):
    booking = book(ann, ecg)
    fund(booking, "2000")
    payload = ann.post(f"/bookings/equipment/{booking['id']}/invoice", {}).json()["payload"]
    bob = mini_app_user(1002, first_name="Bob")

    answers = [bob.get(f"/bookings/equipment/{booking['id']}"),
               bob.post(f"/bookings/equipment/{booking['id']}/invoice", {}),
               bob.post(f"/bookings/equipment/{booking['id']}/pay-from-wallet", {}),
               bob.post(f"/payments/{payload}/failed", {})]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(404, "not_found")] * 4
    assert fresh(booking).status == Status.AWAITING_PAYMENT
    assert Payment.objects.get().state == State.CREATED
    assert len(bot_api.of("createInvoiceLink")) == 1


def test_a_managers_own_telegram_account_is_no_key_to_a_clients_booking(ann, manager, mini_app_user, ecg):
    booking = book(ann, ecg)
    boss = mini_app_user(manager.telegram_id, first_name="Maria")

    assert boss.post(f"/bookings/equipment/{booking['id']}/pay-from-wallet", {}).status_code == 404


@pytest.mark.parametrize("path", ["/bookings/spaceship/1/invoice", "/bookings/spaceship/1/pay-from-wallet",
                                  "/bookings/equipment/999999/invoice", "/payments/p.unknown/failed",
                                  "/payments/" + "x" * 300 + "/failed"])
def test_what_does_not_exist_is_a_404_json(ann, path):
    response = ann.post(path, {})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("path", ["/bookings/equipment/0/invoice", f"/bookings/cabinet/{2**63}/pay-from-wallet",
                                  f"/bookings/equipment/{10**30}"])
def test_an_id_out_of_range_is_a_400_json(ann, path):
    response = ann.get(path) if path.count("/") == 3 else ann.post(path, {})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_paying_needs_a_signed_session(client, ecg, bot_api, clock):
    for path in ("/bookings/equipment/1/invoice", "/bookings/equipment/1/pay-from-wallet", "/payments/p.x/failed"):
        response = client.post(f"/app/api{path}", data="{}", content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_the_pages_words_for_paying_are_russian_for_a_russian_speaking_client():
    with translation.override("ru"):
        words = page_context(RequestFactory().get("/app/"), language="ru")["config"]["texts"]

    assert (words["pay"], words["pay_from_wallet"]) == ("Оплатить", "Оплатить из кошелька")
    assert words["pay_by"] % {"amount": "1 500 ₽", "time": "10:15"} == "Оплатите 1 500 ₽ до 10:15"
    assert words["not_paid"] % {"ref": "E-1"} == "Бронь E-1 отменена: она не оплачена."
