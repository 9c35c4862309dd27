"""The bots under test talk to a fake Bot API in this process; updates are posted to the real webhook
URLs with the Django test client, exactly as Telegram would post them."""

from __future__ import annotations

import itertools
import json

import pytest
from django.test import Client

from tests.conftest import NOW
from tests.integrations.telegram.fake_bot_api import Call, FakeBotApi, start

SECRET = "test-webhook-secret"
TOKENS = {"equipment": "1111:equipment-token", "cabinet": "2222:cabinet-token"}
URLS = {"equipment": "/telegram/equipment/", "cabinet": "/telegram/cabinets/"}
_update_ids = itertools.count(10_000)
_message_ids = itertools.count(1)


@pytest.fixture(scope="session")
def _bot_api_server():
    api = FakeBotApi()
    server, url = start(api)
    yield api, url
    server.shutdown()


def relay_webhook_answer(api: FakeBotApi, path: str, response, token: str | None = None) -> None:
    """Play Telegram's part after a webhook's response: a body naming a Bot API method is a call Telegram makes
    for the bot, so it reaches the fake Bot API too, with its fields sent as a form the way the bots send theirs.
    `response` is Django's test response or an httpx one."""
    from django.conf import settings

    bot = {url: bot for bot, url in URLS.items()}.get(path)
    if bot is None or response.status_code != 200 or response.headers.get("Content-Type") != "application/json":
        return
    body = json.loads(response.content)
    token = token or (settings.EQUIPMENT_BOT_TOKEN if bot == "equipment" else settings.CABINET_BOT_TOKEN)
    fields = {key: value if isinstance(value, dict | list) else str(value)
              for key, value in body.items() if key != "method"}
    api.answer(token, body["method"], fields)


@pytest.fixture
def bot_api(_bot_api_server, settings, monkeypatch):
    """The fake Bot API, empty, with both bots configured to use it; a method in a webhook's response is
    called on it as Telegram would call it."""
    api, url = _bot_api_server
    real_request = Client.request

    def request(self, **environ):
        response = real_request(self, **environ)
        relay_webhook_answer(api, environ.get("PATH_INFO", ""), response)
        return response

    monkeypatch.setattr(Client, "request", request)
    api.clear()
    api.failing_methods.clear()
    api.failing_chats.clear()
    settings.TELEGRAM_API_URL = url
    settings.EQUIPMENT_BOT_TOKEN = TOKENS["equipment"]
    settings.CABINET_BOT_TOKEN = TOKENS["cabinet"]
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.MANAGERS = []
    yield api
    api.failing_methods.clear()
    api.failing_chats.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


class TelegramUser:
    """Someone writing to one of the bots: sends text, shares a contact and presses buttons."""

    def __init__(self, client, api: FakeBotApi, bot: str, telegram_id: int, first_name: str, language: str):
        self.client, self.api, self.bot = client, api, bot
        self.id, self.first_name, self.language = telegram_id, first_name, language
        self.token = TOKENS[bot]

    def on(self, bot: str) -> TelegramUser:
        return TelegramUser(self.client, self.api, bot, self.id, self.first_name, self.language)

    @property
    def who(self) -> dict:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language,
                "username": f"user{self.id}"}

    @property
    def chat(self) -> dict:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def post(self, update: dict, *, secret: str = SECRET, status: int = 200) -> list[Call]:
        before = len(self.api.calls)
        response = self.client.post(URLS[self.bot], data=json.dumps(update), content_type="application/json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert response.status_code == status, response.content
        if not isinstance(self.client, Client):  # over real HTTP: Django's test client relays it itself
            relay_webhook_answer(self.api, URLS[self.bot], response, self.token)
        return [c for c in self.api.calls[before:] if c.token == self.token]

    def message(self, **content) -> dict:
        return {"update_id": next(_update_ids), "message": {
            "message_id": next(_message_ids), "date": int(NOW.timestamp()), "chat": self.chat, "from": self.who,
            **content}}

    def send(self, text: str) -> list[Call]:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.post(self.message(text=text, entities=entities) if entities else self.message(text=text))

    def share_contact(self, phone: str) -> list[Call]:
        return self.post(self.message(contact={"phone_number": phone, "first_name": self.first_name,
                                               "user_id": self.id}))

    def press_data(self, data: str, message_id: int) -> list[Call]:
        return self.post({"update_id": next(_update_ids), "callback_query": {
            "id": str(next(_update_ids)), "from": self.who, "chat_instance": f"ci{self.id}", "data": data,
            "message": {"message_id": message_id, "date": int(NOW.timestamp()), "chat": self.chat,
                        "from": {"id": 1, "is_bot": True, "first_name": "Clinic"}, "text": "…"}}})

    def find(self, label: str) -> tuple[dict, int]:
        """The latest message to this chat with a button whose label is or starts with `label`."""
        for call in reversed(self.api.of(chat_id=self.id)):
            if call.token != self.token or call.markup is None or "inline_keyboard" not in call.markup:
                continue
            exact = [b for b in call.buttons if b["text"] == label]
            starting = [b for b in call.buttons if b["text"].startswith(label)]
            if exact or starting:
                return (exact or starting)[0], call.message_id
        raise AssertionError(f"no button {label!r} in {self.bot} messages to {self.id}")

    def press(self, label: str) -> list[Call]:
        button, message_id = self.find(label)
        return self.press_data(button["callback_data"], message_id)

    def labels(self) -> list[str]:
        """Button labels of the latest message with inline buttons."""
        for call in reversed(self.api.of(chat_id=self.id)):
            if call.token == self.token and call.markup and "inline_keyboard" in call.markup:
                return [b["text"] for b in call.buttons]
        return []

    def last_text(self) -> str:
        texts = [c.text for c in self.api.of(chat_id=self.id) if c.token == self.token and c.text]
        return texts[-1] if texts else ""


def said(calls: list[Call]) -> str:
    """Everything the bot said (sent or edited, and button notices) in these calls, one block."""
    parts = []
    for call in calls:
        if call.method in ("sendMessage", "editMessageText"):
            parts.append(call.text)
        elif call.method == "answerCallbackQuery" and call.fields.get("text"):
            parts.append(call.fields["text"])
    return "\n".join(parts)


@pytest.fixture
def user_factory(client, bot_api, clock):
    def make(telegram_id: int, bot: str = "equipment", first_name: str = "Ann", language: str = "en"):
        return TelegramUser(client, bot_api, bot, telegram_id, first_name, language)

    return make


@pytest.fixture
def ann(user_factory):
    return user_factory(1001, first_name="Ann")


@pytest.fixture
def ben(user_factory):
    return user_factory(1002, first_name="Ben")


@pytest.fixture
def boss(user_factory, transactional_db):
    from tests.factories import TelegramAccountFactory

    TelegramAccountFactory(telegram_id=9001, username="boss", first_name="Maria", is_manager=True,
                           language_code="en")
    return user_factory(9001, first_name="Maria")
