"""The bots keep one language per user and understand their menu in either language."""

import pytest

from accounts.models import TelegramAccount
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_update_without_a_language_keeps_the_users_language(ann):
    ann.send("/start")
    ann.language = None
    calls = ann.send("📋 Book")
    assert TelegramAccount.objects.get(telegram_id=ann.id).language_code == "en"
    assert "Не понял" not in said(calls)


def test_menu_buttons_work_in_either_language(ann):
    ItemFactory(name="ЭКГ аппарат", quantity=2)
    ann.send("/start")
    ann.language = "ru"
    calls = ann.send("📋 Book")  # the English keyboard from before the switch
    assert "ЭКГ" in " ".join(b["text"] for c in calls if c.markup for b in c.buttons)


def test_an_item_with_many_units_offers_every_unit_count(ann):
    ItemFactory(name="Кушетка", quantity=12)
    ann.send("📋 Book")
    ann.press("Кушетка")
    ann.press("›")
    ann.press("1")
    ann.press("Single day")
    assert [label for label in ann.labels() if label.isdigit()] == [str(n) for n in range(1, 13)]
