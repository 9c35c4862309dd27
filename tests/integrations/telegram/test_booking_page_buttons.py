"""Both bots open the booking page: a menu button set by set_webhooks and a main-menu button, on https only
(Telegram refuses Mini App buttons with any other address)."""

import json

import pytest
from django.core.management import call_command

from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db


def page_buttons(call) -> list[dict]:
    rows = (call.markup or {}).get("keyboard", [])
    return [b for row in rows for b in row if isinstance(b, dict) and "web_app" in b]


def test_the_main_menu_opens_the_booking_page_on_each_bots_tab(ann, settings):
    settings.PUBLIC_URL = "https://clinic.example"
    said(ann.send("/start"))
    menu = next(c for c in reversed(ann.api.of("sendMessage", chat_id=ann.id)) if c.keys)
    assert page_buttons(menu) == [{"text": "🌐 Open the booking page",
                                   "web_app": {"url": "https://clinic.example/app/?tab=equipment"}}]
    ann.on("cabinet").send("/start")
    menu = next(c for c in reversed(ann.api.of("sendMessage", chat_id=ann.id)) if c.keys and c.token.startswith("2222"))
    assert page_buttons(menu)[0]["web_app"]["url"] == "https://clinic.example/app/?tab=cabinets"


def test_without_https_there_is_no_page_button(ann, settings):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    ann.send("/start")
    menu = next(c for c in reversed(ann.api.of("sendMessage", chat_id=ann.id)) if c.keys)
    assert page_buttons(menu) == []


def test_set_webhooks_points_each_bots_menu_button_at_the_page(bot_api, settings):
    settings.PUBLIC_URL = "https://clinic.example"
    call_command("set_webhooks")
    buttons = {c.token: json.loads(c.fields["menu_button"]) for c in bot_api.of("setChatMenuButton")}
    assert buttons["1111:equipment-token"]["web_app"]["url"] == "https://clinic.example/app/?tab=equipment"
    assert buttons["2222:cabinet-token"]["web_app"]["url"] == "https://clinic.example/app/?tab=cabinets"
    assert {b["type"] for b in buttons.values()} == {"web_app"}


def test_set_webhooks_says_why_it_sets_no_menu_button_without_https(bot_api, settings, capsys):
    settings.PUBLIC_URL = "http://clinic.example"
    call_command("set_webhooks")
    assert bot_api.of("setChatMenuButton") == []
    assert "PUBLIC_URL is not https" in capsys.readouterr().out
