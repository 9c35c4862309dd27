"""An approved booking's client is reminded by e-mail REMINDER_HOURS_BEFORE it starts, once, with the booking's
invitation unchanged; not when the booking was cancelled, when their Telegram reminders are off, or for a
request still waiting for a decision; a moved booking is reminded of its new time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cabinets.services import cabinet_booking_cancel, cabinet_booking_create, cabinet_booking_move
from equipment.services import equipment_booking_create
from integrations.mail.models import MailMessage
from integrations.mail.reminders import mail_reminders_queue
from kernel.channels import Actor, Channel
from tests import factories
from tests.clock import NOW, at
from tests.integrations.mail.conftest import booked_for, client_record, outbox, send_due

pytestmark = pytest.mark.django_db(transaction=True)

REMINDER = MailMessage.Kind.REMINDER


def cabinet_booking(cabinet, actor, client, *, starts_at=None):
    return booked_for(client, lambda: cabinet_booking_create(
        cabinet=cabinet, starts_at=starts_at or at(2, 10), duration_minutes=60, client_name="Иван Петров",
        client_phone="+79991234567", actor=actor, channel=Channel.ADMIN, now=NOW))


def reminders():
    return MailMessage.objects.filter(kind=REMINDER).order_by("pk")


def test_an_approved_booking_is_reminded_once_with_its_invitation_unchanged(cabinet, staff, ivan, frozen):
    booking = cabinet_booking(cabinet, Actor.staff(staff), ivan)

    assert mail_reminders_queue(now=at(1, 9, 55)) == []  # not yet: 24 h before is 10:00
    assert len(mail_reminders_queue(now=at(1, 10))) == 1
    assert mail_reminders_queue(now=at(1, 10, 5)) == []  # the next sweep finds it recorded

    send_due(at(1, 10))
    confirmed, reminded = outbox()
    assert reminded.subject == f"Напоминание: Кабинет 1, 25.11.2026 10:00–11:00 (бронь C-{booking.pk})"
    assert reminded.text.startswith(f"Здравствуйте, Иван Петров!\n\nНапоминаем о вашей брони C-{booking.pk}.")
    assert reminded.method == "REQUEST"
    assert reminded.event["UID"] == confirmed.event["UID"]
    assert reminded.event["SEQUENCE"] == confirmed.event["SEQUENCE"]  # nothing changed


def test_a_whole_day_booking_is_reminded_before_its_day_starts(item, staff, ivan, frozen):
    booked_for(ivan, lambda: equipment_booking_create(
        item=item, start_date=at(2, 0).date(), client_name="Иван Петров", client_phone="+79991234567",
        actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))

    assert mail_reminders_queue(now=at(1, 8, 55)) == []
    assert len(mail_reminders_queue(now=at(1, 9))) == 1  # EQUIPMENT_DAY_STARTS, 24 h ahead


def test_a_reminder_not_yet_sent_is_withdrawn_when_the_booking_is_cancelled(cabinet, staff, ivan, frozen):
    booking = cabinet_booking(cabinet, Actor.staff(staff), ivan)
    mail_reminders_queue(now=at(1, 10))

    cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=at(1, 10))

    assert list(reminders().values_list("status", flat=True)) == [MailMessage.Status.CANCELLED]
    assert mail_reminders_queue(now=at(1, 10, 5)) == []


def test_a_moved_booking_is_reminded_of_its_new_time(cabinet, staff, ivan, frozen):
    booking = cabinet_booking(cabinet, Actor.staff(staff), ivan)
    mail_reminders_queue(now=at(1, 10))
    cabinet_booking_move(booking=booking, starts_at=at(2, 16), actor=Actor.staff(staff), now=at(1, 10, 1))

    assert len(mail_reminders_queue(now=at(1, 16))) == 1
    assert list(reminders().values_list("status", flat=True)) == [MailMessage.Status.CANCELLED,
                                                                  MailMessage.Status.PENDING]
    assert "25.11.2026 16:00–17:00" in reminders().last().subject


def test_no_reminder_for_a_request_a_client_with_reminders_off_or_a_booking_made_too_late(cabinet, staff, alice,
                                                                                         frozen):
    cabinet_booking(cabinet, Actor.telegram(alice), client_record(phone="+79990000001"), starts_at=at(2, 10))
    quiet = client_record(email_address="quiet@example.com", phone="+79990000002",
                          account=factories.TelegramAccountFactory(telegram_id=3004, reminders_enabled=False))
    cabinet_booking(cabinet, Actor.staff(staff), quiet, starts_at=at(2, 12))
    late = client_record(email_address="late@example.com", phone="+79990000003")
    booked_for(late, lambda: cabinet_booking_create(
        cabinet=cabinet, starts_at=at(2, 15), duration_minutes=60, client_name="Опоздавший Клиент",
        client_phone="+79990000003", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=at(1, 16)))  # made after its reminder time: its confirmation was the reminder

    assert mail_reminders_queue(now=at(1, 16) + timedelta(minutes=1)) == []


def test_the_reminder_comes_24_real_hours_ahead_across_a_dst_change(staff, ivan, settings, frozen):
    """Berlin moves its clocks forward at 02:00 on 28 March 2027: 24 hours before 12:00 that Sunday is 11:00
    on Saturday."""
    settings.TIME_ZONE, settings.CABINET_MAX_ADVANCE_DAYS = "Europe/Berlin", 200
    berlin = ZoneInfo("Europe/Berlin")
    room = factories.with_week(factories.CabinetFactory(name="Raum 1"))
    cabinet_booking(room, Actor.staff(staff), ivan, starts_at=datetime(2027, 3, 28, 12, tzinfo=berlin))

    assert mail_reminders_queue(now=datetime(2027, 3, 27, 10, 59, tzinfo=berlin)) == []
    assert len(mail_reminders_queue(now=datetime(2027, 3, 27, 11, 0, tzinfo=berlin))) == 1
