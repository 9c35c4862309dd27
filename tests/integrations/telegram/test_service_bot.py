"""Booking a service in the cabinet bot, end to end through the webhook: category → service → specialist or
Any → date → time → name and phone → Confirm; the appointment in My bookings and its cancellation; what the
specialist is told, and their /schedule."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking, MaintenanceWindow
from integrations.models import Delivery
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from specialists.models import Service, ServiceEquipment
from specialists.services import appointment_create, appointment_move
from tests import factories
from tests.conftest import NOW
from tests.integrations.telegram.conftest import said
from tests.specialists.conftest import WEEKDAYS, at, specialist

pytestmark = pytest.mark.django_db(transaction=True)

TUE = date(2026, 11, 24)
ANNA_TELEGRAM = 700001


@pytest.fixture
def rooms(transactional_db):
    return [factories.with_week(factories.CabinetFactory(name=f"Кабинет УЗИ {n}", sort_order=n),
                                opens=time(8), closes=time(20), lunch=None) for n in (1, 2)]


@pytest.fixture
def anna(transactional_db):
    return specialist("Анна Смирнова", {d: [(time(9), time(13)), (time(14), time(18))] for d in WEEKDAYS},
                      telegram_id=ANNA_TELEGRAM)


@pytest.fixture
def boris(transactional_db):
    return specialist("Борис Иванов", {d: [(time(10), time(19))] for d in WEEKDAYS})


@pytest.fixture
def ultrasound(rooms, anna, boris):
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([anna, boris])
    return service


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


@pytest.fixture
def anna_cab(user_factory):
    return user_factory(ANNA_TELEGRAM, bot="cabinet", first_name="Анна")


def choose(user, *, who: str, day: str = "24", slot: str = "10:00"):
    user.send("/start")
    user.send("🩺 Book a service")
    user.press("Диагностика")
    assert user.labels()[0] == "УЗИ брюшной полости · 60 min · 2,500\u00a0₽"
    user.press("УЗИ брюшной полости")
    user.press(who)
    user.press(day)
    return user.press(slot)


def book(user, *, who: str, day: str = "24", slot: str = "10:00"):
    choose(user, who=who, day=day, slot=slot)
    user.send("Мария Петрова")
    user.share_contact("+79991234567")
    user.press("Skip")  # the birthday question
    return user.press("✅ Confirm")


def test_a_client_books_a_service_with_a_named_specialist_and_the_card_names_everything(
        ann_cab, ultrasound, anna):
    calls = book(ann_cab, who="👩‍⚕️ Анна Смирнова")
    booking = CabinetBooking.objects.get()
    assert (booking.service, booking.specialist, booking.starts_at, booking.ends_at) == (
        ultrasound, anna, at(TUE, 10), at(TUE, 11))
    assert booking.status == Status.PENDING
    card = said(calls)
    assert f"request {booking.reference} is created" in card
    assert "🩺 УЗИ брюшной полости · 👩‍⚕️ Анна Смирнова" in card
    assert "🚪 Кабинет УЗИ 1" in card


def test_any_specialist_books_the_deterministic_pick_and_shows_it_on_the_card(ann_cab, ultrasound, anna, boris):
    # Анна already has an hour that day, Борис none: "any" is the one with fewer booked minutes.
    appointment_create(service=ultrasound, specialist=anna, starts_at=at(TUE, 14), client_name="Иван Петров",
                       client_phone="89990000001", actor=Actor.system(), channel=Channel.ADMIN, now=NOW)
    calls = book(ann_cab, who="Any specialist", slot="10:00")
    booking = CabinetBooking.objects.exclude(specialist=anna).get()
    assert booking.specialist == boris
    assert "👩‍⚕️ Борис Иванов" in said(calls)


def test_with_any_specialist_a_time_is_offered_when_one_of_them_is_free(ann_cab, ultrasound):
    ann_cab.send("🩺 Book a service")
    ann_cab.press("Диагностика")
    ann_cab.press("УЗИ брюшной полости")
    ann_cab.press("Any specialist")
    ann_cab.press("24")
    labels = ann_cab.labels()
    assert "09:00" in labels  # Анна only
    assert "13:00" in labels  # Анна's lunch, Борис works
    assert "18:00" in labels  # Борис only
    assert "19:00" not in labels  # nobody works the whole hour


def test_a_named_specialist_offers_only_their_own_hours(ann_cab, ultrasound):
    ann_cab.send("🩺 Book a service")
    ann_cab.press("Диагностика")
    ann_cab.press("УЗИ брюшной полости")
    ann_cab.press("👩‍⚕️ Анна Смирнова")
    ann_cab.press("24")
    labels = ann_cab.labels()
    assert "09:00" in labels and "12:00" in labels
    assert "13:00" not in labels and "18:00" not in labels


def test_a_service_whose_equipment_is_out_shows_no_time_that_day(ann_cab, ultrasound):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    MaintenanceWindow.objects.create(item=scanner, units=1, start_date=TUE, end_date=TUE, reason="Поверка",
                                     created_at=NOW)
    ann_cab.send("🩺 Book a service")
    ann_cab.press("Диагностика")
    ann_cab.press("УЗИ брюшной полости")
    ann_cab.press("Any specialist")
    calendar = ann_cab.labels()
    assert "24" not in calendar and "25" in calendar  # the day shows as without free time
    _button, message_id = ann_cab.find("—")
    calls = ann_cab.press_data("w:sday:20261124", message_id)
    assert "no free time for this service on 24.11.2026" in said(calls)


def taken_before_confirm(user, service, who: str, specialist_taken):
    """The user reaches Confirm for 24.11 10:00; meanwhile someone books that hour with `specialist_taken`."""
    choose(user, who=who)
    user.send("Мария Петрова")
    user.share_contact("+79991234567")
    user.press("Skip")  # the birthday question
    appointment_create(service=service, specialist=specialist_taken, starts_at=at(TUE, 10),
                       client_name="Иван Петров", client_phone="89990000001", actor=Actor.system(),
                       channel=Channel.ADMIN, now=NOW)
    return user.press("✅ Confirm")


def test_a_time_taken_meanwhile_offers_the_same_specialists_nearest_times_then_others_and_one_tap_books(
        ann_cab, ultrasound, anna, boris):
    calls = taken_before_confirm(ann_cab, ultrasound, "👩‍⚕️ Анна Смирнова", anna)
    assert "Sorry, that time has just been taken by someone else." in said(calls)
    assert "Free nearby — tap one to book it:" in said(calls)
    assert ann_cab.labels() == [
        "🕐 24.11.2026 09:00–10:00 · Анна Смирнова",  # her nearest times that day first
        "🕐 24.11.2026 11:00–12:00 · Анна Смирнова",
        "🕐 24.11.2026 10:00–11:00 · Борис Иванов",  # then another specialist at the asked time
        "🕐 25.11.2026 09:00–10:00 · Анна Смирнова",  # then the next days
        "🕐 26.11.2026 09:00–10:00 · Анна Смирнова",
        "⬅️ Back", "❌ Cancel"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in calls[-1].buttons)
    calls = ann_cab.press("🕐 24.11.2026 10:00–11:00 · Борис Иванов")
    assert "Please check the request" in said(calls)
    assert "👩‍⚕️ Борис Иванов" in said(calls) and "24.11.2026 10:00" in said(calls)
    ann_cab.press("✅ Confirm")  # the name and phone are kept
    mine = CabinetBooking.objects.get(client_name="Мария Петрова")
    assert (mine.specialist, mine.starts_at, mine.service) == (boris, at(TUE, 10), ultrasound)


def test_with_any_specialist_a_refusal_offers_free_times_and_back_returns_to_the_days_times(
        ann_cab, ultrasound, anna, boris):
    # Борис is booked at 10:00 already, Анна is taken at 10:00 meanwhile: nobody is free at the asked time.
    appointment_create(service=ultrasound, specialist=boris, starts_at=at(TUE, 10), client_name="Ольга",
                       client_phone="89990000002", actor=Actor.system(), channel=Channel.ADMIN, now=NOW)
    calls = taken_before_confirm(ann_cab, ultrasound, "Any specialist", anna)
    assert "Sorry, that time has just been taken by someone else." in said(calls)
    labels = [label for label in ann_cab.labels() if label.startswith("🕐")]
    assert labels[:2] == ["🕐 24.11.2026 09:00–10:00 · Анна Смирнова", "🕐 24.11.2026 11:00–12:00 · Анна Смирнова"]
    calls = ann_cab.press("⬅️ Back")
    assert "Choose the start time" in said(calls)
    assert "10:00" not in ann_cab.labels() and "11:00" in ann_cab.labels()


def test_a_stale_or_gone_alternative_is_refused_and_books_nothing(ann_cab, ultrasound, anna, boris):
    taken_before_confirm(ann_cab, ultrasound, "👩‍⚕️ Анна Смирнова", anna)
    _button, message_id = ann_cab.find("🕐")
    assert "out of date" in said(ann_cab.press_data("w:salt:9", message_id))
    boris.is_active = False
    boris.save()
    calls = ann_cab.press("🕐 24.11.2026 10:00–11:00 · Борис Иванов")
    assert "This specialist is not available for booking." in said(calls)
    assert CabinetBooking.objects.count() == 1


def test_my_bookings_lists_the_appointment_and_cancelling_it_frees_specialist_cabinet_and_equipment(
        ann_cab, ultrasound, anna):
    scanner = factories.ItemFactory(name="Аппарат УЗИ", quantity=1)
    ServiceEquipment.objects.create(service=ultrasound, item=scanner, units=1)
    book(ann_cab, who="👩‍⚕️ Анна Смирнова")
    booking = CabinetBooking.objects.get()
    assert EquipmentBooking.objects.get(cabinet_booking=booking).item == scanner
    calls = ann_cab.send("/my_bookings")
    assert "🩺 УЗИ брюшной полости · 👩‍⚕️ Анна Смирнова" in said(calls)
    ann_cab.press("❌ Cancel")
    calls = ann_cab.press("Yes, cancel it")
    assert f"Booking {booking.reference} is cancelled" in said(calls)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert not EquipmentBooking.objects.filter(status__in=("pending", "approved")).exists()
    # The same specialist, cabinet and equipment can be booked at that time again.
    again = appointment_create(service=ultrasound, specialist=anna, starts_at=at(TUE, 10),
                               client_name="Иван Петров", client_phone="89990000001", actor=Actor.system(),
                               channel=Channel.ADMIN, now=NOW)
    assert again.cabinet == booking.cabinet


def test_the_specialist_is_told_of_a_new_and_of_a_cancelled_appointment(ann_cab, ultrasound, anna, bot_api):
    # Анна has written to the bot in English: she is told in English.
    factories.TelegramAccountFactory(telegram_id=ANNA_TELEGRAM, first_name="Anna", language_code="en")
    book(ann_cab, who="👩‍⚕️ Анна Смирнова")
    booking = CabinetBooking.objects.get()
    told = [call.text for call in bot_api.of("sendMessage", chat_id=ANNA_TELEGRAM)]
    assert len(told) == 1
    assert f"New appointment {booking.reference}" in told[0]
    assert "10:00–11:00 · УЗИ брюшной полости · Кабинет УЗИ 1 · Мария, •••45-67" in told[0]
    assert "+7 999" not in told[0]  # the phone is masked
    ann_cab.send("/my_bookings")
    ann_cab.press("❌ Cancel")
    ann_cab.press("Yes, cancel it")
    told = [call.text for call in bot_api.of("sendMessage", chat_id=ANNA_TELEGRAM)]
    assert len(told) == 2 and f"Appointment {booking.reference} is cancelled" in told[1]
    assert Delivery.objects.filter(chat_id=ANNA_TELEGRAM, bot=Delivery.Bot.CABINET).count() == 2


def test_a_cabinet_booking_without_a_service_tells_no_specialist(ann_cab, rooms, anna, bot_api):
    ann_cab.send("/book")
    ann_cab.press("Кабинет УЗИ 1")
    ann_cab.press("24")
    ann_cab.press("10:00")
    ann_cab.press("30 min")
    ann_cab.send("Мария Петрова")
    ann_cab.share_contact("+79991234567")
    ann_cab.press("Skip")  # the birthday question
    ann_cab.press("✅ Confirm")
    assert CabinetBooking.objects.exists()
    assert not bot_api.of("sendMessage", chat_id=ANNA_TELEGRAM)


def test_schedule_shows_a_specialist_their_today_and_tomorrow(anna_cab, ultrasound, anna, boris):
    for starts_at, person in ((at(TUE, 9), anna), (at(TUE, 10), boris), (at(date(2026, 11, 25), 9), anna)):
        appointment_create(service=ultrasound, specialist=person, starts_at=starts_at, client_name="Иван Петров",
                           client_phone="+79990000001", actor=Actor.system(), channel=Channel.ADMIN, now=NOW)
    text = said(anna_cab.send("/schedule"))
    assert "Today, 23.11.2026:\nno appointments" in text
    assert "Tomorrow, 24.11.2026:\n🔹 09:00–10:00 · УЗИ брюшной полости · Кабинет УЗИ 1 · Иван, •••00-01" in text
    assert "10:00–11:00" not in text  # Борис's
    assert "25.11.2026" not in text


def test_schedule_tells_anyone_else_it_is_for_specialists(ann_cab, ultrasound):
    text = said(ann_cab.send("/schedule"))
    assert "This command is for the clinic's specialists" in text


def test_the_specialist_is_told_when_their_appointment_is_moved(ultrasound, anna, bot_api):
    booking = appointment_create(service=ultrasound, specialist=anna, starts_at=at(TUE, 9),
                                 client_name="Иван Петров", client_phone="+79990000001", actor=Actor.system(),
                                 channel=Channel.ADMIN, now=NOW)
    appointment_move(booking=booking, starts_at=at(TUE, 11), actor=Actor.system(), now=NOW)
    told = [call.text for call in bot_api.of("sendMessage", chat_id=ANNA_TELEGRAM)]
    assert len(told) == 2
    # Анна has never written to the bot: she is told in the clinic's language.
    assert f"Новая запись {booking.reference}" in told[0]
    assert f"Запись {booking.reference} перенесена" in told[1] and "11:00–12:00" in told[1]
