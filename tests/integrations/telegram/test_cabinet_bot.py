"""The cabinet bot, end to end: real python-telegram-bot, real webhook view, fake Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cabinets.models import Cabinet, CabinetBooking, SlotHold
from equipment.models import EquipmentBooking
from integrations.models import Dialog
from kernel.bookings import Status
from tests.clock import TUE, at
from tests.conftest import NOW
from tests.factories import CabinetFactory, ItemFactory
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


@pytest.fixture
def ben_cab(user_factory):
    return user_factory(1002, bot="cabinet", first_name="Ben")


def choose_slot(user, cabinet="Кабинет 1", day="24", slot="10:00"):
    user.send("/start")
    user.send("/book")
    user.press(cabinet)
    user.press(day)
    return user.press(slot)


def test_it_books_a_cabinet_with_equipment_by_button_presses(ann_cab, cabinet, bot_api):
    ItemFactory(name="УЗИ", quantity=1)
    choose_slot(ann_cab)
    durations = ann_cab.labels()
    assert durations[:3] == ["30 min", "1 h", "1 h 30 min"]
    assert "3 h 30 min" not in durations  # lunch at 13:00 cuts the run
    ann_cab.press("1 h 30 min")
    ann_cab.press("УЗИ")
    ann_cab.send("Anna Smirnova")
    ann_cab.share_contact("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    calls = ann_cab.press("✅ Confirm")
    booking = CabinetBooking.objects.get()
    assert (booking.starts_at, booking.ends_at, booking.status) == (at(TUE, 10), at(TUE, 11, 30), Status.PENDING)
    assert EquipmentBooking.objects.get().cabinet_booking == booking
    assert f"request {booking.reference} is created" in said(calls)
    assert not SlotHold.objects.exists()


def test_it_shows_only_free_slots_and_no_lunch(ann_cab, cabinet):
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    labels = ann_cab.labels()
    assert "09:00" in labels and "12:30" in labels and "14:00" in labels
    assert "13:00" not in labels and "13:30" not in labels


def test_a_held_slot_is_not_offered_to_a_second_user_until_the_hold_expires(ann_cab, ben_cab, cabinet, clock):
    choose_slot(ann_cab)
    assert SlotHold.objects.get().starts_at == at(TUE, 10)
    ben_cab.send("/book")
    ben_cab.press("Кабинет 1")
    ben_cab.press("24")
    assert "10:00" not in ben_cab.labels()
    calls = ben_cab.press_data("w:slot:1000", ben_cab.find("09:00")[1])
    assert "just been taken" in said(calls)
    clock.shift(timedelta(minutes=11))
    ben_cab.send("/book")
    ben_cab.press("Кабинет 1")
    ben_cab.press("24")
    assert "10:00" in ben_cab.labels()
    ben_cab.press("10:00")
    assert SlotHold.objects.get(holder__telegram_id=ben_cab.id).starts_at == at(TUE, 10)


def book_cabinet(cabinet, start, minutes=60, account=None):
    from cabinets.services import cabinet_booking_create
    from kernel.channels import Actor, Channel
    from tests.conftest import NOW

    actor = Actor.telegram(account) if account is not None else Actor.system()
    return cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=minutes,
                                  client_name="Пётр Иванов", client_phone="+79990000000", actor=actor,
                                  channel=Channel.BOT, now=NOW)


def test_a_taken_slot_is_not_offered_and_a_forged_press_is_told_it_is_taken(ann_cab, cabinet):
    book_cabinet(cabinet, at(TUE, 10))
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    assert "10:00" not in ann_cab.labels() and "10:30" not in ann_cab.labels()
    calls = ann_cab.press_data("w:slot:1000", ann_cab.find("09:00")[1])
    assert "just been taken" in said(calls)
    assert not SlotHold.objects.exists()


def test_only_durations_that_fit_are_offered_and_a_forged_long_one_is_refused(ann_cab, cabinet):
    book_cabinet(cabinet, at(TUE, 11))
    choose_slot(ann_cab, slot="10:00")
    assert ann_cab.labels()[:2] == ["30 min", "1 h"]
    assert "1 h 30 min" not in ann_cab.labels()
    calls = ann_cab.press_data("w:dur:120", ann_cab.find("1 h")[1])
    assert "11:00 in Кабинет 1 is already taken" in said(calls)
    assert SlotHold.objects.get().ends_at == at(TUE, 10, 30)


def test_a_duration_across_lunch_is_refused(ann_cab, cabinet):
    choose_slot(ann_cab, slot="12:00")
    assert ann_cab.labels()[:2] == ["30 min", "1 h"] and "1 h 30 min" not in ann_cab.labels()
    calls = ann_cab.press_data("w:dur:120", ann_cab.find("1 h")[1])
    assert "13:00 is during the lunch break (13:00–14:00) in Кабинет 1." in said(calls)


def test_a_start_at_lunch_says_it_is_the_lunch_break(ann_cab, cabinet):
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    ann_cab.press("24")
    calls = ann_cab.press_data("w:slot:1300", ann_cab.find("12:00")[1])  # a forged or stale button
    assert "13:00 is during the lunch break (13:00–14:00) in Кабинет 1." in said(calls)
    assert "not the start of a slot" not in said(calls)
    assert not SlotHold.objects.filter(starts_at=at(TUE, 13)).exists()


def test_closed_days_are_marked_and_cannot_be_chosen(ann_cab, cabinet):
    from tests.factories import holiday

    holiday(at(TUE, 0).date().replace(day=25))
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    assert "25" not in ann_cab.labels() and "✖" in ann_cab.labels()
    calls = ann_cab.press_data("w:day:20261125", ann_cab.find("24")[1])
    assert "closed on 25.11.2026" in said(calls)
    calls = ann_cab.press_data("w:day:20261120", ann_cab.find("24")[1])
    assert "in the past" in said(calls)


def test_the_calendar_navigates_months(ann_cab, cabinet):
    ann_cab.send("/book")
    ann_cab.press("Кабинет 1")
    assert "November 2026" in ann_cab.labels()
    ann_cab.press("›")
    assert "December 2026" in ann_cab.labels()
    assert "24" not in ann_cab.labels()  # beyond the 30-day horizon
    ann_cab.press("‹")
    assert "November 2026" in ann_cab.labels()


@pytest.mark.parametrize("step", ["cabinet", "date", "slot", "duration", "equipment", "name", "phone", "birthday",
                                  "confirm"])
def test_cancel_works_at_every_step_and_releases_the_hold(ann_cab, cabinet, step):
    from integrations.models import Dialog

    ItemFactory(name="УЗИ")
    ann_cab.send("/book")
    path = [("press", "Кабинет 1"), ("press", "24"), ("press", "10:00"), ("press", "1 h"),
            ("press", "No equipment"), ("send", "Anna Smirnova"), ("send", "+79991234567"), ("press", "Skip")]
    stops = {"cabinet": 0, "date": 1, "slot": 2, "duration": 3, "equipment": 4, "name": 5, "phone": 6,
             "birthday": 7, "confirm": 8}
    for action, value in path[:stops[step]]:
        getattr(ann_cab, action)(value)
    assert Dialog.objects.get().state == step
    calls = ann_cab.send("❌ Cancel") if step == "phone" else ann_cab.press("❌ Cancel")
    assert "Cancelled" in said(calls)
    assert not Dialog.objects.exists() and not SlotHold.objects.exists() and not CabinetBooking.objects.exists()


def test_back_walks_every_step_in_reverse(ann_cab, cabinet):
    ItemFactory(name="УЗИ")
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.press("No equipment")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    screens = [said(ann_cab.press("⬅️ Back")), said(ann_cab.press("⬅️ Back"))]
    screens.append(said(ann_cab.send("⬅️ Back")))  # the phone prompt's Back is a reply-keyboard button
    screens += [said(ann_cab.press("⬅️ Back")) for _ in range(5)]
    expected = ["date of birth", "phone number", "full name", "need equipment", "How long", "start time",
                "Choose a date", "Choose a cabinet"]
    for screen, text in zip(screens, expected, strict=True):
        assert text in screen


def test_my_bookings_and_cancel_booking_work_only_for_own_future_bookings(ann_cab, ben_cab, cabinet):
    from accounts.models import TelegramAccount

    ann_cab.send("/start")
    ben_cab.send("/start")
    mine = book_cabinet(cabinet, at(TUE, 15), account=TelegramAccount.objects.get(telegram_id=ann_cab.id))
    assert f"Booking {mine.reference}" in said(ann_cab.send("/my_bookings"))
    assert "not found" in said(ben_cab.send(f"/cancel_booking {mine.pk}"))
    assert "Usage" in said(ann_cab.send("/cancel_booking x"))
    assert "Cancel this booking?" in said(ann_cab.send(f"/cancel_booking {mine.pk}"))
    calls = ann_cab.press("Yes, cancel it")
    assert f"Booking {mine.reference} is cancelled" in said(calls)
    mine.refresh_from_db()
    assert mine.status == Status.CANCELLED
    assert "Cancel this booking?" not in said(ann_cab.press_data(f"cab:cancel:{mine.pk}", 1))


def test_a_confirm_after_the_hold_expired_and_the_slot_was_taken_says_so(ann_cab, ben_cab, cabinet, clock):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    clock.shift(timedelta(minutes=11))
    choose_slot(ben_cab)
    ben_cab.press("30 min")
    calls = ann_cab.press("✅ Confirm")
    assert "just been taken" in said(calls)
    assert "Free nearby" in said(calls)
    assert "start time" in said(ann_cab.press("⬅️ Back"))
    assert not CabinetBooking.objects.exists()


def test_a_blocked_user_cannot_start_booking_a_cabinet(ann_cab, cabinet):
    from accounts.models import TelegramAccount

    ann_cab.send("/start")
    TelegramAccount.objects.filter(telegram_id=ann_cab.id).update(is_blocked=True)
    assert "blocked" in said(ann_cab.send("📋 Book"))
    assert "blocked" in said(ann_cab.press_data("w:slot:1000", 1)) or not SlotHold.objects.exists()


def test_a_cabinet_closed_during_the_dialog_sends_the_user_back_to_the_cabinet_list(ann_cab, cabinet):
    CabinetFactory(name="Кабинет 2")
    choose_slot(ann_cab)
    Cabinet.objects.filter(pk=cabinet.pk).update(is_active=False)
    calls = ann_cab.press("1 h")
    assert "no longer available" in said(calls)
    assert "Choose a cabinet" in said(calls)
    assert Dialog.objects.get(bot="cabinet").state == "cabinet"
    assert not SlotHold.objects.exists()


def test_the_equipment_step_is_paged_up_to_the_last_item(ann_cab, cabinet):
    for n in range(1, 41):
        ItemFactory(name=f"Аппарат {n:02d}", quantity=1)
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    for _page in range(4):
        ann_cab.press("»")
    ann_cab.press("Аппарат 40")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    ann_cab.press("✅ Confirm")
    assert EquipmentBooking.objects.get().item.name == "Аппарат 40"


def test_the_hold_is_renewed_while_the_user_fills_in_the_later_steps(ann_cab, ben_cab, cabinet, clock):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    clock.move_to(NOW + timedelta(minutes=6), tick=False)
    ann_cab.send("Anna Smirnova")
    clock.move_to(NOW + timedelta(minutes=11), tick=False)
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    ben_cab.send("/book")
    ben_cab.press("Кабинет 1")
    ben_cab.press("24")
    assert "10:00" not in ben_cab.labels()
    ann_cab.press("✅ Confirm")
    assert CabinetBooking.objects.get().starts_at == at(TUE, 10)


def test_a_window_taken_after_the_hold_lapsed_sends_the_user_back_to_the_slots(ann_cab, ben_cab, cabinet, clock):
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    clock.move_to(NOW + timedelta(minutes=11), tick=False)
    choose_slot(ben_cab)
    ben_cab.press("1 h")
    calls = ann_cab.send("Anna Smirnova")
    assert "just been taken by someone else" in said(calls)
    assert Dialog.objects.get(bot="cabinet", chat_id=1001).state == "alternatives"
    assert "Choose the start time" in said(ann_cab.press("⬅️ Back"))
    assert Dialog.objects.get(bot="cabinet", chat_id=1001).state == "slot"


def test_equipment_taken_before_confirm_sends_the_user_back_to_the_equipment_step(ann_cab, user_factory, cabinet):
    ItemFactory(name="УЗИ", quantity=1)
    choose_slot(ann_cab)
    ann_cab.press("1 h")
    ann_cab.press("УЗИ")
    ann_cab.send("Anna Smirnova")
    ann_cab.send("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    ben = user_factory(1002, bot="equipment", first_name="Ben")
    ben.send("/book")
    ben.press("УЗИ")
    ben.press("24")
    ben.press("Single day")
    ben.send("Ben Petrov")
    ben.send("+79991234568")
    ben.press("Skip")  # the birthday question
    ben.press("✅ Confirm")
    calls = ann_cab.press("✅ Confirm")
    assert "Do you need equipment" in said(calls)
    assert "УЗИ" not in calls[-1].text
    dialog = Dialog.objects.get(bot="cabinet")
    assert (dialog.state, dialog.data["slot"], dialog.data["minutes"], dialog.data["item"]) == (
        "equipment", "1000", 60, None)
    assert SlotHold.objects.get().starts_at == at(TUE, 10)
