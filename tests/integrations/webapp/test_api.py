"""The JSON behind the booking page: open availability, and bookings that act exactly as the bots do for the
Telegram user whose initData signs the request."""

import json
from datetime import date, timedelta

import pytest

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from kernel.bookings import Status
from kernel.channels import Channel
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 11, 24)
EQUIPMENT = {"kind": "equipment", "start_date": "2026-11-25", "end_date": "2026-11-27", "units": 2,
             "client_name": "Анна Смирнова", "client_phone": "+7 999 123-45-67"}


def cabinet_request(catalogue, **extra):
    return {"kind": "cabinet", "cabinet_id": catalogue["cabinet"].pk, "starts_at": "2026-11-24T10:00:00+03:00",
            "duration_minutes": 60, "client_name": "Анна Смирнова", "client_phone": "+79991234567", **extra}


def test_anyone_sees_the_catalogue_and_free_units_without_signing_in(client, catalogue, clock):
    body = client.get("/app/api/catalogue").json()
    assert [i["name"] for c in body["categories"] for i in c["items"]] == ["Портативный УЗИ", "Кардиограф"]
    assert body["cabinets"][0]["name"] == "Кабинет 1"
    month = client.get(f"/app/api/equipment/{catalogue['uzi'].pk}/month", {"month": "2026-11"}).json()
    days = {d["date"]: d for d in month["days"]}
    assert days["2026-11-22"]["state"] == "past"
    assert days["2026-11-23"] == {"date": "2026-11-23", "free": 2, "state": "free"}


def test_the_month_calendar_shows_booked_units_per_day(ann, catalogue):
    assert ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk, "units": 1}).status_code == 201
    days = {d["date"]: d for d in ann.get(f"/equipment/{catalogue['uzi'].pk}/month", month="2026-11").json()["days"]}
    assert [days[f"2026-11-{n}"]["free"] for n in (24, 25, 26, 27, 28)] == [2, 1, 1, 1, 2]


def test_a_month_calendar_answers_in_at_most_5_queries_whatever_the_bookings(ann, catalogue, alice,
                                                                           django_assert_max_num_queries):
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor

    item = factories.ItemFactory(name="Монитор", quantity=40)
    for n in range(30):
        equipment_booking_create(item=item, start_date=TUESDAY + timedelta(days=n % 6), units=1,
                                 client_name="Алиса Б", client_phone="+79990000000", actor=Actor.staff(
                                     factories.StaffUserFactory()), channel=Channel.ADMIN, now=NOW)
    with django_assert_max_num_queries(5):
        assert ann.get(f"/equipment/{item.pk}/month", month="2026-12").status_code == 200


def test_a_signed_user_books_equipment_for_a_range_and_managers_are_asked(ann, catalogue, manager, bot_api,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk})
    assert response.status_code == 201, response.content
    booking = EquipmentBooking.objects.get(pk=response.json()["booking"]["id"])
    assert (booking.start_date, booking.end_date, booking.units) == (date(2026, 11, 25), date(2026, 11, 27), 2)
    assert (booking.status, booking.channel, booking.requester.telegram_id) == (Status.PENDING, Channel.WEBAPP,
                                                                                1001)
    assert booking.client_phone == "+79991234567"
    to_manager = [c for c in bot_api.of("sendMessage", chat_id=9001)]
    assert len(to_manager) == 1 and f"{booking.reference}" in to_manager[0].text
    assert [b["text"] for b in to_manager[0].buttons][:2] == ["✅ Approve", "❌ Reject"]


def test_a_signed_user_books_a_cabinet_with_equipment_in_one_go(ann, catalogue, manager, bot_api,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ann.post("/bookings", cabinet_request(catalogue, equipment=[{"item_id": catalogue["ecg"].pk}]))
    assert response.status_code == 201, response.content
    booking = CabinetBooking.objects.get(pk=response.json()["booking"]["id"])
    assert booking.ends_at - booking.starts_at == timedelta(minutes=60)
    assert [(e.item.name, e.units) for e in booking.equipment_bookings.all()] == [("Кардиограф", 1)]
    assert response.json()["booking"]["equipment"] == ["Кардиограф"]
    grid = ann.get("/cabinets/day", date="2026-11-24").json()["cabinets"][0]["slots"]
    assert {s["start"]: s["state"] for s in grid}["10:30"] == "taken"
    assert len(bot_api.of("sendMessage", chat_id=9001)) == 1


def test_the_equipment_offered_with_a_cabinet_shows_units_free_in_that_window(ann, catalogue):
    ann.post("/bookings", cabinet_request(catalogue, equipment=[{"item_id": catalogue["ecg"].pk}]))
    free = ann.get(f"/cabinets/{catalogue['cabinet'].pk}/equipment", starts_at="2026-11-24T10:30:00+03:00",
                   duration_minutes=30).json()["items"]
    assert {i["name"]: i["free"] for i in free} == {"Портативный УЗИ": 2, "Кардиограф": 0}


def test_my_bookings_lists_and_cancels_through_the_services(ann, catalogue):
    ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk})
    ann.post("/bookings", cabinet_request(catalogue))
    mine = ann.get("/me").json()
    assert sorted(b["kind"] for b in mine["bookings"]) == ["cabinet", "equipment"]
    cabinet = next(b for b in mine["bookings"] if b["kind"] == "cabinet")
    assert cabinet["cancellable"]
    answer = ann.post(f"/bookings/cabinet/{cabinet['id']}/cancel", {})
    assert answer.status_code == 200 and answer.json()["booking"]["status"] == "cancelled"
    assert CabinetBooking.objects.get(pk=cabinet["id"]).status == Status.CANCELLED


def test_someone_elses_booking_cannot_be_cancelled(ann, mini_app_user, catalogue):
    booking = ann.post("/bookings", cabinet_request(catalogue)).json()["booking"]
    response = mini_app_user(1002, first_name="Ben").post(f"/bookings/cabinet/{booking['id']}/cancel", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_phone_given_is_prefilled_next_time(ann, catalogue):
    from accounts.models import TelegramAccount

    ann.get("/me")  # the first visit makes the account
    TelegramAccount.objects.filter(telegram_id=1001).update(phone="+79991234567")
    assert ann.get("/me").json()["user"]["phone"] == "+79991234567"


@pytest.mark.parametrize("signing", [{"token": "1111:forged-token"}, {"auth_date": NOW - timedelta(hours=25)}])
def test_forged_or_stale_initdata_is_refused_and_nothing_is_booked(mini_app_user, catalogue, signing):
    user = mini_app_user(1003, **signing)
    response = user.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "Telegram" in response.json()["error"]
    assert user.get("/me").status_code == 401
    assert not EquipmentBooking.objects.exists()


def test_booking_without_initdata_is_refused(client, catalogue, clock):
    response = client.post("/app/api/bookings", data=json.dumps({**EQUIPMENT, "item_id": catalogue["uzi"].pk}),
                           content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_a_blocked_user_is_refused_as_in_the_bots(mini_app_user, catalogue, blocked):
    user = mini_app_user(blocked.telegram_id, first_name="Spam")
    assert user.get("/me").json()["user"]["is_blocked"] is True
    response = user.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk})
    assert response.status_code == 403 and response.json()["code"] == "blocked"
    assert not EquipmentBooking.objects.exists()


def test_a_full_day_is_refused_with_a_clear_message(ann, mini_app_user, catalogue):
    assert ann.post("/bookings", {**EQUIPMENT, "item_id": catalogue["ecg"].pk, "units": 1}).status_code == 201
    response = mini_app_user(1002, first_name="Ben").post("/bookings", {**EQUIPMENT, "item_id": catalogue["ecg"].pk,
                                                                        "units": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "no_capacity" and "Кардиограф" in body["error"]


def test_refusals_speak_the_users_language(mini_app_user, catalogue):
    russian = mini_app_user(1004, first_name="Олег", language="ru")
    response = russian.post("/bookings", {**EQUIPMENT, "item_id": catalogue["uzi"].pk, "start_date": "2026-11-01",
                                          "end_date": "2026-11-01"})
    assert response.status_code == 400 and response.json()["code"] == "date_in_past"
    assert "прошедш" in response.json()["error"]


@pytest.mark.parametrize("body, field", [
    ({"kind": "equipment", "item_id": "x"}, "item_id"),
    ({"kind": "equipment", "item_id": 1, "start_date": "25.11.2026"}, "start_date"),
    ({"kind": "equipment", "item_id": 1, "start_date": "2026-11-25", "units": 0}, "units"),
    ({"kind": "cabinet", "cabinet_id": 1, "starts_at": "tomorrow"}, "starts_at"),
    ({"kind": "cabinet", "cabinet_id": 1, "starts_at": "2026-11-24T10:00", "duration_minutes": True},
     "duration_minutes"),
    ({"kind": "cabinet", "cabinet_id": 1, "equipment": "ecg"}, "equipment"),
    ({"kind": "spaceship"}, "kind"),
])
def test_malformed_requests_get_a_400_naming_the_field(ann, catalogue, body, field):
    body = {**body, "item_id": catalogue["uzi"].pk} if body.get("item_id") == 1 else body
    body = {**body, "cabinet_id": catalogue["cabinet"].pk} if body.get("cabinet_id") == 1 else body
    response = ann.post("/bookings", body)
    assert response.status_code == 400, response.content
    assert response.json()["details"]["field"] == field


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "x" * 20_000])
def test_a_body_that_is_not_a_json_object_gets_a_400(ann, raw):
    assert ann.post("/bookings", raw).status_code == 400


@pytest.mark.parametrize("path, params", [("/cabinets/day", {"date": "2027-06-01"}), ("/cabinets/day", {}),
                                          ("/equipment/1/month", {"month": "2026-13"}),
                                          ("/equipment/999999/month", {}),
                                          ("/cabinets/999999/equipment", {"starts_at": "2026-11-24T10:00",
                                                                          "duration_minutes": 30}),
                                          ("/cabinets/1/equipment", {"starts_at": "9999-12-31T23:30",
                                                                     "duration_minutes": 60}),
                                          ("/cabinets/1/equipment", {"starts_at": "2026-11-24T10:00",
                                                                     "duration_minutes": 2**31 - 1})])
def test_bad_availability_questions_get_a_4xx_json_answer(client, catalogue, clock, path, params):
    path = path.replace("/equipment/1/", f"/equipment/{catalogue['uzi'].pk}/").replace(
        "/cabinets/1/", f"/cabinets/{catalogue['cabinet'].pk}/")
    response = client.get(f"/app/api{path}", params)
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


def test_the_page_loads_under_150_kb_with_its_css_and_script(client, clock):
    from django.contrib.staticfiles import finders

    html = client.get("/app/")
    assert html.status_code == 200
    weight = len(html.content) + sum(len(open(finders.find(f"webapp/{name}"), "rb").read())
                                     for name in ("app.css", "app.js"))
    assert weight < 150 * 1024
    assert b"cdn" not in html.content.lower() and b"https://" not in html.content


def test_the_page_is_in_the_language_asked_for(client, clock):
    assert "Cabinets" in client.get("/app/", {"lang": "en"}).content.decode()
    assert "Кабинеты" in client.get("/app/", {"lang": "ru"}).content.decode()
