"""E-mail and prepayment: a booking waiting for its payment is no news yet; once paid it is told as if just
made (received, or confirmed), and one never paid ends without a word."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from equipment.services import equipment_booking_create
from integrations.mail.models import MailMessage
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from payments.checkout import invoice_open, payment_holds_sweep, payment_received, pre_checkout
from tests import factories
from tests.clock import NOW
from tests.integrations.mail.conftest import booked_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def payments_on(settings):
    settings.PAYMENT_PROVIDER_TOKEN = "284685063:TEST:token"
    settings.PAYMENT_HOLD_MINUTES = 15


@pytest.fixture
def awaiting(ivan):
    ecg = factories.ItemFactory(name="ЭКГ", quantity=1, price_per_day=Decimal("1500.00"), prepayment_required=True)
    account = factories.TelegramAccountFactory()
    booking = booked_for(ivan, lambda: equipment_booking_create(
        item=ecg, start_date=date(2026, 12, 1), units=1, client_name="Иван Петров", client_phone="+79991234567",
        actor=Actor.telegram(account), channel=Channel.BOT, now=NOW))
    assert booking.status == Status.AWAITING_PAYMENT
    return booking


def test_a_booking_awaiting_payment_is_told_by_mail_only_once_paid(awaiting):
    assert not MailMessage.objects.exists()

    payload = invoice_open(booking=awaiting, resource_type="equipment", what="ЭКГ", now=NOW,
                           actor=Actor.telegram(awaiting.requester)).payload
    assert pre_checkout(payload=payload, currency="RUB", total_amount=150000, now=NOW) is None
    payment_received(payload=payload, currency="RUB", total_amount=150000, telegram_charge_id="c-1",
                     provider_charge_id="p-1", now=NOW)

    assert list(MailMessage.objects.values_list("kind", flat=True)) == [MailMessage.Kind.RECEIVED]


def test_a_booking_never_paid_ends_without_a_mail(awaiting):
    assert payment_holds_sweep(now=NOW + timedelta(minutes=15)) == 1

    assert not MailMessage.objects.exists()
