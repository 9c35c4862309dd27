"""The webhook endpoints: secret, duplicates, failures answered 200, and the management commands."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from accounts.models import TelegramAccount
from integrations.models import SeenUpdate
from kernel import metrics
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrong_secret_is_refused_with_403_and_nothing_is_recorded(ann, bot_api):
    update = ann.message(text="/start")
    ann.post(update, secret="wrong", status=403)
    ann.post(update, secret="", status=403)
    assert bot_api.calls == []
    assert not SeenUpdate.objects.exists()
    assert not TelegramAccount.objects.exists()


def test_a_repeated_update_id_is_ignored(ann, bot_api):
    update = ann.message(text="/start")
    first = ann.post(update)
    again = ann.post(update)
    assert [c.method for c in first].count("sendMessage") == 1
    assert again == []
    assert SeenUpdate.objects.count() == 1


def test_a_handler_failure_is_logged_counted_and_still_answered_200(ann, bot_api, caplog, monkeypatch):
    from integrations.telegram.bots import flow_for

    def broken(self, turn, args):
        raise RuntimeError("a bug")

    monkeypatch.setitem(flow_for("equipment").commands(), "start", broken)
    errors = metrics.TELEGRAM_HANDLER_ERRORS.labels("equipment")
    before = errors._value.get()
    ann.send("/start")  # asserts the 200
    assert errors._value.get() == before + 1
    assert "could not be handled" in caplog.text


def test_a_button_press_answered_too_late_still_gets_its_replies(ann, bot_api):
    ann.send("/start")
    bot_api.failing_methods.add("answerCallbackQuery")
    calls = ann.press_data("w:cancel", 1)
    assert [call.method for call in calls if call.method != "getMe"] == ["answerCallbackQuery", "sendMessage"]



def test_a_bot_without_a_token_is_off(client, bot_api, settings):
    settings.CABINET_BOT_TOKEN = ""
    response = client.post("/telegram/cabinets/", data="{}", content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": settings.TELEGRAM_WEBHOOK_SECRET})
    assert response.status_code == 404


def test_a_body_that_is_not_an_update_is_a_400(client, bot_api, settings):
    response = client.post("/telegram/equipment/", data="nope", content_type="application/json",
                           headers={"X-Telegram-Bot-Api-Secret-Token": settings.TELEGRAM_WEBHOOK_SECRET})
    assert response.status_code == 400


def test_updates_the_bots_do_not_handle_are_ignored_quietly(ann, bot_api):
    calls = ann.post({"update_id": 1, "edited_message": {"message_id": 1, "date": 0, "chat": ann.chat,
                                                         "from": ann.who, "text": "x"}})
    assert [c.method for c in calls if c.method != "getMe"] == []


def test_both_bots_answer_on_their_own_webhooks(ann, bot_api):
    assert "Welcome" in said(ann.send("/start"))
    assert "Welcome" in said(ann.on("cabinet").send("/start"))
    assert {c.token for c in bot_api.of("sendMessage")} == {"1111:equipment-token", "2222:cabinet-token"}


def test_set_webhooks_registers_both_bots_with_the_secret(bot_api, settings, capsys):
    settings.PUBLIC_URL = "https://clinic.example"
    call_command("set_webhooks")
    calls = bot_api.of("setWebhook")
    assert {c.fields["url"] for c in calls} == {"https://clinic.example/telegram/equipment/",
                                                "https://clinic.example/telegram/cabinets/"}
    assert {c.fields["secret_token"] for c in calls} == {settings.TELEGRAM_WEBHOOK_SECRET}
    assert json.loads(calls[0].fields["allowed_updates"]) == ["message", "callback_query"]
    call_command("set_webhooks", "--delete")
    assert len(bot_api.of("deleteWebhook")) == 2


def test_commands_say_so_when_telegram_is_not_configured(settings, capsys, bot_api):
    settings.EQUIPMENT_BOT_TOKEN = settings.CABINET_BOT_TOKEN = ""
    call_command("set_webhooks")
    call_command("run_bots")
    assert capsys.readouterr().out.count("not configured") == 2
    assert bot_api.calls == []


def test_without_a_configured_secret_the_webhook_refuses_every_update(ann, bot_api, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    ann.post(ann.message(text="/start"), secret="", status=403)
    ann.post(ann.message(text="/start"), secret="anything", status=403)
    assert bot_api.calls == []
    assert not TelegramAccount.objects.exists()


def test_a_bot_token_without_a_webhook_secret_stops_start_up_in_development_too(settings):
    from django.core.management.base import SystemCheckError

    settings.DEBUG = True
    settings.EQUIPMENT_BOT_TOKEN, settings.CABINET_BOT_TOKEN = "1111:equipment-token", ""
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    with pytest.raises(SystemCheckError, match="TELEGRAM_WEBHOOK_SECRET"):
        call_command("check")
    settings.TELEGRAM_WEBHOOK_SECRET = "not a valid secret!"
    with pytest.raises(SystemCheckError, match="TELEGRAM_WEBHOOK_SECRET"):
        call_command("check")
    settings.TELEGRAM_WEBHOOK_SECRET = "good-secret_1"
    call_command("check")


def test_set_webhooks_refuses_to_register_without_a_secret(bot_api, settings):
    from django.core.management.base import CommandError

    settings.PUBLIC_URL = "https://clinic.example"
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="TELEGRAM_WEBHOOK_SECRET must be set"):
        call_command("set_webhooks")
    assert bot_api.of("setWebhook") == []


def test_make_run_generates_a_private_webhook_secret_that_the_settings_read(tmp_path):
    import os
    import stat
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k not in {"TELEGRAM_WEBHOOK_SECRET", "TESTING", "DEBUG"}}
    env.update({"VAR_DIR": str(tmp_path), "EQUIPMENT_BOT_TOKEN": "1111:equipment-token"})

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)

    refused = manage("check")
    assert refused.returncode != 0 and "TELEGRAM_WEBHOOK_SECRET" in refused.stderr
    assert manage("webhook_secret").returncode == 0
    secret_file = tmp_path / "telegram_webhook_secret"
    secret = secret_file.read_text().strip()
    assert len(secret) >= 40 and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert manage("webhook_secret").returncode == 0 and secret_file.read_text().strip() == secret  # kept
    checked = manage("check")
    assert checked.returncode == 0, checked.stderr
    said_secret = manage("shell", "-v", "0", "-c",
                         "from django.conf import settings; print(settings.TELEGRAM_WEBHOOK_SECRET)")
    assert said_secret.stdout.strip() == secret
