"""The calendar tests use the Telegram cast (fake Bot API, webhook users) of the bot tests, with the clock
frozen at NOW: the feeds read the clock themselves."""

import pytest

from tests.integrations.telegram.conftest import (  # noqa: F401
    _bot_api_server,
    _fresh_cache,
    ann,
    ben,
    boss,
    bot_api,
    clock,
    user_factory,
)


@pytest.fixture(autouse=True)
def _frozen_clock(clock):  # noqa: F811
    return clock
