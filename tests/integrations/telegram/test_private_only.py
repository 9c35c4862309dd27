"""The bots serve private chats only: in a group they say once to write privately and nothing else, and a dialog
belongs to one user in one chat, so nobody else's update moves it."""

from __future__ import annotations

import pytest

from accounts.models import TelegramAccount
from equipment.services import equipment_booking_create
from integrations.models import Dialog
from kernel.channels import Actor, Channel
from tests.conftest import NOW
from tests.factories import ItemFactory, StaffUserFactory
from tests.integrations.telegram.conftest import TelegramUser, said

pytestmark = pytest.mark.django_db(transaction=True)

GROUP = -100_555


class InChat(TelegramUser):
    """The same person writing from another chat: a group, or (forged) someone else's private chat."""

    def __init__(self, user: TelegramUser, chat: dict):
        super().__init__(user.client, user.api, user.bot, user.id, user.first_name, user.language)
        self._chat = chat

    @property
    def chat(self) -> dict:
        return self._chat


def in_group(user: TelegramUser, group_id: int = GROUP, kind: str = "group") -> InChat:
    return InChat(user, {"id": group_id, "type": kind, "title": "Clinic staff"})


def sent(calls) -> list:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")]


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


@pytest.mark.parametrize("kind", ["group", "supergroup"])
def test_in_a_group_the_bot_says_once_to_write_privately_and_nothing_more(ann, ben, kind):
    first = in_group(ann, kind=kind).send("/start")
    assert [c.chat_id for c in sent(first)] == [GROUP]
    assert "private messages" in said(first)
    assert sent(in_group(ann, kind=kind).send("/start")) == []
    assert sent(in_group(ben, kind=kind).send("📋 Book")) == []
    assert "private messages" in said(in_group(ann, GROUP - 1, kind).send("/help"))  # another group: its own note
    assert not Dialog.objects.exists() and not TelegramAccount.objects.exists()


def test_a_button_pressed_in_a_group_gets_only_the_note(ann):
    calls = in_group(ann).press_data("w:cancel", 7)
    assert [c.method for c in calls if c.method != "getMe"] == ["answerCallbackQuery"]
    assert "private messages" in calls[-1].fields["text"]


def test_a_managers_today_in_a_group_shows_no_client_data(boss, ecg, bot_api):
    equipment_booking_create(item=ecg, start_date=NOW.date(), client_name="Анна Смирнова",
                             client_phone="+79991234567", actor=Actor.staff(StaffUserFactory()),
                             channel=Channel.ADMIN, now=NOW)
    for command in ("/today", "/pending", "/my_bookings"):
        calls = in_group(boss, kind="supergroup").send(command)
        assert "Смирнова" not in said(calls) and "123-45-67" not in said(calls) and "4567" not in said(calls)
    assert "Смирнова" in said(boss.send("/today"))  # privately the schedule is there


def test_two_users_dialogs_in_one_chat_id_do_not_move_each_other(ann, ben, ecg):
    ann.send("📋 Book")
    button, message_id = ann.find("ЭКГ")
    ben_in_anns_chat = InChat(ben, ann.chat)
    ben_in_anns_chat.press_data(button["callback_data"], message_id)
    ben_in_anns_chat.send("📋 Book")
    assert Dialog.objects.get(bot="equipment", chat_id=ann.id, user_id=ann.id).state == "item"
    assert Dialog.objects.get(bot="equipment", chat_id=ann.id, user_id=ben.id).state == "item"
    ann.press_data(button["callback_data"], message_id)  # her own message, not the one sent for Ben
    assert Dialog.objects.get(bot="equipment", chat_id=ann.id, user_id=ann.id).state != "item"
    assert Dialog.objects.get(bot="equipment", chat_id=ann.id, user_id=ben.id).state == "item"
