"""initData as Telegram builds it for a Mini App: the user as JSON, auth_date, and the hash signed with the
bot's token. Tests use it to open the page and call /app/api/ as a given Telegram user."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote, urlencode

from integrations.webapp.initdata import sign
from tests.integrations.telegram.conftest import TOKENS


def init_data(*, telegram_id: int, first_name: str = "Ann", language: str = "en", auth_date: datetime,
              bot: str = "equipment", token: str | None = None, **extra) -> str:
    user = {"id": telegram_id, "first_name": first_name, "last_name": "", "username": f"user{telegram_id}",
            "language_code": language, "allows_write_to_pm": True}
    fields = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": json.dumps(user, separators=(",", ":")),
              "auth_date": str(int(auth_date.timestamp())), **extra}
    fields["hash"] = sign(fields, bot_token=token or TOKENS[bot])
    return urlencode(fields, quote_via=quote)
