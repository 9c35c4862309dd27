"""An update whose replies come down to one call Telegram can make after our response is answered in the
webhook's response body (no request leaves the server); like every reply, it is no Delivery row. Anything more goes
out through the Bot API during the request, in order. The update is read from its JSON exactly as
python-telegram-bot would read it."""

from __future__ import annotations

import json

import pytest
from telegram import Update

from integrations.models import Delivery
from integrations.telegram.client import incoming_from, incoming_from_data
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import SECRET, URLS

pytestmark = pytest.mark.django_db(transaction=True)


def webhook(user, update: dict):
    return user.client.post(URLS[user.bot], data=json.dumps(update), content_type="application/json",
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})


def test_a_plain_reply_is_the_webhooks_answer(ann, bot_api):
    update = ann.message(text="/help")
    response = webhook(ann, update)
    answer = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert answer["method"] == "sendMessage" and answer["chat_id"] == ann.id and answer["text"]
    assert "keyboard" in answer["reply_markup"]
    assert not Delivery.objects.exists()  # a reply, not one of the outbox's notifications
    assert [call.method for call in bot_api.calls if call.method != "getMe"] == ["sendMessage"]  # made by Telegram


def test_a_repeated_update_is_not_answered_again(ann, bot_api):
    update = ann.message(text="/help")
    webhook(ann, update)
    again = webhook(ann, update)
    assert again.content == b"ok"
    assert len(bot_api.of("sendMessage")) == 1


def test_a_button_press_with_only_a_notice_is_answered_in_the_response(ann, bot_api):
    response = webhook(ann, {"update_id": 99_998, "callback_query": {
        "id": "77", "from": ann.who, "chat_instance": "c", "data": "eq:open:notanumber",
        "message": {"message_id": 5, "date": 0, "chat": ann.chat, "text": "…"}}})
    answer = json.loads(response.content)
    assert answer == {"method": "answerCallbackQuery", "callback_query_id": "77", "text": "This button is out of date."}


def test_a_dialog_step_whose_message_id_is_needed_goes_through_the_bot_api_during_the_request(ann, bot_api):
    ItemFactory(name="ECG")
    ann.send("/start")
    before = len(bot_api.calls)
    response = webhook(ann, ann.message(text="/book"))
    assert response.content == b"ok"
    sent = [call for call in bot_api.calls[before:] if call.method == "sendMessage"]
    assert len(sent) == 1 and sent[0].buttons  # the step's buttons, its message id tracked for them
    assert any(label.startswith("ECG") for label in ann.labels())
    ann.press("ECG")
    assert ann.labels()  # the press on the tracked message moved the dialog on


def test_several_calls_all_go_through_the_bot_api_in_order_and_the_response_names_none(ann, bot_api):
    ItemFactory(name="ECG")
    ann.send("/book")
    _button, message_id = ann.find("ECG")
    before = len(bot_api.calls)
    response = webhook(ann, {"update_id": 99_999, "callback_query": {
        "id": "78", "from": ann.who, "chat_instance": "c", "data": "w:cancel",
        "message": {"message_id": message_id, "date": 0, "chat": ann.chat, "text": "…"}}})
    assert response.content == b"ok"
    methods = [call.method for call in bot_api.calls[before:] if call.method != "getMe"]
    assert methods[0] == "answerCallbackQuery" and methods[-1] == "sendMessage" and len(methods) >= 2
    assert not Delivery.objects.exists()


UPDATES = {
    "text": {"update_id": 1, "message": {"message_id": 3, "date": 0, "text": "/start",
                                         "chat": {"id": 7, "type": "private"},
                                         "from": {"id": 7, "is_bot": False, "first_name": "Ann", "username": "a",
                                                  "last_name": "B", "language_code": "en"}}},
    "no text": {"update_id": 2, "message": {"message_id": 3, "date": 0, "chat": {"id": 7, "type": "private"},
                                            "from": {"id": 7, "is_bot": False, "first_name": "Ann"},
                                            "location": {"latitude": 1.0, "longitude": 2.0}}},
    "contact": {"update_id": 3, "message": {"message_id": 3, "date": 0, "chat": {"id": 7, "type": "private"},
                                            "from": {"id": 7, "is_bot": False, "first_name": "Ann"},
                                            "contact": {"phone_number": "+7999", "first_name": "Ann"}}},
    "group": {"update_id": 4, "message": {"message_id": 3, "date": 0, "text": "hi",
                                          "chat": {"id": -5, "type": "group", "title": "g"},
                                          "from": {"id": 7, "is_bot": False, "first_name": "Ann"}}},
    "button": {"update_id": 5, "callback_query": {
        "id": "9", "chat_instance": "c", "data": "w:back", "from": {"id": 7, "is_bot": False, "first_name": "Ann"},
        "message": {"message_id": 11, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "…"}}},
    "button without message": {"update_id": 6, "callback_query": {
        "id": "9", "chat_instance": "c", "data": "w:back", "from": {"id": 7, "is_bot": False, "first_name": "Ann"}}},
    "from a bot": {"update_id": 7, "message": {"message_id": 3, "date": 0, "text": "hi",
                                               "chat": {"id": 7, "type": "private"},
                                               "from": {"id": 8, "is_bot": True, "first_name": "Bot"}}},
    "an edit": {"update_id": 8, "edited_message": {"message_id": 3, "date": 0, "edit_date": 1, "text": "hi",
                                                   "chat": {"id": 7, "type": "private"},
                                                   "from": {"id": 7, "is_bot": False, "first_name": "Ann"}}},
}


@pytest.mark.parametrize("kind", sorted(UPDATES))
def test_an_update_is_read_from_its_json_as_python_telegram_bot_reads_it(kind):
    data = UPDATES[kind]
    assert incoming_from_data(data) == incoming_from(Update.de_json(data, None))
