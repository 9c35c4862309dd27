"""Two users press the same slot at the same moment in two conversations: exactly one gets it, the other is
told it was taken. Real threads, real transactions, PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from cabinets.models import SlotHold
from kernel import locking
from tests.factories import CabinetFactory, with_week
from tests.integrations.telegram.conftest import TelegramUser, said

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_users_racing_for_one_slot_get_it_once(user_factory, bot_api, monkeypatch):
    with_week(CabinetFactory(name="Кабинет 1"))
    users = [user_factory(1001 + n, bot="cabinet") for n in range(2)]
    buttons = []
    for user in users:
        user.send("/book")
        user.press("Кабинет 1")
        user.press("24")
        buttons.append(user.find("10:00"))
    # Widen the window between the availability check and the write, as a slow request would.
    monkeypatch.setattr(locking, "pause_after_check", 0.3)
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def press(user: TelegramUser, button, message_id):
        racer = TelegramUser(Client(), user.api, user.bot, user.id, user.first_name, user.language)
        try:
            barrier.wait()
            results[user.id] = said(racer.press_data(button["callback_data"], message_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(user, *found)) for user, found in zip(users, buttons, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert SlotHold.objects.count() == 1
    winner = SlotHold.objects.get().holder.telegram_id
    loser = next(user.id for user in users if user.id != winner)
    assert "How long" in results[winner]
    assert "just been taken" in results[loser]
