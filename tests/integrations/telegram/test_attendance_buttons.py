"""Attendance in the bots: the reminder's "I will come" and the manager's no-show button, through the webhooks and the
fake Bot API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cabinets.models import CabinetBooking, CabinetOccupancy
from cabinets.services import cabinet_booking_approve, cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_approve, equipment_booking_create
from integrations.delivery import delivery_attempt
from integrations.reminders import reminders_send_due
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from tests.clock import at
from tests.conftest import NOW
from tests.factories import CabinetFactory, ItemFactory, StaffUserFactory, TelegramAccountFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)

WEDNESDAY = date(2026, 11, 25)


@pytest.fixture
def client_account(transactional_db):
    return TelegramAccountFactory(telegram_id=1001, username="user1001", first_name="Ann", language_code="en")


@pytest.fixture
def staff_user(transactional_db):
    return StaffUserFactory(username="desk")


@pytest.fixture
def visit(client_account, staff_user):
    """Ann's approved cabinet booking on Wednesday 11:00–12:00, with one ECG."""
    room = with_week(CabinetFactory(name="Кабинет 3"))
    ecg = ItemFactory(name="ЭКГ аппарат", quantity=1)
    booking = cabinet_booking_create(
        cabinet=room, starts_at=at(WEDNESDAY, 11), duration_minutes=60, client_name="Anna Smirnova",
        client_phone="+79991234567", actor=Actor.telegram(client_account), channel=Channel.BOT, now=NOW,
        equipment=[(ecg, 1)])
    return cabinet_booking_approve(booking=booking, actor=Actor.staff(staff_user), now=NOW)


def remind(moment):
    for delivery_id in reminders_send_due(now=moment):
        assert delivery_attempt(delivery_id, now=moment) == "sent"


def test_the_reminder_asks_i_will_come_and_records_the_answer(ann, visit, bot_api):
    remind(at(WEDNESDAY, 11) - timedelta(hours=24))
    client = ann.on("cabinet")
    assert client.labels() == ["✅ I will come", "Cancel"]

    calls = client.press("✅ I will come")
    assert "Thank you! We are expecting you." in said(calls)
    visit.refresh_from_db()
    assert visit.client_confirmed_at == NOW and visit.status == Status.APPROVED
    # Pressing again changes nothing and says so politely.
    client.press("Cancel")
    assert "Cancel this booking?" in client.last_text()


def test_someone_else_cannot_answer_for_the_client(user_factory, visit, bot_api):
    stranger = user_factory(1009, bot="cabinet", first_name="Eve")
    calls = stranger.press_data(f"cab:come:{visit.pk}", 5)
    assert "Booking not found." in said(calls)
    visit.refresh_from_db()
    assert visit.client_confirmed_at is None


def test_the_managers_schedule_shows_the_answer_and_offers_no_show_after_the_start(
        ann, boss, visit, bot_api, clock):
    remind(at(WEDNESDAY, 11) - timedelta(hours=24))
    ann.on("cabinet").press("✅ I will come")
    manager = boss.on("cabinet")

    clock.move_to(at(WEDNESDAY, 10, 30), tick=False)
    before = said(manager.send("/today"))
    assert f"{visit.reference}" in before and "✔ confirmed 23.11 10:00" in before
    assert not any(label.startswith("🚷") for label in manager.labels())
    early = manager.press_data(f"cab:ns:{visit.pk}", 7)
    assert "has not started yet" in said(early)

    clock.move_to(at(WEDNESDAY, 11, 20), tick=False)
    manager.send("/today")
    assert manager.labels() == [f"🚷 No-show {visit.reference}"]
    calls = manager.press(f"🚷 No-show {visit.reference}")
    assert f"Booking {visit.reference} is marked as a no-show." in said(calls)

    visit.refresh_from_db()
    assert visit.status == Status.NO_SHOW
    assert list(EquipmentBooking.objects.filter(cabinet_booking=visit).values_list("status", flat=True)) == [
        Status.NO_SHOW]
    assert not CabinetOccupancy.objects.filter(booking=visit).exists()
    assert Event.objects.filter(topic="booking.no_show", resource_type="cabinet", booking_id=visit.pk).count() == 1
    # It is in the schedule still, marked.
    assert "🚷" in said(manager.send("/today"))


def test_a_client_cannot_mark_a_no_show(ann, visit, bot_api, clock):
    clock.move_to(at(WEDNESDAY, 11, 20), tick=False)
    calls = ann.on("cabinet").press_data(f"cab:ns:{visit.pk}", 3)
    assert "only managers" in said(calls)
    assert CabinetBooking.objects.get(pk=visit.pk).status == Status.APPROVED


def test_equipment_bookings_take_the_same_answers_in_the_equipment_bot(
        ann, boss, client_account, staff_user, bot_api, clock, settings):
    settings.EQUIPMENT_DAY_STARTS = "09:00"
    ecg = ItemFactory(name="Холтер", quantity=1)
    booking = equipment_booking_create(item=ecg, start_date=WEDNESDAY, client_name="Anna Smirnova",
                                       client_phone="+79991234567", actor=Actor.telegram(client_account),
                                       channel=Channel.BOT, now=NOW)
    equipment_booking_approve(booking=booking, actor=Actor.staff(staff_user), now=NOW)
    remind(at(WEDNESDAY, 9) - timedelta(hours=24))
    assert ann.labels() == ["✅ I will come", "Cancel"]
    ann.press("✅ I will come")
    booking.refresh_from_db()
    assert booking.client_confirmed_at == NOW

    clock.move_to(at(WEDNESDAY, 8, 59), tick=False)
    boss.send("/today")
    assert not any(label.startswith("🚷") for label in boss.labels())
    clock.move_to(at(WEDNESDAY, 9, 1), tick=False)
    boss.send("/today")
    boss.press(f"🚷 No-show {booking.reference}")
    booking.refresh_from_db()
    assert booking.status == Status.NO_SHOW


def test_texts_are_russian_by_default(user_factory, visit, bot_api, client_account):
    client_account.language_code = "ru"
    client_account.save(update_fields=["language_code"])
    remind(at(WEDNESDAY, 11) - timedelta(hours=24))
    russian = user_factory(1001, bot="cabinet", first_name="Ann", language="ru")
    assert russian.labels() == ["✅ Я приду", "Отменить"]
    assert "Спасибо" in said(russian.press("✅ Я приду"))
