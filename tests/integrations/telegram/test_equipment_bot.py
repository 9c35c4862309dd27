"""The equipment bot, end to end: real python-telegram-bot, real webhook view, fake Bot API."""

from __future__ import annotations

from datetime import date

import pytest

from equipment.models import EquipmentBooking, Item
from integrations.models import Dialog
from kernel.bookings import Status
from tests.factories import ItemFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


def book_until_name(user, item_label="ЭКГ", start="1", end=None, units=None):
    user.send("/start")
    user.send("📋 Book")
    user.press(item_label)
    user.press("›")  # December
    user.press(start)
    if end is None:
        user.press("Single day")
    else:
        user.press(end)
    if units is not None:
        user.press(units)


def test_it_greets_a_new_user_with_a_main_menu_whose_first_button_is_book(ann):
    calls = ann.send("/start")
    assert calls[-1].method == "sendMessage"
    assert "Welcome" in calls[-1].text
    assert calls[-1].keys[0] == "📋 Book"
    assert set(calls[-1].keys) >= {"📊 My bookings", "ℹ️ Help", "🔔 Reminders"}


def test_it_books_a_single_day_by_button_presses(ann, ecg, bot_api):
    book_until_name(ann, units="2")
    ann.send("Anna Smirnova")
    ann.send("8 (999) 123-45-67")
    ann.press("Skip")  # the birthday question
    calls = ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    assert (booking.item, booking.start_date, booking.end_date, booking.units) == (ecg, date(2026, 12, 1),
                                                                                  date(2026, 12, 1), 2)
    assert booking.status == Status.PENDING
    assert booking.client_phone == "+79991234567"
    assert f"request {booking.reference} is created" in said(calls)


def book_for(item, day, units=1, account=None):
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    actor = Actor.telegram(account) if account is not None else Actor.system()
    return equipment_booking_create(item=item, start_date=day, end_date=day, units=units, client_name="Пётр Иванов",
                                    client_phone="+79990000000", actor=actor, channel=Channel.BOT, now=NOW)


def test_it_books_a_range_and_skips_the_units_step_when_one_unit_is_free(ann, transactional_db):
    item = ItemFactory(name="Холтер", quantity=1)
    ann.send("📋 Book")
    ann.press("Холтер")
    ann.press("›")
    ann.press("7")
    calls = ann.press("9")
    assert "Enter your full name" in said(calls)
    ann.send("Anna Smirnova")
    ann.send("+7 999 123 45 67")
    ann.press("Skip")  # the birthday question
    ann.press("✅ Confirm")
    booking = EquipmentBooking.objects.get()
    assert (booking.item, booking.start_date, booking.end_date, booking.units) == (item, date(2026, 12, 7),
                                                                                  date(2026, 12, 9), 1)


def test_it_refuses_a_bad_phone_and_stays_at_the_phone_step(ann, ecg):
    book_until_name(ann, units="1")
    ann.send("Anna Smirnova")
    calls = ann.send("12345")
    assert "phone number is not valid" in said(calls)
    calls = ann.send("+7 999 123-45-67")
    assert "date of birth" in said(calls)
    assert not EquipmentBooking.objects.exists()


def test_it_refuses_a_blank_name(ann, ecg):
    book_until_name(ann, units="1")
    calls = ann.send(" \u200b ")
    assert "name is required" in said(calls)


def test_past_days_are_inert_and_a_forged_past_day_is_refused(ann, ecg):
    ann.send("📋 Book")
    ann.press("ЭКГ")
    _button, message_id = ann.find("23")
    assert "20" not in ann.labels()  # days before today are shown as dots
    calls = ann.press_data("w:day:20261120", message_id)
    assert "past" in said(calls)
    calls = ann.press("24")
    assert "Choose the last day" in said(calls)


def test_a_full_day_is_marked_and_cannot_be_chosen(ann, ecg):
    book_for(ecg, date(2026, 12, 2), units=2)
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("›")
    assert "2" not in ann.labels() and "✖" in ann.labels()
    calls = ann.press_data("w:day:20261202", ann.find("3")[1])
    assert "no free units on 02.12.2026" in said(calls)
    calls = ann.press("1")
    calls = ann.press("3")  # a range across the full day
    assert "no free units on 02.12.2026" in said(calls)


def test_free_text_at_a_button_step_gets_a_hint_and_changes_nothing(ann, ecg):
    ann.send("📋 Book")
    ann.press("ЭКГ")
    calls = ann.send("tomorrow please")
    assert "choose with the buttons" in said(calls)
    calls = ann.press("24")
    assert "Choose the last day" in said(calls)


def test_back_walks_every_step_in_reverse(ann, ecg):
    book_until_name(ann, units="2")
    ann.send("Anna Smirnova")
    ann.send("+79991234567")
    ann.press("Skip")  # the birthday question
    screens = [said(ann.press("⬅️ Back")), said(ann.press("⬅️ Back"))]
    # at the phone prompt Back is a reply-keyboard button, so it comes as text
    screens.append(said(ann.send("⬅️ Back")))
    for _ in range(4):
        screens.append(said(ann.press("⬅️ Back")))
    assert "date of birth" in screens.pop(0)
    assert "phone number" in screens.pop(0)
    assert "full name" in screens[0]
    assert "How many units" in screens[1]
    assert "last day" in screens[2]
    assert "first day" in screens[3]
    assert "Choose the equipment" in screens[4]


@pytest.mark.parametrize("step", ["item", "start", "end", "units", "name", "phone", "birthday", "confirm"])
def test_cancel_works_at_every_step(ann, ecg, step):
    from integrations.models import Dialog

    ann.send("📋 Book")
    path = [("press", "ЭКГ"), ("press", "›"), ("press", "1"), ("press", "Single day"), ("press", "2"),
            ("send", "Anna Smirnova"), ("send", "+79991234567"), ("press", "Skip")]
    stops = {"item": 0, "start": 1, "end": 3, "units": 4, "name": 5, "phone": 6, "birthday": 7, "confirm": 8}
    for action, value in path[:stops[step]]:
        getattr(ann, action)(value)
    assert Dialog.objects.get().state == step
    calls = ann.send("❌ Cancel") if step == "phone" else ann.press("❌ Cancel")
    assert "Cancelled" in said(calls)
    assert not Dialog.objects.exists()
    assert not EquipmentBooking.objects.exists()


def test_a_button_from_an_earlier_message_is_out_of_date(ann, ecg):
    ann.send("📋 Book")
    ann.press("ЭКГ")
    old_button, old_message = ann.find("24")
    ann.press("⬅️ Back")
    ann.send("/book")
    calls = ann.press_data(old_button["callback_data"], old_message)
    assert "out of date" in said(calls)
    from integrations.models import Dialog

    assert Dialog.objects.get().state == "item"


def test_an_expired_dialog_is_forgotten_and_says_so(ann, ecg, clock):
    from datetime import timedelta

    book_until_name(ann, units="1")
    clock.shift(timedelta(minutes=31))
    calls = ann.send("Anna Smirnova")
    assert "expired" in said(calls)
    calls = ann.send("+79991234567")
    assert "did not understand" in said(calls)
    assert not EquipmentBooking.objects.exists()


def test_my_bookings_lists_own_bookings_with_cancel_and_cancels_after_confirming(ann, ecg):
    from accounts.models import TelegramAccount

    ann.send("/start")
    mine = book_for(ecg, date(2026, 12, 3), account=TelegramAccount.objects.get(telegram_id=ann.id))
    book_for(ecg, date(2026, 12, 4))  # someone else's
    calls = ann.send("📊 My bookings")
    assert f"Booking {mine.reference}" in said(calls)
    assert "ЭКГ аппарат" in said(calls) and "03.12.2026" in said(calls)
    assert said(calls).count("Booking E-") == 1
    ann.press("❌ Cancel")
    calls = ann.press("Yes, cancel it")
    assert f"Booking {mine.reference} is cancelled" in said(calls)
    mine.refresh_from_db()
    assert mine.status == Status.CANCELLED


def test_open_and_cancel_buttons_of_reminders_work_only_for_the_owner(ann, ben, ecg):
    from accounts.models import TelegramAccount

    ann.send("/start")
    ben.send("/start")
    mine = book_for(ecg, date(2026, 12, 3), account=TelegramAccount.objects.get(telegram_id=ann.id))
    assert f"Booking {mine.reference}" in said(ann.press_data(f"eq:open:{mine.pk}", 1))
    assert "Booking not found" in said(ben.press_data(f"eq:open:{mine.pk}", 1))
    assert "Booking not found" in said(ben.press_data(f"eq:cancel:{mine.pk}", 1))
    assert "Booking not found" in said(ben.press_data(f"eq:cxy:{mine.pk}", 1))
    mine.refresh_from_db()
    assert mine.status == Status.PENDING
    assert "Cancel this booking?" in said(ann.press_data(f"eq:cancel:{mine.pk}", 1))
    ann.press("Yes, cancel it")
    mine.refresh_from_db()
    assert mine.status == Status.CANCELLED


def test_a_booking_that_has_started_cannot_be_cancelled_by_its_owner(ann, ecg, clock):
    from datetime import timedelta

    from accounts.models import TelegramAccount

    ann.send("/start")
    mine = book_for(ecg, date(2026, 11, 24), account=TelegramAccount.objects.get(telegram_id=ann.id))
    clock.shift(timedelta(days=1))
    calls = ann.press_data(f"eq:cancel:{mine.pk}", 1)
    assert "can no longer be cancelled" in said(calls)
    calls = ann.press_data(f"eq:cxy:{mine.pk}", 1)
    mine.refresh_from_db()
    assert mine.status == Status.PENDING


def test_a_blocked_user_sees_their_bookings_but_cannot_book(ann, ecg):
    from accounts.models import TelegramAccount

    ann.send("/start")
    account = TelegramAccount.objects.get(telegram_id=ann.id)
    mine = book_for(ecg, date(2026, 12, 3), account=account)
    TelegramAccount.objects.filter(pk=account.pk).update(is_blocked=True)
    calls = ann.send("📋 Book")
    assert "blocked" in said(calls)
    assert not ann.labels() or "ЭКГ" not in " ".join(ann.labels()[-3:])
    assert f"Booking {mine.reference}" in said(ann.send("📊 My bookings"))


def test_more_than_twenty_updates_a_minute_get_one_polite_warning(ann, ecg):
    for _ in range(20):
        ann.send("/help")
    warned = ann.send("/help")
    assert "too fast" in said(warned)
    assert [c.method for c in ann.send("/help") if c.method != "getMe"] == []


def test_reminders_can_be_turned_off_and_on(ann):
    from accounts.models import TelegramAccount

    assert "off" in said(ann.send("🔔 Reminders"))
    assert TelegramAccount.objects.get(telegram_id=ann.id).reminders_enabled is False
    assert "on" in said(ann.send("/reminders"))
    assert TelegramAccount.objects.get(telegram_id=ann.id).reminders_enabled is True


def test_schedule_shows_thirty_days_and_leads_to_booking(ann, ecg):
    book_for(ecg, date(2026, 11, 25), units=2)
    ann.send("📅 Schedule")
    calls = ann.press("ЭКГ")
    text = said(calls)
    assert "25.11 ❌ busy" in text and "24.11 ✅ 2 free" in text
    assert len([line for line in text.splitlines() if line[:2].isdigit()]) == 30
    calls = ann.press("📋 Book this item")
    assert "Choose the first day" in said(calls)


def test_catalogue_and_contacts(ann, ecg, settings):
    settings.MANAGER_CONTACTS = "Мария +7 999 000-00-00"
    assert "ЭКГ аппарат" in said(ann.send("💼 Catalogue"))
    assert "Мария" in said(ann.send("📞 Manager contacts"))


def test_russian_is_the_default_language(user_factory, ecg):
    russian = user_factory(1003, first_name="Иван", language="ru")
    calls = russian.send("/start")
    assert "Добро пожаловать" in calls[-1].text
    assert calls[-1].keys[0].startswith("📋")
    assert "Book" not in calls[-1].keys[0]


def test_an_item_withdrawn_during_the_dialog_sends_the_user_back_to_the_item_list(ann, ecg):
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("›")
    ann.press("1")
    Item.objects.filter(pk=ecg.pk).update(is_active=False)
    ItemFactory(name="Холтер", quantity=1)
    calls = ann.press("Single day")
    assert "no longer available" in said(calls)
    assert "Choose the equipment" in said(calls)
    assert Dialog.objects.get(bot="equipment").state == "item"


def test_an_unexpected_error_gets_an_apology_and_leaves_the_dialog_as_it_was(ann, ecg, monkeypatch):
    from integrations.telegram.bots import flow_for

    ann.send("📋 Book")
    ann.press("ЭКГ")

    def broken(self, turn, value):
        raise RuntimeError("a bug")

    monkeypatch.setitem(flow_for("equipment").steps["start"].picks, "month", broken)
    calls = ann.press("›")
    answers = [call.fields.get("text") for call in calls if call.method == "answerCallbackQuery"]
    assert answers == ["Something went wrong. Please try again or press /start."]
    assert calls[-1].text == "Something went wrong. Please try again or press /start."
    assert Dialog.objects.get(bot="equipment").state == "start"


def test_a_message_that_cannot_be_sent_does_not_stop_the_next_ones(ann, ecg, bot_api):
    from accounts.models import TelegramAccount

    ann.send("/start")
    book_for(ecg, date(2026, 12, 1), account=TelegramAccount.objects.get(telegram_id=1001))
    bot_api.failing_methods.add("sendMessage")
    calls = ann.send("/my_bookings")
    # The heading, the card, then the calendar link: each one tried although the one before failed.
    assert len([call for call in calls if call.method == "sendMessage"]) == 3


def many_items(count):
    return [ItemFactory(name=f"Аппарат {n:02d} для SMAS-лифтинга", quantity=1,
                        description="Микроигольчатый RF-лифтинг для лица и тела. " * 5) for n in range(1, count + 1)]


def test_the_catalogue_lists_every_item_in_messages_telegram_accepts(ann):
    many_items(56)
    calls = [call for call in ann.send("/catalogue") if call.method == "sendMessage"]
    assert len(calls) > 1
    assert all(len(call.text) <= 4096 for call in calls)
    assert sum(call.text.count("• ") for call in calls) == 56
    assert calls[-1].buttons[0]["text"] == "📋 Book"


def test_the_schedule_choice_is_paged_up_to_the_last_item(ann):
    many_items(56)
    ann.send("/schedule")
    for _page in range(6):
        ann.press("»")
    assert "Аппарат 56 для SMAS-лифтинга" in ann.labels()
    calls = ann.press("Аппарат 56")
    assert "Аппарат 56 для SMAS-лифтинга, 1 units" in said(calls)


def test_a_double_tap_on_the_first_day_does_not_choose_the_last_day_too(ann, ecg):
    ann.send("📋 Book")
    ann.press("ЭКГ")
    ann.press("›")
    button, message_id = ann.find("3")
    ann.press_data(button["callback_data"], message_id)
    calls = ann.press_data(button["callback_data"], message_id)
    assert "out of date" in said(calls)
    dialog = Dialog.objects.get(bot="equipment")
    assert (dialog.state, dialog.data["start"], dialog.data["end"]) == ("end", "2026-12-03", None)
