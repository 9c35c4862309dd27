"""The Telegram webhooks accept an update only with the configured X-Telegram-Bot-Api-Secret-Token, compared
in constant time. A wrong, missing or empty header is a 403 that neither answers the sender nor records
anything; the right one is a 200 that does."""

from __future__ import annotations

import hmac
import json
import secrets

import pytest
from django.test import override_settings

from accounts.models import TelegramAccount
from integrations.models import SeenUpdate
from integrations.telegram import views
from tests.integrations.telegram.conftest import URLS

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Token_for-webhooks-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
WRONG = {
    "wrong": "not-the-secret",
    "empty": "",
    "a prefix of the secret": SECRET[:-1],
    "the secret and more": SECRET + "x",
    "the secret in other case": SECRET.upper(),
    "the secret padded": f" {SECRET} ",
    "the secret of another setting": "test-webhook-secret",
}


def update(user_id: int = 1001) -> dict:
    who = {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    return {"update_id": secrets.randbelow(10**9), "message": {
        "message_id": 1, "date": 1_790_000_000, "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
        "from": who, "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


def post(client, bot: str, headers: dict):
    return client.post(URLS[bot], data=json.dumps(update()), content_type="application/json", headers=headers)


def nothing_happened(bot_api) -> bool:
    return bot_api.calls == [] and not SeenUpdate.objects.exists() and not TelegramAccount.objects.exists()


@pytest.mark.parametrize("bot", sorted(URLS))
@pytest.mark.parametrize("given", sorted(WRONG))
def test_a_wrong_secret_is_403_and_nothing_happens(client, bot_api, bot, given):
    with override_settings(TELEGRAM_WEBHOOK_SECRET=SECRET):
        response = post(client, bot, {HEADER: WRONG[given]})
    assert response.status_code == 403
    assert nothing_happened(bot_api)


@pytest.mark.parametrize("bot", sorted(URLS))
def test_a_missing_secret_header_is_403_and_nothing_happens(client, bot_api, bot):
    with override_settings(TELEGRAM_WEBHOOK_SECRET=SECRET):
        response = post(client, bot, {})
    assert response.status_code == 403
    assert nothing_happened(bot_api)


@pytest.mark.parametrize("bot", sorted(URLS))
def test_the_right_secret_is_200_and_the_update_is_handled(client, bot_api, bot):
    with override_settings(TELEGRAM_WEBHOOK_SECRET=SECRET):
        response = post(client, bot, {HEADER: SECRET})
    assert response.status_code == 200
    assert SeenUpdate.objects.count() == 1 and TelegramAccount.objects.filter(telegram_id=1001).exists()
    assert [call.method for call in bot_api.calls if call.method != "getMe"] == ["sendMessage"]


@pytest.mark.parametrize("bot", sorted(URLS))
def test_the_secret_is_compared_in_constant_time(client, bot_api, bot, monkeypatch):
    compared = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append({a if isinstance(a, str) else a.decode(), b if isinstance(b, str) else b.decode()})
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    monkeypatch.setattr(secrets, "compare_digest", spy)
    if hasattr(views, "compare_digest"):
        monkeypatch.setattr(views, "compare_digest", spy)
    with override_settings(TELEGRAM_WEBHOOK_SECRET=SECRET):
        assert post(client, bot, {HEADER: "guess"}).status_code == 403
        assert post(client, bot, {HEADER: SECRET}).status_code == 200
    assert {"guess", SECRET} in compared and {SECRET} in compared
