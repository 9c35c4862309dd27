"""Every /app/api endpoint, every parameter (path, query, JSON body, and initData itself), fed what hypothesis
makes up, answers 2xx or a 4xx with a JSON body: never a 5xx."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.webapp.initdata import sign
from tests.conftest import NOW
from tests.integrations.telegram.conftest import TOKENS
from tests.integrations.webapp.signed import init_data

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- Values: mostly near what the page sends, often far from it --------------------------------------------------

junk_text = st.text(max_size=40)
huge = st.integers(min_value=-(10**30), max_value=10**30)
numbers = st.one_of(st.integers(min_value=-3, max_value=40), huge)
days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
near_days = st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 12, 31))
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                       timezones=st.sampled_from([None, UTC]))


def as_text(values):
    return values.map(str)


# Each kind of value: known troublemakers half of the time, made-up ones the other half.
dates_text = st.one_of(
    st.sampled_from(["2026-02-30", "9999-12-31", "0001-01-01", "2026-11-24T10:00", "20261124", "2026-W48-1", ""]),
    st.one_of(near_days.map(date.isoformat), days.map(date.isoformat), junk_text))
months_text = st.one_of(
    st.sampled_from(["9999-12", "0001-01", "0000-01", "2026-00", "2026-13", "-1-5", "2026-11-01", "2026-1", ""]),
    st.one_of(near_days.map(lambda d: d.strftime("%Y-%m")), days.map(lambda d: f"{d.year}-{d.month}"),
              st.builds("{}-{}".format, numbers, numbers), junk_text))
times_text = st.one_of(
    st.sampled_from(["2026-13-01T10:00:00", "2026-11-24T10:00:00+99:00", "2026-11-24T24:00", "9999-12-31T23:59:59",
                     "2999-12-31T23:30:00", "0001-01-01T00:00:00", "2026-11-24T10:00:00+03:00", "2026-11-24 10:30"]),
    st.one_of(moments.map(datetime.isoformat), junk_text))
json_values = st.recursive(st.none() | st.booleans() | numbers | st.floats(allow_nan=False) | junk_text,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(junk_text, inner, max_size=3),
                           max_leaves=6)


def either(specific, *, numeric: bool = False):
    """A parameter's value: one near its own form, or any JSON value at all."""
    options = [specific, json_values]
    if numeric:
        options.append(numbers)
    return st.one_of(*options)


def ids(catalogue_ids: list[int]):
    return st.one_of(st.sampled_from(catalogue_ids), st.one_of(numbers, as_text(numbers), junk_text))


def query(**params):
    """A query string with these parameters (mostly all of them) and, sometimes, one that nobody reads."""
    given = st.one_of(st.fixed_dictionaries(params), st.fixed_dictionaries({}, optional=params))
    extra = st.dictionaries(st.sampled_from(["x", "month", "date", "lang"]), junk_text, max_size=1)
    return st.tuples(given, extra).map(lambda both: {**both[1], **both[0]})


def booking_body(catalogue):
    item_ids = [catalogue["uzi"].pk, catalogue["ecg"].pk]
    equipment_line = st.fixed_dictionaries({}, optional={"item_id": either(ids(item_ids)),
                                                         "units": either(numbers, numeric=True)})
    fields = {
        "kind": st.one_of(st.sampled_from(["equipment", "cabinet"]), json_values),
        "item_id": either(ids(item_ids)),
        "cabinet_id": either(ids([catalogue["cabinet"].pk])),
        "start_date": either(dates_text),
        "end_date": either(dates_text),
        "units": either(numbers, numeric=True),
        "starts_at": either(times_text),
        "duration_minutes": either(st.sampled_from([30, 60, 90, 0, 1441, "60"]), numeric=True),
        "equipment": st.one_of(st.lists(equipment_line, max_size=3), json_values),
        "client_name": either(st.one_of(st.just("Анна Смирнова"), junk_text)),
        "client_phone": either(st.one_of(st.just("+79991234567"), junk_text)),
        "comment": either(st.one_of(junk_text, st.text(min_size=990, max_size=1100))),
    }
    kinds = {"equipment": ["item_id", "start_date", "end_date", "units"],
             "cabinet": ["cabinet_id", "starts_at", "duration_minutes", "equipment"]}
    whole = {kind: st.fixed_dictionaries({"kind": st.just(kind), **{k: fields[k] for k in keys}}, optional={
        k: fields[k] for k in ("client_name", "client_phone", "comment")}) for kind, keys in kinds.items()}
    as_dict = st.one_of(whole["equipment"], whole["cabinet"], st.fixed_dictionaries({}, optional=fields))
    return st.one_of(as_dict.map(json.dumps), st.one_of(json_values.map(json.dumps), junk_text,
                                                        st.binary(max_size=60)))


def appointment_body():
    fields = {"service_id": either(ids([1, 2])), "specialist_id": st.one_of(st.none(), either(ids([1, 2]))),
              "starts_at": either(times_text), "client_name": either(st.one_of(st.just("Анна Смирнова"), junk_text)),
              "client_phone": either(st.one_of(st.just("+79991234567"), junk_text)), "comment": either(junk_text)}
    as_dict = st.one_of(st.fixed_dictionaries({k: fields[k] for k in ("service_id", "starts_at")}, optional={
        k: fields[k] for k in ("specialist_id", "client_name", "client_phone", "comment")}),
        st.fixed_dictionaries({}, optional=fields))
    return st.one_of(as_dict.map(json.dumps), json_values.map(json.dumps), junk_text, st.binary(max_size=60))


def path_segment(valid: list[str]):
    return st.one_of(st.sampled_from(valid), st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s))


def digits(catalogue_ids: list[int]):
    """An <int:> path segment: digits only (anything else is not the endpoint's URL), any length."""
    return st.one_of(st.sampled_from(catalogue_ids), st.integers(min_value=0, max_value=10**25)).map(str)


# --- The calls ---------------------------------------------------------------------------------------------------


def calls(catalogue):
    item, cabinet = catalogue["uzi"].pk, catalogue["cabinet"].pk
    return {
        "catalogue": st.tuples(st.just("GET"), st.just("/catalogue"), query(), st.none()),
        "equipment month": st.tuples(st.just("GET"), digits([item]).map("/equipment/{}/month".format),
                                     query(month=months_text), st.none()),
        "cabinets day": st.tuples(st.just("GET"), st.just("/cabinets/day"), query(
            date=dates_text, first_free=st.one_of(st.sampled_from(["1", "0", ""]), junk_text)), st.none()),
        "cabinet equipment": st.tuples(
            st.just("GET"), digits([cabinet]).map("/cabinets/{}/equipment".format),
            query(starts_at=times_text, duration_minutes=st.one_of(as_text(numbers), junk_text)), st.none()),
        "me": st.tuples(st.just("GET"), st.just("/me"), query(), st.none()),
        "book": st.tuples(st.just("POST"), st.just("/bookings"), query(), booking_body(catalogue)),
        "quote": st.tuples(st.just("POST"), st.just("/quote"), query(),
                           st.one_of(booking_body(catalogue), appointment_body())),
        "cancel": st.tuples(st.just("POST"), st.builds("/bookings/{}/{}/cancel".format, path_segment(
            ["equipment", "cabinet"]).map(quote), digits([1, 2])), query(), st.just("{}")),
        "services": st.tuples(st.just("GET"), st.just("/services"), query(), st.none()),
        "service days": st.tuples(st.just("GET"), digits([1, 2]).map("/services/{}/days".format), query(
            **{"from": dates_text, "specialist_id": st.one_of(as_text(numbers), junk_text)}), st.none()),
        "book a service": st.tuples(st.just("POST"), st.just("/appointments"), query(), appointment_body()),
        "waitlist join": st.tuples(st.just("POST"), st.just("/waitlist"), query(), booking_body(catalogue)),
        "booking": st.tuples(st.just("GET"), st.builds("/bookings/{}/{}".format, path_segment(
            ["equipment", "cabinet"]).map(quote), digits([1, 2])), query(), st.none()),
        "invoice": st.tuples(st.just("POST"), st.builds("/bookings/{}/{}/invoice".format, path_segment(
            ["equipment", "cabinet"]).map(quote), digits([1, 2])), query(), st.one_of(st.just("{}"), junk_text)),
        "pay from wallet": st.tuples(st.just("POST"), st.builds("/bookings/{}/{}/pay-from-wallet".format, path_segment(
            ["equipment", "cabinet"]).map(quote), digits([1, 2])), query(), st.one_of(st.just("{}"), junk_text)),
        "payment failed": st.tuples(st.just("POST"), path_segment(["p.abc", "p." + "a" * 62, "p.x" * 40]).map(
            lambda payload: f"/payments/{quote(payload)}/failed"), query(), st.just("{}")),
        "waitlist action": st.tuples(st.just("POST"), st.builds("/waitlist/{}/{}".format, digits([1, 2]), path_segment(
            ["accept", "decline", "leave"]).map(quote)), query(), st.just("{}")),
    }


ENDPOINTS = ["catalogue", "equipment month", "cabinets day", "cabinet equipment", "me", "book", "quote", "cancel",
             "services", "service days", "book a service", "waitlist join", "waitlist action", "booking", "invoice",
             "pay from wallet", "payment failed"]


def answered_well(response) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/json", response.content
        assert "error" in response.json()


def test_the_fuzzed_endpoints_are_every_api_route():
    from integrations.webapp.urls import urlpatterns

    api = [p for p in urlpatterns if str(p.pattern).startswith("app/api/")]
    assert len(api) == len(ENDPOINTS)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(data=st.data())
def test_no_input_to_an_endpoint_is_a_server_error(client, catalogue, bot_api, clock, endpoint, data):
    method, path, params, body = data.draw(calls(catalogue)[endpoint], label="call")
    header = init_data(telegram_id=1001, auth_date=NOW - timedelta(minutes=data.draw(
        st.sampled_from([0, 30, 59]), label="initData age in minutes")))
    url = f"/app/api{path}?{urlencode(params)}" if params else f"/app/api{path}"
    if method == "GET":
        response = client.get(url, headers={"X-Telegram-Init-Data": header})
    else:
        response = client.post(url, data=body, content_type="application/json",
                               headers={"X-Telegram-Init-Data": header})
    answered_well(response)


signed_fields = st.dictionaries(
    st.sampled_from(["user", "auth_date", "query_id", "start_param", "chat_type"]),
    st.one_of(junk_text, as_text(numbers), json_values.map(json.dumps),
              st.builds(lambda n, name: json.dumps({"id": n, "first_name": name}), numbers, junk_text)),
    max_size=4)


@FUZZ
@given(fields=signed_fields, hash_=st.one_of(st.none(), junk_text, st.text(min_size=64, max_size=64)),
       raw=st.one_of(st.none(), st.text(max_size=80)), write=st.booleans())
def test_no_initdata_is_a_server_error(client, catalogue, bot_api, clock, fields, hash_, raw, write):
    """Signed fields of any content (so parsing past the signature is reached), a hash of any form, or any text."""
    if raw is not None:
        header = raw
    else:
        given_hash = sign(fields, bot_token=TOKENS["equipment"]) if hash_ is None else hash_
        header = urlencode({**fields, "hash": given_hash}, quote_via=quote)
    headers = {"X-Telegram-Init-Data": header}
    if write:
        response = client.post("/app/api/bookings", data="{}", content_type="application/json", headers=headers)
    else:
        response = client.get("/app/api/me", headers=headers)
    answered_well(response)
    if response.status_code == 401:
        assert response.json()["code"] == "unauthorized"
