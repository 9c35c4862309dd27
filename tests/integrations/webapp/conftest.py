import json

import pytest

from tests import factories
from tests.conftest import NOW
from tests.integrations.telegram import conftest as telegram
from tests.integrations.webapp.signed import init_data

# The fake Bot API of the bot tests, so notifications caused by the page can be read.
_bot_api_server = telegram._bot_api_server
bot_api = telegram.bot_api


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def catalogue(db):
    uzi = factories.ItemFactory(name="Портативный УЗИ", category="Диагностика", quantity=2)
    ecg = factories.ItemFactory(name="Кардиограф", category="Диагностика", quantity=1)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 1", number="1"))
    return {"uzi": uzi, "ecg": ecg, "cabinet": cabinet}


@pytest.fixture
def manager(db):
    return factories.TelegramAccountFactory(telegram_id=9001, username="boss", first_name="Maria",
                                            is_manager=True, language_code="en")


class MiniAppUser:
    """Someone who opened the booking page from a bot: every request carries their signed initData."""

    def __init__(self, client, telegram_id: int, first_name: str = "Ann", language: str = "en", **signing):
        self.client, self.telegram_id = client, telegram_id
        self.header = init_data(telegram_id=telegram_id, first_name=first_name, language=language,
                                auth_date=signing.pop("auth_date", NOW), **signing)

    def get(self, path: str, **params):
        return self.client.get(f"/app/api{path}", params, headers={"X-Telegram-Init-Data": self.header})

    def post(self, path: str, body: dict | str):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(f"/app/api{path}", data=data, content_type="application/json",
                                headers={"X-Telegram-Init-Data": self.header})


@pytest.fixture
def ann(client, bot_api, clock):
    return MiniAppUser(client, 1001, "Ann")


@pytest.fixture
def mini_app_user(client, bot_api, clock):
    return lambda telegram_id, **kwargs: MiniAppUser(client, telegram_id, **kwargs)
