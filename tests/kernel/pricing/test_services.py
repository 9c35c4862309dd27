"""A booking stores its price when it is made: the lines a quote would show, unchanged by later price lists. A
discount counts against the quota of the day the booking is made; a spent quota gives the full price with a
note; a cancelled or rejected booking gives its discount back once. A manager may override the total."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cabinets.models import CabinetBookingStatusChange
from cabinets.series import cabinet_series_create
from cabinets.services import cabinet_booking_cancel, cabinet_booking_create
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_reject
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.pricing.models import BookingPrice, DiscountQuotaUse
from kernel.pricing.quota import daily_limit, daily_limit_set, quota_used
from kernel.pricing.services import (
    booking_price,
    booking_price_of,
    booking_price_override,
    booking_price_release,
    booking_prices,
    price_quote,
)
from specialists.models import Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.clock import NOW, TUE, at
from tests.kernel.pricing.conftest import make_client, make_rule

BIRTHDAY = date(1990, TUE.month, TUE.day)


@pytest.fixture
def staff(db):
    return factories.StaffUserFactory(username="manager")


def book_holter(holter, staff, *, client=None, units=2, days=3, now=NOW, **kwargs):
    return equipment_booking_create(
        item=holter, start_date=TUE, end_date=TUE + timedelta(days=days - 1), units=units,
        client_name=client.name if client else "Мария Петрова",
        client_phone=client.phone if client else "+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=now, **kwargs)


def amounts(price) -> list[tuple[str, str]]:
    return [(line.kind, str(line.amount)) for line in price.lines]


def test_a_booking_stores_the_price_a_quote_shows(holter, staff):
    make_rule("threshold", "12", "1000.00")
    quote = price_quote(resource_type="equipment", now=NOW,
                        request={"item": holter, "units": 2, "start_date": TUE, "end_date": TUE + timedelta(days=2)})
    booking = book_holter(holter, staff)
    stored = booking_price(resource_type="equipment", booking_id=booking.pk)
    assert amounts(stored) == amounts(quote) == [("base", "3000.00"), ("discount", "-360.00")]
    assert stored.total == Decimal("2640.00")
    assert BookingPrice.objects.get(booking_id=booking.pk).total == Decimal("2640.00")


def test_later_price_list_changes_do_not_change_a_stored_price(holter, staff):
    rule = make_rule("threshold", "12", "1000.00")
    booking = book_holter(holter, staff)
    holter.price_per_day = Decimal("900.00")
    holter.name = "Холтер новый"
    holter.save()
    rule.percent = Decimal("50")
    rule.save()
    stored = booking_price(resource_type="equipment", booking_id=booking.pk)
    assert amounts(stored) == [("base", "3000.00"), ("discount", "-360.00")]
    assert stored.lines[0].params["name"] == "Холтер"


def test_a_birthday_discount_follows_the_booking_client(holter, staff):
    make_rule("birthday", "12")
    with_birthday = book_holter(holter, staff, units=1, client=make_client(birthday=BIRTHDAY))
    without = book_holter(holter, staff, units=1, client=make_client(phone="+79990000000",
                                                                      birthday=date(1990, 5, 5)))
    asked = book_holter(holter, staff, units=1, client_birthday=BIRTHDAY)
    prices = booking_prices(resource_type="equipment", booking_ids=[with_birthday.pk, without.pk, asked.pk])
    assert prices[with_birthday.pk].total == Decimal("1320.00")
    assert prices[without.pk].total == Decimal("1500.00")
    assert prices[asked.pk].total == Decimal("1320.00")


def test_a_discount_counts_against_the_day_the_booking_is_made(holter, staff):
    make_rule("threshold", "10", "0")
    book_holter(holter, staff)
    assert quota_used(NOW.date()) == 1
    assert quota_used(TUE) == 0  # the booking's own day is not the day it was made
    book_holter(holter, staff, units=1, days=1)
    assert quota_used(NOW.date()) == 2  # no limit set: every discount is still counted


def test_when_the_quota_is_spent_the_booking_goes_ahead_at_full_price_with_a_note(holter, staff, settings):
    settings.DISCOUNT_DAILY_QUOTA = 1
    make_rule("threshold", "10", "0")
    first = book_holter(holter, staff, units=1, days=1)
    second = book_holter(holter, staff, units=1, days=1)
    prices = booking_prices(resource_type="equipment", booking_ids=[first.pk, second.pk])
    assert amounts(prices[first.pk]) == [("base", "500.00"), ("discount", "-50.00")]
    assert amounts(prices[second.pk]) == [("base", "500.00"), ("info", "0.00")]
    assert prices[second.pk].lines[-1].label == "discount_limit"
    assert quota_used(NOW.date()) == 1
    tomorrow = book_holter(holter, staff, units=1, days=1, now=NOW + timedelta(days=1))
    assert booking_price(resource_type="equipment", booking_id=tomorrow.pk).discount is not None  # a new day


def test_a_quote_says_the_quota_is_spent_without_touching_it(holter, staff):
    daily_limit_set(1)
    make_rule("threshold", "10", "0")
    book_holter(holter, staff, units=1, days=1)
    quote = price_quote(resource_type="equipment", now=NOW, request={"item": holter, "units": 1, "start_date": TUE})
    assert amounts(quote) == [("base", "500.00"), ("info", "0.00")]
    assert quota_used(NOW.date()) == 1


def test_cancelling_gives_the_discount_back_once(holter, staff, settings):
    settings.DISCOUNT_DAILY_QUOTA = 1
    make_rule("threshold", "10", "0")
    booking = book_holter(holter, staff, units=1, days=1)
    equipment_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW, reason="Передумала")
    assert quota_used(NOW.date()) == 0
    assert booking_price_release(resource_type="equipment", booking_id=booking.pk, now=NOW) is False
    assert quota_used(NOW.date()) == 0
    # The cancelled booking keeps its lines; the next booking of the day gets the discount.
    assert booking_price(resource_type="equipment", booking_id=booking.pk).discount is not None
    assert booking_price(resource_type="equipment", booking_id=book_holter(
        holter, staff, units=1, days=1).pk).discount is not None


def test_a_rejected_booking_gives_its_discount_back(holter):
    make_rule("threshold", "10", "0")
    account = factories.TelegramAccountFactory()
    booking = equipment_booking_create(item=holter, start_date=TUE, client_name="Мария Петрова",
                                       client_phone="+79991112233", actor=Actor.telegram(account),
                                       channel=Channel.BOT, now=NOW)
    assert quota_used(NOW.date()) == 1
    manager = factories.TelegramAccountFactory(is_manager=True)
    equipment_booking_reject(booking=booking, actor=Actor.telegram(manager), now=NOW, reason="Нет мест")
    assert quota_used(NOW.date()) == 0


def test_a_booking_without_a_discount_gives_nothing_back(holter, staff):
    make_rule("threshold", "10", "0")
    DiscountQuotaUse.objects.create(day=NOW.date(), used=3)
    holter.price_per_day = None
    holter.save()
    booking = book_holter(holter, staff)
    equipment_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW)
    assert quota_used(NOW.date()) == 3


def test_a_refused_booking_stores_no_price_and_takes_no_discount(holter, staff):
    make_rule("threshold", "10", "0")
    with pytest.raises(BookingError):
        book_holter(holter, staff, units=99)
    assert not BookingPrice.objects.exists()
    assert quota_used(NOW.date()) == 0


def test_a_cabinet_booking_stores_its_slots_and_equipment(priced_cabinet, holter, staff):
    booking = cabinet_booking_create(
        cabinet=priced_cabinet, starts_at=at(TUE, 10), duration_minutes=90, equipment=[(holter, 2)],
        client_name="Мария Петрова", client_phone="+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW)
    price = booking_price(resource_type="cabinet", booking_id=booking.pk)
    assert amounts(price) == [("base", "3000.00"), ("base", "1000.00")]
    # Its equipment is part of the cabinet booking's price, not priced again on its own.
    assert not BookingPrice.objects.filter(resource_type="equipment").exists()


def test_an_appointment_stores_its_service_price_alone(priced_cabinet, holter, ultrasound, staff):
    doctor = Specialist.objects.create(name="Анна Смирнова")
    WorkingHours.objects.create(specialist=doctor, weekday=TUE.weekday(), start=at(TUE, 9).time(),
                                end=at(TUE, 18).time())
    ultrasound.specialists.set([doctor])
    ultrasound.cabinets.set([priced_cabinet])
    ultrasound.equipment_lines.create(item=holter, units=1)
    make_rule("birthday", "12")
    make_client(birthday=BIRTHDAY)
    booking = appointment_create(service=ultrasound, starts_at=at(TUE, 10), client_name="Мария Петрова",
                                 client_phone="+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN,
                                 now=NOW)
    price = booking_price(resource_type="cabinet", booking_id=booking.pk)
    assert amounts(price) == [("base", "2500.00"), ("discount", "-300.00")]
    assert price.lines[0].params == {"name": "УЗИ"}
    cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW)
    assert quota_used(NOW.date()) == 0


def test_each_occurrence_of_a_series_is_priced_and_counted(priced_cabinet, staff, settings):
    settings.DISCOUNT_DAILY_QUOTA = 2
    make_rule("threshold", "10", "0")
    series = cabinet_series_create(
        cabinet=priced_cabinet, starts_at=at(TUE, 10), duration_minutes=60, every_weeks=1, count=3,
        client_name="Мария Петрова", client_phone="+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW)
    ids = list(series.occurrences.order_by("starts_at").values_list("pk", flat=True))
    prices = booking_prices(resource_type="cabinet", booking_ids=ids)
    assert [str(prices[pk].total) for pk in ids] == ["1800.00", "1800.00", "2000.00"]
    assert quota_used(NOW.date()) == 2


def test_a_manager_overrides_the_total_with_a_reason_recorded_in_history(priced_cabinet, staff):
    make_rule("threshold", "10", "0")
    booking = cabinet_booking_create(
        cabinet=priced_cabinet, starts_at=at(TUE, 10), duration_minutes=60, client_name="Мария Петрова",
        client_phone="+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    price = booking_price_override(booking=booking, resource_type="cabinet", total="1500", reason="Постоянный клиент",
                                   actor=Actor.staff(staff), now=NOW)
    assert amounts(price) == [("base", "2000.00"), ("discount", "-200.00"), ("override", "-300.00")]
    assert price.total == Decimal("1500.00") == BookingPrice.objects.get(booking_id=booking.pk).total
    again = booking_price_override(booking=booking, resource_type="cabinet", total="2100.00", reason="Ошибка",
                                   actor=Actor.staff(staff), now=NOW)
    assert amounts(again) == [("base", "2000.00"), ("discount", "-200.00"), ("override", "300.00")]
    assert booking_price(resource_type="cabinet", booking_id=booking.pk) == again
    assert booking_price_of(booking, resource_type="cabinet") == again  # not the price it was made with
    history = list(CabinetBookingStatusChange.objects.filter(booking=booking).order_by("pk")
                   .values_list("reason", flat=True))
    assert "Постоянный клиент" in history[-2] and "Ошибка" in history[-1]


@pytest.mark.parametrize("total, reason, code_field", [
    ("-1", "скидка", "total"), ("12.345", "скидка", "total"), ("abc", "скидка", "total"), ("100", " ", "reason"),
])
def test_an_override_needs_an_amount_of_zero_or_more_and_a_reason(priced_cabinet, staff, total, reason, code_field):
    booking = cabinet_booking_create(
        cabinet=priced_cabinet, starts_at=at(TUE, 10), duration_minutes=60, client_name="Мария Петрова",
        client_phone="+79991112233", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    with pytest.raises(BookingError) as refusal:
        booking_price_override(booking=booking, resource_type="cabinet", total=total, reason=reason,
                               actor=Actor.staff(staff), now=NOW)
    assert refusal.value.code == "invalid" and refusal.value.details["field"] == code_field
    assert booking_price(resource_type="cabinet", booking_id=booking.pk).total == Decimal("2000.00")


def test_only_managers_override_a_price(holter, staff):
    booking = book_holter(holter, staff)
    with pytest.raises(BookingError) as refusal:
        booking_price_override(booking=booking, resource_type="equipment", total="1", reason="так",
                               actor=Actor.telegram(factories.TelegramAccountFactory()), now=NOW)
    assert refusal.value.code == "forbidden"


def test_the_quota_starts_from_the_setting_until_it_is_set(settings, db):
    settings.DISCOUNT_DAILY_QUOTA = 7
    assert daily_limit() == 7
    daily_limit_set(3)
    assert daily_limit() == 3
