"""The Mini App's initData is checked exactly as Telegram documents it: a known token and payload validate,
anything forged, tampered with, signed by another bot or older than 24 hours does not."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from integrations.webapp.initdata import InitDataError, init_data_validate

# A published example pair (token and the initData Telegram gave for it), checked here against our code.
KNOWN_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
KNOWN_INIT_DATA = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc"
    "&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C"
    "%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D"
    "&auth_date=1662771648"
    "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
)
SIGNED_AT = datetime.fromtimestamp(1662771648, tz=UTC)
BOTS = [("equipment", "1111:other-token"), ("cabinet", KNOWN_TOKEN)]


def test_telegrams_published_example_validates_and_names_the_user_and_the_bot():
    user = init_data_validate(KNOWN_INIT_DATA, bots=BOTS, now=SIGNED_AT + timedelta(hours=1))
    assert (user.telegram_id, user.first_name, user.last_name, user.username, user.language_code) == (
        279058397, "Vladislav", "Kibenko", "vdkfrost", "ru")
    assert user.bot == "cabinet"
    assert user.auth_date == SIGNED_AT


def test_it_refuses_initdata_older_than_a_day():
    with pytest.raises(InitDataError, match="stale"):
        init_data_validate(KNOWN_INIT_DATA, bots=BOTS, now=SIGNED_AT + timedelta(hours=24, seconds=1))


def test_it_accepts_initdata_just_under_a_day_old():
    init_data_validate(KNOWN_INIT_DATA, bots=BOTS, now=SIGNED_AT + timedelta(hours=23, minutes=59))


def test_it_refuses_initdata_signed_by_a_token_it_does_not_know():
    with pytest.raises(InitDataError, match="forged"):
        init_data_validate(KNOWN_INIT_DATA, bots=[("equipment", "1111:other-token")], now=SIGNED_AT)


@pytest.mark.parametrize("field, value", [("user", '{"id":1,"first_name":"Mallory"}'), ("auth_date", "1962771648"),
                                          ("hash", "0" * 64)])
def test_it_refuses_a_tampered_field(field, value):
    fields = dict(parse_qsl(KNOWN_INIT_DATA))
    fields[field] = value
    with pytest.raises(InitDataError, match="forged"):
        init_data_validate(urlencode(fields), bots=BOTS, now=SIGNED_AT)


def test_it_refuses_an_added_field():
    with pytest.raises(InitDataError, match="forged"):
        init_data_validate(KNOWN_INIT_DATA + "&start_param=admin", bots=BOTS, now=SIGNED_AT)


@pytest.mark.parametrize("raw", ["", "hash", "a=1&a=2", "x" * 5000, "%%%"])
def test_it_refuses_what_telegram_never_sends(raw):
    with pytest.raises(InitDataError):
        init_data_validate(raw, bots=BOTS, now=SIGNED_AT)


def test_a_bot_without_a_token_signs_nothing():
    with pytest.raises(InitDataError, match="forged"):
        init_data_validate(KNOWN_INIT_DATA, bots=[("cabinet", "")], now=SIGNED_AT)


@pytest.mark.parametrize("given_hash", ["é" * 64, "Z" * 64, "c501b71e", "",
                                        "C501B71E775F74CE10E377DEA85A7EA24ECD640B223EA86DFE453E0EAED2E2B2"])
def test_a_hash_that_is_not_64_lowercase_hex_digits_is_malformed_not_a_crash(given_hash):
    fields = dict(parse_qsl(KNOWN_INIT_DATA))
    fields["hash"] = given_hash
    with pytest.raises(InitDataError, match="malformed"):
        init_data_validate(urlencode(fields), bots=BOTS, now=SIGNED_AT)


def test_a_write_asks_for_initdata_at_most_an_hour_old():
    from integrations.webapp.initdata import WRITE_MAX_AGE

    init_data_validate(KNOWN_INIT_DATA, bots=BOTS, now=SIGNED_AT + timedelta(hours=1), max_age=WRITE_MAX_AGE)
    with pytest.raises(InitDataError, match="stale"):
        init_data_validate(KNOWN_INIT_DATA, bots=BOTS, now=SIGNED_AT + timedelta(hours=1, seconds=1),
                           max_age=WRITE_MAX_AGE)
