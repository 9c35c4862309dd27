"""Every callback_data the bots send fits Telegram's 64 bytes, however long the (Cyrillic) names are."""

from __future__ import annotations

import pytest

from tests.factories import CabinetFactory, ItemFactory, TelegramAccountFactory, with_week

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "Аппарат ультразвуковой диагностики экспертного класса с допплером и тремя датчиками " * 2


def test_every_keyboard_of_both_bots_stays_within_64_bytes(user_factory, bot_api):
    TelegramAccountFactory(telegram_id=9001, is_manager=True, language_code="en")
    items = [ItemFactory(name=f"{LONG} №{n}"[:200], quantity=3, description=LONG) for n in range(12)]
    with_week(CabinetFactory(name=("Кабинет функциональной диагностики " * 3)[:100]))
    ann = user_factory(1001)
    ann.send("/start")
    ann.send("📋 Book")
    ann.press("»")
    ann.press(items[9].name[:20])
    ann.press("›")
    ann.press("1")
    ann.press("3")
    ann.press("2")
    ann.send("Анна Смирнова")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    ann.press("✅ Confirm")
    ann.send("📊 My bookings")
    ann.send("📅 Schedule")
    ann.press(items[0].name[:20])
    ann.send("💼 Catalogue")
    cab = user_factory(1001, bot="cabinet")
    cab.send("/book")
    cab.press("Кабинет функциональной")
    cab.press("›")
    cab.press("‹")
    cab.press("24")
    cab.press("10:00")
    cab.press("3 h")
    cab.press(items[0].name[:20])
    cab.send("Анна Смирнова")
    cab.send("+79991234567")  # the birthday was asked in the equipment bot: not again
    cab.press("✅ Confirm")
    cab.send("/my_bookings")
    boss = user_factory(9001, bot="cabinet")
    boss.send("/pending")
    boss.press("❌ Reject")

    data = [b["callback_data"] for call in bot_api.calls for b in call.buttons if "callback_data" in b]
    assert len(data) > 150
    assert max(len(d.encode()) for d in data) <= 64
    assert any(len(b["text"]) > 30 for call in bot_api.calls for b in call.buttons)  # names were long
