"""Prepaid packages: an appointment of the package's service by its client, on a day the package is valid, is
one of its sessions ("package: session 2 of 5", total 0, no discount, no quota); a cancelled or rejected one
gives the session back; an expired or used-up package is not used; a quote shows the session without using it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cabinets.services import cabinet_booking_cancel, cabinet_booking_reject
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.pricing.quota import daily_limit_set, quota_used
from kernel.pricing.services import booking_price, price_quote
from payments.models import ClientPackage, PackageProduct, WalletTransaction
from payments.packages import account_packages, package_sell, packages_of, sessions_used
from payments.wallets import wallet_balance, wallet_post
from specialists.models import Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.clock import NOW, TUE, at
from tests.kernel.pricing.conftest import make_client, make_rule

PaidBy = ClientPackage.PaidBy


@pytest.fixture
def staff(db):
    return factories.StaffUserFactory(username="manager")


@pytest.fixture
def ultrasound(db):
    return Service.objects.create(name="УЗИ", duration_minutes=60, price=Decimal("2500.00"))


@pytest.fixture
def doctor(db, cabinet, ultrasound):
    doctor = Specialist.objects.create(name="Анна Смирнова")
    for weekday in range(7):
        WorkingHours.objects.create(specialist=doctor, weekday=weekday, start=at(TUE, 9).time(),
                                    end=at(TUE, 18).time())
    ultrasound.specialists.set([doctor])
    ultrasound.cabinets.set([cabinet])
    return doctor


@pytest.fixture
def maria(db):
    return make_client()


@pytest.fixture
def five_ultrasounds(ultrasound):
    return PackageProduct.objects.create(service=ultrasound, sessions=5, price=Decimal("10000.00"), validity_days=30)


def sell(product, client, paid_by=PaidBy.CASH, key="sale-1", now=NOW):
    return package_sell(product=product, client=client, paid_by=paid_by, actor=Actor.system(), now=now,
                        idempotency_key=key)


def book(service, client, day=TUE, hour=10, now=NOW, actor=None):
    return appointment_create(service=service, starts_at=at(day, hour), client_name=client.name,
                              client_phone=client.phone, actor=actor or Actor.system(), channel=Channel.ADMIN,
                              now=now)


def lines(booking) -> list[tuple[str, str, str]]:
    price = booking_price(resource_type="cabinet", booking_id=booking.pk)
    return [(line.kind, line.text, str(line.amount)) for line in price.lines]


def test_an_appointment_uses_a_session_and_costs_nothing(doctor, ultrasound, maria, five_ultrasounds):
    package = sell(five_ultrasounds, maria)
    first = book(ultrasound, maria, hour=10)
    second = book(ultrasound, maria, hour=12)

    assert lines(first) == [("base", "УЗИ", "2500.00"), ("package", "абонемент: сеанс 1 из 5", "-2500.00")]
    assert lines(second)[-1][1] == "абонемент: сеанс 2 из 5"
    assert booking_price(resource_type="cabinet", booking_id=second.pk).total == Decimal("0.00")
    assert packages_of([maria], today=NOW.date())[0].remaining == 3
    assert package.valid_until == NOW.date() + timedelta(days=30)


def test_a_session_takes_no_discount_and_no_quota(doctor, ultrasound, five_ultrasounds):
    daily_limit_set(1)
    make_rule("birthday", "12")
    birthday_girl = make_client(birthday=date(1990, TUE.month, TUE.day))
    sell(five_ultrasounds, birthday_girl)

    booking = book(ultrasound, birthday_girl)

    assert [kind for kind, _text, _amount in lines(booking)] == ["base", "package"]
    assert quota_used(NOW.date()) == 0


def test_a_cancelled_or_rejected_appointment_gives_its_session_back(doctor, ultrasound, maria, five_ultrasounds,
                                                                    staff):
    package = sell(five_ultrasounds, maria)
    kept, cancelled = book(ultrasound, maria, hour=10), book(ultrasound, maria, hour=12)
    rejected = book(ultrasound, maria, hour=15, actor=Actor.telegram(factories.TelegramAccountFactory()))
    assert sessions_used([package.pk]) == {package.pk: 3}

    cabinet_booking_cancel(booking=cancelled, actor=Actor.staff(staff), now=NOW)
    cabinet_booking_reject(booking=rejected, actor=Actor.staff(staff), now=NOW, reason="Врач заболел")

    assert sessions_used([package.pk]) == {package.pk: 1}
    assert lines(book(ultrasound, maria, hour=16))[-1][1] == "абонемент: сеанс 2 из 5"
    assert kept.status == "approved"


def test_a_used_up_package_is_not_used_and_the_appointment_has_its_price(doctor, ultrasound, maria):
    two = PackageProduct.objects.create(service=ultrasound, sessions=2, price=Decimal("4000.00"), validity_days=30)
    sell(two, maria)
    book(ultrasound, maria, hour=10)
    book(ultrasound, maria, hour=11)

    third = book(ultrasound, maria, hour=12)

    assert lines(third) == [("base", "УЗИ", "2500.00")]
    assert packages_of([maria], today=NOW.date())[0].remaining == 0


def test_an_expired_package_is_not_used(doctor, ultrasound, maria, five_ultrasounds):
    package = sell(five_ultrasounds, maria)
    last_day = package.valid_until

    on_the_last_day = book(ultrasound, maria, day=last_day, now=at(last_day - timedelta(days=1), 12))
    after_it = book(ultrasound, maria, day=last_day + timedelta(days=1), now=at(last_day - timedelta(days=1), 12))

    assert lines(on_the_last_day)[-1][0] == "package"
    assert lines(after_it) == [("base", "УЗИ", "2500.00")]


def test_another_client_or_service_does_not_use_the_package(doctor, ultrasound, maria, five_ultrasounds):
    sell(five_ultrasounds, maria)
    other = make_client(phone="+79990001122", name="Ольга Иванова")

    assert lines(book(ultrasound, other)) == [("base", "УЗИ", "2500.00")]


def test_a_quote_shows_the_session_without_using_it(doctor, ultrasound, maria, five_ultrasounds):
    package = sell(five_ultrasounds, maria)

    price = price_quote(resource_type="specialist", request={"service": ultrasound, "starts_at": at(TUE, 10)},
                        now=NOW, client=maria)

    assert [(line.kind, line.text) for line in price.lines] == [("base", "УЗИ"), ("package", "абонемент: сеанс 1 из 5")]
    assert price.total == Decimal("0.00")
    assert sessions_used([package.pk]) == {package.pk: 0}


def test_a_sale_from_the_wallet_posts_a_package_purchase_once(ultrasound, maria, five_ultrasounds):
    wallet_post(client=maria, kind=WalletTransaction.Kind.DEPOSIT, amount=Decimal("12000"), reason="Наличные",
                actor=Actor.system(), idempotency_key="deposit", now=NOW)

    package = sell(five_ultrasounds, maria, paid_by=PaidBy.WALLET, key="sale-w")
    again = sell(five_ultrasounds, maria, paid_by=PaidBy.WALLET, key="sale-w")

    assert again == package
    assert wallet_balance(maria) == Decimal("2000.00")
    assert package.wallet_transaction.kind == "package_purchase"
    assert package.wallet_transaction.amount == Decimal("-10000.00")


def test_a_sale_from_a_wallet_that_does_not_cover_it_is_refused(ultrasound, maria, five_ultrasounds):
    with pytest.raises(BookingError) as refused:
        sell(five_ultrasounds, maria, paid_by=PaidBy.WALLET)

    assert refused.value.code == "wallet_insufficient"
    assert not ClientPackage.objects.exists()


def test_a_product_no_longer_on_sale_is_not_sold(ultrasound, maria, five_ultrasounds):
    five_ultrasounds.is_active = False
    five_ultrasounds.save()

    with pytest.raises(BookingError):
        sell(five_ultrasounds, maria)


def test_a_telegram_account_sees_its_clients_packages_with_sessions_left(doctor, ultrasound, five_ultrasounds):
    account = factories.TelegramAccountFactory()
    maria = make_client()
    maria.telegram_account = account
    maria.save()
    sell(five_ultrasounds, maria)
    book(ultrasound, maria)

    [state] = account_packages(account, now=NOW)

    assert (state.package.service, state.remaining) == (ultrasound, 4)


def test_validity_counts_from_the_clinic_day_of_the_sale_not_the_utc_one(ultrasound, maria, five_ultrasounds):
    late_evening_utc = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 01:30 on the 24th in Moscow

    package = sell(five_ultrasounds, maria, now=late_evening_utc)

    assert package.valid_until == date(2026, 11, 24) + timedelta(days=30)
