"""The booking page's prices: its confirmation asks `/app/api/quote` what the request costs for the phone typed
and gets the total `POST /api/v1/quotes` gives the same request; the booking then carries that price, and My
bookings shows it. Nothing priced, no price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from tests.api.conftest import ApiClient
from tests.kernel.pricing.conftest import make_client, make_rule
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

# The specialists' cast: Анна and Борис performing an hour-long ultrasound (2 500 ₽) in two cabinets.
rooms, anna, boris, ultrasound = cast.rooms, cast.anna, cast.boris, cast.ultrasound

pytestmark = pytest.mark.django_db
PHONE = "+7 999 123-45-67"


@pytest.fixture
def partner_api(db):
    return ApiClient(factories.partner_with_key(name="ClinicCRM")[1])


@pytest.fixture
def birthday_today(db):
    """A 12 % birthday discount, and the client of PHONE born on the day of the requests."""
    make_rule("birthday", "12")
    return make_client(phone="+79991234567", birthday=date(1990, TUE.month, TUE.day))


@pytest.fixture
def holter(rooms):
    """An item at 500 ₽ a day, offered with the first cabinet, which costs 1 000 ₽ a slot."""
    rooms[0].price_per_slot = Decimal("1000.00")
    rooms[0].save(update_fields=["price_per_slot"])
    return factories.ItemFactory(name="Холтер", quantity=3, price_per_day=Decimal("500.00"))


def page_body(kind: str, *, ultrasound, rooms, holter) -> dict:
    """The body the page sends to book `kind`: an appointment, equipment for two days, a cabinet with it."""
    return {
        "appointment": {"service_id": ultrasound.pk, "specialist_id": None, "starts_at": at(TUE, 11).isoformat()},
        "equipment": {"kind": "equipment", "item_id": holter.pk, "start_date": TUE.isoformat(),
                      "end_date": "2026-11-25", "units": 2},
        "cabinet": {"kind": "cabinet", "cabinet_id": rooms[0].pk, "starts_at": at(TUE, 11).isoformat(),
                    "duration_minutes": 60, "equipment": [{"item_id": holter.pk, "units": 1}]},
    }[kind]


def api_body(page: dict) -> dict:
    """The same request as a partner sends it to `POST /api/v1/quotes`."""
    body = {key: value for key, value in page.items() if key not in ("kind", "specialist_id")}
    return {**body, "client_phone": PHONE}


@pytest.mark.parametrize("kind, total", [("appointment", "2200.00"), ("equipment", "1760.00"),
                                         ("cabinet", "2200.00")])
def test_the_confirmation_shows_the_total_the_partner_api_quotes_for_the_same_request(
        ann, partner_api, ultrasound, rooms, holter, birthday_today, kind, total):
    body = page_body(kind, ultrasound=ultrasound, rooms=rooms, holter=holter)

    shown = ann.post("/quote", {**body, "client_phone": PHONE})
    quoted = partner_api.post("/api/v1/quotes", api_body(body))

    assert shown.status_code == 200, shown.content
    assert quoted.status_code == 200, quoted.content
    assert shown.json()["price"]["total"] == quoted.json()["price"]["total"] == total
    assert shown.json()["price"]["lines"][-1]["kind"] == "discount"


def test_the_price_reads_as_the_bots_write_it(ann, ultrasound, birthday_today):
    body = {"service_id": ultrasound.pk, "starts_at": at(TUE, 11).isoformat(), "client_phone": PHONE}

    price = ann.post("/quote", body).json()["price"]

    assert price["lines"] == [
        {"kind": "base", "label": "УЗИ брюшной полости", "amount": "2500.00", "amount_text": "2,500\u00a0₽"},
        {"kind": "discount", "label": "birthday discount −12\u00a0%", "amount": "-300.00",
         "rule_id": price["lines"][1]["rule_id"], "amount_text": "−300\u00a0₽"}]
    assert price["total_text"] == "total 2,200\u00a0₽"
    assert price["text"] == ("УЗИ брюшной полости 2,500\u00a0₽ · birthday discount −12\u00a0% −300\u00a0₽ · "
                             "total 2,200\u00a0₽")


def test_the_booking_carries_the_price_its_confirmation_showed_and_my_bookings_shows_it(ann, ultrasound):
    make_rule("threshold", "10", "2000.00")
    body = {"service_id": ultrasound.pk, "specialist_id": None, "starts_at": at(TUE, 11).isoformat(),
            "client_name": "Мария Петрова", "client_phone": PHONE}

    shown = ann.post("/quote", body).json()["price"]
    booked = ann.post("/appointments", body)

    assert shown["total"] == "2250.00"
    assert booked.status_code == 201, booked.content
    assert booked.json()["booking"]["price"] == shown
    [mine] = ann.get("/me").json()["bookings"]
    assert mine["price"] == shown


def test_another_phone_gets_the_full_price(ann, ultrasound, birthday_today):
    body = {"service_id": ultrasound.pk, "starts_at": at(TUE, 11).isoformat(), "client_phone": "+79990000000"}
    assert ann.post("/quote", body).json()["price"]["total"] == "2500.00"


def test_outside_telegram_the_page_shows_the_price_but_no_client_discount(client, clock, ultrasound,
                                                                         birthday_today):
    body = {"service_id": ultrasound.pk, "starts_at": at(TUE, 11).isoformat(), "client_phone": PHONE}
    answer = client.post("/app/api/quote", body, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["price"]["total"] == "2500.00"


def test_nothing_priced_shows_no_price_in_the_quote_the_booking_and_my_bookings(ann, catalogue):
    body = {"kind": "equipment", "item_id": catalogue["uzi"].pk, "start_date": "2026-11-25", "units": 1}

    assert ann.post("/quote", {**body, "client_phone": PHONE}).json() == {"price": None}
    booked = ann.post("/bookings", {**body, "client_name": "Мария Петрова", "client_phone": PHONE})
    assert booked.json()["booking"]["price"] is None
    assert [booking["price"] for booking in ann.get("/me").json()["bookings"]] == [None]


def test_dates_that_could_never_be_booked_show_no_price(ann, holter):
    body = {"kind": "equipment", "item_id": holter.pk, "start_date": "2026-11-25", "end_date": "2999-12-31",
            "units": 2**31 - 1, "client_phone": PHONE}
    answer = ann.post("/quote", body)
    assert answer.status_code == 200 and answer.json() == {"price": None}


@pytest.mark.parametrize("body, field", [
    ({"kind": "equipment", "start_date": "2026-11-25"}, "item_id"),
    ({"kind": "boat"}, "kind"),
    ({"service_id": "x", "starts_at": "2026-11-24T11:00:00+03:00"}, "service_id"),
])
def test_a_request_the_page_could_not_book_is_a_clear_400(ann, catalogue, body, field):
    answer = ann.post("/quote", body)
    assert answer.status_code == 400
    assert answer.json()["details"]["field"] == field
