"""Telegram Mini App identity: the `initData` string Telegram hands the page, checked exactly as Telegram
documents it (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

data_check_string = every received field but `hash`, as `key=value`, sorted by key, joined with "\\n";
secret_key = HMAC-SHA256(key="WebAppData", message=bot_token);
valid  <=>  hex(HMAC-SHA256(key=secret_key, message=data_check_string)) == hash, and auth_date is recent."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)  # for reading; a write asks for WRITE_MAX_AGE
WRITE_MAX_AGE = timedelta(hours=1)
MAX_LENGTH = 4096  # Telegram's initData is well under 1 KB; anything this long is not from Telegram


_HASH = re.compile(r"[0-9a-f]{64}")
_MAX_TELEGRAM_ID = 2**52  # Telegram's ids have at most 52 significant bits


class InitDataError(ValueError):
    """initData that does not prove who the user is: missing, malformed, forged or stale."""


@dataclass(frozen=True)
class WebAppUser:
    telegram_id: int
    first_name: str
    last_name: str
    username: str
    language_code: str
    auth_date: datetime
    bot: str  # which bot's token signed it


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign(fields: dict[str, str], *, bot_token: str) -> str:
    """The `hash` Telegram would put beside these fields (used to check, and by tests to build initData)."""
    check_string = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    return hmac.new(_secret_key(bot_token), check_string.encode(), hashlib.sha256).hexdigest()


def init_data_validate(init_data: str, *, bots: Iterable[tuple[str, str]], now: datetime,
                       max_age: timedelta = MAX_AGE) -> WebAppUser:
    """The user behind `init_data` if one of `bots` ((name, token) pairs) signed it within `max_age`."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataError("missing")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InitDataError("malformed") from exc
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("malformed")  # a repeated key: never produced by Telegram
    given = fields.pop("hash", "")
    if not _HASH.fullmatch(given):
        raise InitDataError("malformed")  # also keeps compare_digest to ASCII
    signer = next((name for name, token in bots
                   if token and hmac.compare_digest(sign(fields, bot_token=token), given)), None)
    if signer is None:
        raise InitDataError("forged")
    try:
        auth_date = datetime.fromtimestamp(int(fields.get("auth_date", "")), tz=UTC)
        user = json.loads(fields.get("user", ""))
        telegram_id = user["id"]
    except (ValueError, TypeError, KeyError, OverflowError, OSError, RecursionError) as exc:
        raise InitDataError("malformed") from exc
    if not isinstance(telegram_id, int) or isinstance(telegram_id, bool) or not 0 < telegram_id < _MAX_TELEGRAM_ID:
        raise InitDataError("malformed")
    if now - auth_date > max_age or auth_date - now > timedelta(minutes=5):
        raise InitDataError("stale")

    def text(key: str, limit: int) -> str:
        value = user.get(key)
        return "".join(ch for ch in value if ch.isprintable())[:limit] if isinstance(value, str) else ""

    return WebAppUser(telegram_id=telegram_id, first_name=text("first_name", 128), last_name=text("last_name", 128),
                      username=text("username", 64), language_code=text("language_code", 16),
                      auth_date=auth_date, bot=signer)
