"""Attendance tests use the Telegram cast (fake Bot API, webhook users) and the admin's manager."""

from tests.admin.conftest import manager_client, manager_user  # noqa: F401
from tests.integrations.telegram.conftest import (  # noqa: F401
    _bot_api_server,
    _fresh_cache,
    ann,
    boss,
    bot_api,
    clock,
    user_factory,
)
