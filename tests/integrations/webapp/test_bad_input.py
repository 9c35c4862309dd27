"""Bad input to the booking page's API is a 4xx with a JSON error, never a 500: malformed initData is a 401, and
every month, date, time, id and text is checked before it reaches a service or the database."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest

from equipment.models import EquipmentBooking
from integrations.webapp.initdata import sign
from tests.conftest import NOW
from tests.integrations.telegram.conftest import TOKENS

pytestmark = pytest.mark.django_db

ANN = '{"id":1001,"first_name":"Ann","language_code":"en"}'
AUTH_DATE = str(int(NOW.timestamp()))


def signed(**fields: str) -> str:
    """initData with exactly these fields, correctly signed by the equipment bot."""
    return urlencode({**fields, "hash": sign(fields, bot_token=TOKENS["equipment"])}, quote_via=quote)


MALFORMED = {
    "a non-ASCII hash": f"user={quote(ANN)}&auth_date={AUTH_DATE}&hash={quote('é' * 64)}",
    "a hash that is not hex": f"user={quote(ANN)}&auth_date={AUTH_DATE}&hash={'z' * 64}",
    "no hash": f"user={quote(ANN)}&auth_date={AUTH_DATE}",
    "no user": signed(auth_date=AUTH_DATE),
    "no auth_date": signed(user=ANN),
    "an auth_date that is not a number": signed(user=ANN, auth_date="yesterday"),
    "an auth_date past the calendar": signed(user=ANN, auth_date="9" * 30),
    "a user that is not JSON": signed(user="{id:1001", auth_date=AUTH_DATE),
    "a user that is a list": signed(user="[1001]", auth_date=AUTH_DATE),
    "a user id that is text": signed(user='{"id":"1001"}', auth_date=AUTH_DATE),
    "a user id past Telegram's range": signed(user=f'{{"id":{10**30}}}', auth_date=AUTH_DATE),
    "a negative user id": signed(user='{"id":-5}', auth_date=AUTH_DATE),
    "a user nested too deep to parse": signed(user="[" * 2000, auth_date=AUTH_DATE),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_initdata_is_a_401_with_a_json_error_for_reads_and_writes(client, bot_api, clock, case):
    headers = {"X-Telegram-Init-Data": MALFORMED[case]}
    read = client.get("/app/api/me", headers=headers)
    write = client.post("/app/api/bookings", data="{}", content_type="application/json", headers=headers)
    for response in (read, write):
        assert response.status_code == 401, (case, response.content)
        assert response.json()["code"] == "unauthorized"


def test_control_characters_in_the_telegram_name_are_dropped_not_stored(client, bot_api, clock):
    header = signed(user='{"id":1001,"first_name":"An\\u0000n","last_name":"B\\u0007"}', auth_date=AUTH_DATE)
    response = client.get("/app/api/me", headers={"X-Telegram-Init-Data": header})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["name"] == "Ann B"


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "3000-01", "2026-13", "2026-1", "+202-11",
                                   "2026-11-01", "٢٠٢٦-١١"])
def test_a_month_out_of_range_or_malformed_is_a_400(client, catalogue, clock, month):
    response = client.get(f"/app/api/equipment/{catalogue['uzi'].pk}/month", {"month": month})
    assert response.status_code == 400, response.content
    assert response.json()["details"]["field"] == "month"


@pytest.mark.parametrize("starts_at", ["2026-13-01T10:00:00", "2026-11-24T25:00:00", "2026-11-24T10:00:00+99:00",
                                       "9999-12-31T23:59:00", "0001-01-01T00:00:00"])
def test_an_impossible_start_time_is_a_400(client, catalogue, clock, starts_at):
    response = client.get(f"/app/api/cabinets/{catalogue['cabinet'].pk}/equipment",
                          {"starts_at": starts_at, "duration_minutes": "60"})
    assert response.status_code == 400, response.content
    assert response.json()["details"]["field"] == "starts_at"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_out_of_range_is_a_400(client, catalogue, clock, day):
    response = client.get("/app/api/cabinets/day", {"date": day})
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("path", ["/equipment/99999999999999999999/month", "/cabinets/99999999999999999999/equipment",
                                  "/equipment/0/month"])
def test_an_id_out_of_range_in_the_path_is_a_400(ann, catalogue, path):
    response = ann.get(path)
    assert response.status_code == 400, response.content
    assert "out of range" in response.json()["error"]


@pytest.mark.parametrize("path", ["/bookings/equipment/99999999999999999999/cancel",
                                  "/waitlist/99999999999999999999/leave"])
def test_a_write_to_an_id_out_of_range_is_a_400(ann, path):
    assert ann.post(path, {}).status_code == 400


def test_cancelling_a_kind_that_does_not_exist_is_a_404(ann, catalogue):
    response = ann.post("/bookings", {"kind": "equipment", "item_id": catalogue["uzi"].pk, "start_date": "2026-11-25",
                                      "client_name": "Анна Смирнова", "client_phone": "+79991234567"})
    booking_id = response.json()["booking"]["id"]
    answer = ann.post(f"/bookings/nonsense/{booking_id}/cancel", {})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert EquipmentBooking.objects.get(pk=booking_id).status != "cancelled"


@pytest.mark.parametrize("field, value", [("client_name", {"first": "Анна"}), ("client_phone", 79991234567),
                                          ("comment", ["a"]), ("client_name", "А" * 20_000)])
def test_text_fields_must_be_text_of_a_sane_length(ann, catalogue, field, value):
    body = {"kind": "equipment", "item_id": catalogue["uzi"].pk, "start_date": "2026-11-25",
            "client_name": "Анна Смирнова", "client_phone": "+79991234567", field: value}
    response = ann.post("/bookings", body)
    assert response.status_code == 400, response.content
    assert not EquipmentBooking.objects.exists()


def test_json_nested_too_deep_is_a_400(ann):
    response = ann.post("/bookings", "[" * 5000 + "]" * 5000)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- How old initData may be: a day to read, an hour to write ----------------------------------------------------


def book(user, catalogue):
    return user.post("/bookings", {"kind": "equipment", "item_id": catalogue["uzi"].pk, "start_date": "2026-11-25",
                                   "client_name": "Анна Смирнова", "client_phone": "+79991234567"})


def test_a_write_takes_initdata_exactly_an_hour_old(mini_app_user, catalogue):
    assert book(mini_app_user(1001, auth_date=NOW - timedelta(hours=1)), catalogue).status_code == 201


def test_a_write_refuses_initdata_an_hour_and_a_second_old_though_a_read_takes_it(mini_app_user, catalogue):
    user = mini_app_user(1001, auth_date=NOW - timedelta(hours=1, seconds=1))
    response = book(user, catalogue)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    assert not EquipmentBooking.objects.exists()
    assert user.get("/me").status_code == 200


def test_a_cancel_is_a_write_too(mini_app_user, catalogue):
    fresh = mini_app_user(1001, auth_date=NOW)
    booking_id = book(fresh, catalogue).json()["booking"]["id"]
    old = mini_app_user(1001, auth_date=NOW - timedelta(hours=2))
    assert old.post(f"/bookings/equipment/{booking_id}/cancel", {}).status_code == 401
    assert fresh.post(f"/bookings/equipment/{booking_id}/cancel", {}).status_code == 200


def test_a_read_takes_initdata_exactly_a_day_old_and_not_a_second_more(mini_app_user):
    assert mini_app_user(1001, auth_date=NOW - timedelta(hours=24)).get("/me").status_code == 200
    stale = mini_app_user(1001, auth_date=NOW - timedelta(hours=24, seconds=1)).get("/me")
    assert stale.status_code == 401 and json.loads(stale.content)["code"] == "unauthorized"
