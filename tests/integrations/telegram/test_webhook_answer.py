"""An update whose replies come down to one call Telegram can make after our response is answered in the
webhook's response body (no request leaves the server); like every reply, it is no Delivery row. Anything more goes
out through the Bot API during the request, in order. The update is read from its JSON exactly as
python-telegram-bot would read it."""

from __future__ import annotations

import json

import pytest
from telegram import Update

from integrations.models import Delivery
from integrations.telegram.client import incoming_from_data
from integrations.telegram.conversation import Incoming
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import SECRET, URLS, said

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


def test_replies_sent_during_requests_reuse_one_initialised_bot_so_telegram_sees_at_most_one_get_me(ann, bot_api):
    ItemFactory(name="ECG")
    ann.send("/start")
    before = len(bot_api.calls)
    for _ in range(3):  # each step's message id is tracked: sent from here, not in the response
        assert webhook(ann, ann.message(text="/book")).content == b"ok"
    calls = [call for call in bot_api.calls[before:] if call.token == ann.token]
    assert [call.method for call in calls if call.method != "getMe"] == ["sendMessage"] * 3
    assert len([call for call in calls if call.method == "getMe"]) <= 1  # a loop per request would make 3
    ann.press("ECG")
    assert ann.labels()  # the last tracked message moves the dialog on


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


def read_by_python_telegram_bot(update: Update) -> Incoming | None:
    """The reference: the same fields taken from python-telegram-bot's own objects."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {"chat_id": chat.id, "chat_type": chat.type or "", "user_id": user.id,
              "username": user.username or "", "first_name": user.first_name or "", "last_name": user.last_name or "",
              "language_code": user.language_code or ""}
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        return Incoming(**common, callback_data=query.data or "", callback_id=query.id,
                        message_id=message.message_id if message is not None else None)
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        return Incoming(**common, contact_phone=message.contact.phone_number or "")
    if message.text is None:
        return Incoming(**common, text="")
    return Incoming(**common, text=message.text)


@pytest.mark.parametrize("kind", sorted(UPDATES))
def test_an_update_is_read_from_its_json_as_python_telegram_bot_reads_it(kind):
    data = UPDATES[kind]
    assert incoming_from_data(data) == read_by_python_telegram_bot(Update.de_json(data, None))
    # Polling mode hands the bots python-telegram-bot's objects, read back as JSON: the same result.
    assert incoming_from_data(Update.de_json(data, None).to_dict()) == incoming_from_data(data)


def test_in_polling_mode_an_update_is_read_and_answered_as_through_the_webhook(ann, bot_api):
    """`run_bots` hands each update to python-telegram-bot's Application: the same reading of the update, the
    same flow, the reply sent through the Bot API."""
    from asgiref.sync import async_to_sync

    from integrations.telegram.client import build_application

    async def handle(update: dict) -> None:
        application = build_application("equipment")
        async with application:
            await application.process_update(Update.de_json(update, application.bot))

    before = len(bot_api.calls)
    async_to_sync(handle)(ann.message(text="/help", entities=[{"type": "bot_command", "offset": 0, "length": 5}]))

    [reply] = [c for c in bot_api.calls[before:] if c.method == "sendMessage"]
    assert reply.chat_id == ann.id and "/my_bookings" in said([reply])
