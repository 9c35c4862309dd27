"""Prices in both bots, through the real webhook: the confirmation card shows what the request costs for the
client of the phone given (the total `POST /api/v1/quotes` gives the same request), My bookings shows what each
booking stored, a free-text card shows its price too, and nothing priced shows no price."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.utils import translation

from kernel.pricing.labels import money_text
from specialists.models import Service
from tests import factories
from tests.api.conftest import ApiClient
from tests.clock import TUE, at
from tests.integrations.telegram.conftest import said
from tests.kernel.pricing.conftest import make_client, make_rule
from tests.specialists.conftest import WEEKDAYS, specialist

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+79991234567"


@pytest.fixture
def partner_api(transactional_db):
    return ApiClient(factories.partner_with_key(name="ClinicCRM")[1])


@pytest.fixture
def birthday_tuesday(transactional_db):
    """A 12 % birthday discount, and the client of PHONE born on the day booked."""
    make_rule("birthday", "12")
    return make_client(phone=PHONE, birthday=date(1990, TUE.month, TUE.day))


@pytest.fixture
def holter(transactional_db):
    return factories.ItemFactory(name="Холтер", quantity=3, price_per_day=Decimal("500.00"))


@pytest.fixture
def ultrasound(transactional_db):
    room = factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"), opens=time(8), closes=time(20),
                               lunch=None)
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([specialist("Анна Смирнова", {d: [(time(9), time(18))] for d in WEEKDAYS})])
    service.cabinets.set([room])
    return service


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


def confirmation(user) -> str:
    """The name and phone steps, the birthday question skipped where the client was never asked it, then the
    card with Confirm."""
    user.send("Мария Петрова")
    calls = user.share_contact(PHONE)
    if "date of birth" in said(calls):
        calls = user.press("Skip")
    return said(calls)


def quoted_total(partner_api, body: dict) -> str:
    """The partner API's total for the same request, written as the bots write money."""
    answer = partner_api.post("/api/v1/quotes", {**body, "client_phone": PHONE})
    assert answer.status_code == 200, answer.content
    with translation.override("en"):
        return "total " + money_text(Decimal(answer.json()["price"]["total"]))


def test_a_service_s_card_shows_the_birthday_discount_and_the_total_the_api_quotes(
        ann_cab, partner_api, ultrasound, birthday_tuesday):
    ann_cab.send("/start")
    ann_cab.send("🩺 Book a service")
    ann_cab.press("Диагностика")
    ann_cab.press("УЗИ брюшной полости")
    ann_cab.press("👩‍⚕️ Анна Смирнова")
    ann_cab.press("24")
    ann_cab.press("10:00")

    card = confirmation(ann_cab)

    total = quoted_total(partner_api, {"service_id": ultrasound.pk, "starts_at": at(TUE, 10).isoformat()})
    assert total == "total 2,200\u00a0₽"
    assert ("💰 УЗИ брюшной полости 2,500\u00a0₽ · birthday discount −12\u00a0% −300\u00a0₽ · " + total) in card


def test_equipment_s_card_shows_units_times_days_and_the_total_the_api_quotes(ann, partner_api, holter,
                                                                             birthday_tuesday):
    ann.send("/start")
    ann.send("📋 Book")
    ann.press("Холтер")
    ann.press("24")
    ann.press("25")
    ann.press("2")

    card = confirmation(ann)

    total = quoted_total(partner_api, {"item_id": holter.pk, "start_date": "2026-11-24", "end_date": "2026-11-25",
                                       "units": 2})
    assert total == "total 1,760\u00a0₽"  # 2 × 2 × 500, less 12 %
    assert "💰 Холтер · 2 pcs × 2 days × 500\u00a0₽ 2,000\u00a0₽ · birthday discount" in card and total in card


def test_a_cabinet_s_card_adds_its_equipment_and_my_bookings_shows_what_the_booking_stored(
        ann_cab, partner_api, cabinet, holter):
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save(update_fields=["price_per_slot"])
    ann_cab.send("/start")
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    ann_cab.press("10:00")
    ann_cab.press("1 h")
    ann_cab.press("Холтер")

    card = confirmation(ann_cab)
    ann_cab.press("✅ Confirm")
    mine = said(ann_cab.send("📊 My bookings"))

    total = quoted_total(partner_api, {"cabinet_id": cabinet.pk, "starts_at": at(TUE, 10).isoformat(),
                                       "duration_minutes": 60, "equipment": [{"item_id": holter.pk, "units": 1}]})
    price = ("💰 Кабинет 1 · 2 slots × 1,000\u00a0₽ 2,000\u00a0₽ · Холтер · 1 pc × 1 day × 500\u00a0₽ 500\u00a0₽ · "
             + total)
    assert total == "total 2,500\u00a0₽"
    assert price in card and price in mine


def test_a_free_text_card_shows_its_price_for_the_phone_of_the_last_booking(user_factory, cabinet,
                                                                          birthday_tuesday):
    cabinet.price_per_slot = Decimal("1000.00")
    cabinet.save(update_fields=["price_per_slot"])
    ann_cab = user_factory(1001, bot="cabinet", language="ru")
    ann_cab.send("/start")  # a first booking, on Wednesday: the card uses its name and phone
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("25")
    ann_cab.press("10:00")
    ann_cab.press("30 мин")
    ann_cab.send("Мария Петрова")
    ann_cab.share_contact(PHONE)
    ann_cab.press("✅ Подтвердить")

    card = said(ann_cab.send("завтра в 15:00 кабинет 1 на час"))

    assert "📱 +7 999 123-45-67" in card
    assert "💰 Кабинет 1 · 2 слота × 1\u00a0000\u00a0₽ 2\u00a0000\u00a0₽ · скидка в день рождения −12\u00a0% " \
           "−240\u00a0₽ · итого 1\u00a0760\u00a0₽" in card


def test_nothing_priced_shows_no_price_on_the_card_or_in_my_bookings(ann):
    factories.ItemFactory(name="ЭКГ аппарат", quantity=1)
    ann.send("/start")
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("24")
    ann.press("Single day")  # one unit free: no units step

    card = confirmation(ann)
    ann.press("✅ Confirm")

    assert "Please check the request" in card and "💰" not in card
    assert "💰" not in said(ann.send("📊 My bookings"))
