"""A client with an address gets an e-mail when their booking is made, approved, moved, cancelled or rejected,
in their language, each with the booking's calendar invitation: one event that calendar programs update in
place (same UID, a SEQUENCE raised by every change) and remove when it is cancelled (METHOD:CANCEL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Client
from cabinets.services import cabinet_booking_cancel, cabinet_booking_create, cabinet_booking_move
from equipment.services import (
    equipment_booking_approve,
    equipment_booking_cancel,
    equipment_booking_create,
    equipment_booking_move,
    equipment_booking_reject,
)
from integrations.mail.consumer import mail_events_consume
from integrations.mail.models import Invite, MailMessage
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from kernel.outbox.services import events_dispatch, register_consumer, unregister_consumer
from specialists.models import Service
from specialists.services import appointment_create, appointment_move
from tests import factories
from tests.clock import NOW, at
from tests.integrations.mail.conftest import ADDRESS, booked_for, client_record, outbox, send_due
from tests.specialists.conftest import specialist

# The messages are made right after the booking commits; the one read that finds the events worth a message is
# written differently by each database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_databases]


def cabinet_booking(cabinet, staff, client, *, day=1, hour=10):
    return booked_for(client, lambda: cabinet_booking_create(
        cabinet=cabinet, starts_at=at(day, hour), duration_minutes=60, client_name="Иван Петров",
        client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))


def equipment_request(item, account, client, *, start=date(2026, 12, 1), end=date(2026, 12, 2)):
    return booked_for(client, lambda: equipment_booking_create(
        item=item, start_date=start, end_date=end, units=2, client_name="Иван Петров", client_phone="+79991234567",
        actor=Actor.telegram(account), channel=Channel.BOT, now=NOW))


def test_a_booking_made_moved_and_cancelled_is_one_calendar_event_updated_then_cancelled(
        cabinet, staff, ivan, frozen):
    booking = cabinet_booking(cabinet, staff, ivan)
    cabinet_booking_move(booking=booking, starts_at=at(2, 15), actor=Actor.staff(staff), now=NOW)
    cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW, reason="Кабинет на ремонте")

    assert send_due(NOW) == {"sent": 3}
    made, moved, cancelled = outbox()
    assert [m.message["To"] for m in (made, moved, cancelled)] == [ADDRESS] * 3
    assert [m.method for m in (made, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [str(m.calendar["METHOD"]) for m in (made, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {str(m.event["UID"]) for m in (made, moved, cancelled)}
    assert uids == {f"cabinet-booking-{booking.pk}@127.0.0.1"}
    sequences = [int(m.event["SEQUENCE"]) for m in (made, moved, cancelled)]
    assert sequences == sorted(set(sequences)) and sequences[0] == 0
    assert [str(m.event["STATUS"]) for m in (made, moved, cancelled)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    # Times in the clinic's zone, described by a VTIMEZONE.
    assert made.event.decoded("DTSTART") == at(1, 10) and moved.event.decoded("DTSTART") == at(2, 15)
    assert str(made.event["DTSTART"].params["TZID"]) == "Europe/Moscow"
    assert [tz["TZID"] for tz in made.calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    assert str(made.event["ORGANIZER"]) == "mailto:noreply@localhost"
    assert str(made.event["ATTENDEE"]) == f"mailto:{ADDRESS}"
    # The attachment is the same invitation, for mail programs that read only attachments.
    assert moved.attachment.decode().splitlines() == moved.raw.splitlines()
    assert cancelled.attachment.decode().splitlines() == cancelled.raw.splitlines()
    assert "Кабинет на ремонте" in cancelled.text
    assert [m.subject.split(":")[0] for m in (made, moved, cancelled)] == [
        f"Бронь C-{booking.pk} подтверждена", f"Бронь C-{booking.pk} перенесена", f"Бронь C-{booking.pk} отменена"]


def test_the_sequence_is_stored_and_keeps_rising_whatever_the_history_holds(cabinet, staff, ivan, frozen):
    booking = cabinet_booking(cabinet, staff, ivan)
    booking.history.all().delete()  # the history of a booking may be gone; its invitations' numbering is not
    cabinet_booking_move(booking=booking, starts_at=at(2, 15), actor=Actor.staff(staff), now=NOW)

    assert list(MailMessage.objects.order_by("pk").values_list("sequence", flat=True)) == [0, 1]
    assert Invite.objects.get(resource_type="cabinet", booking_id=booking.pk).sequence == 1


def test_a_whole_day_equipment_request_is_an_all_day_event_tentative_until_approved(item, alice, staff, ivan, frozen):
    booking = equipment_request(item, alice, ivan)
    equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    equipment_booking_move(booking=booking, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3),
                           actor=Actor.staff(staff), now=NOW)
    equipment_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW)

    send_due(NOW)
    received, approved, moved, cancelled = outbox()
    assert [m.method for m in (received, approved, moved, cancelled)] == ["REQUEST"] * 3 + ["CANCEL"]
    assert [str(m.event["STATUS"]) for m in (received, approved, moved, cancelled)] == [
        "TENTATIVE", "CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [int(m.event["SEQUENCE"]) for m in (received, approved, moved, cancelled)] == [0, 1, 2, 3]
    # DATE values: the first day, and the day after the last (DTEND is exclusive).
    assert received.event.decoded("DTSTART") == date(2026, 12, 1)
    assert received.event.decoded("DTEND") == date(2026, 12, 3)
    assert moved.event.decoded("DTSTART") == date(2026, 12, 3) and moved.event.decoded("DTEND") == date(2026, 12, 4)
    assert len({str(m.event["UID"]) for m in (received, approved, moved, cancelled)}) == 1
    assert "Аппарат УЗИ × 2" in received.text and "01.12.2026 – 02.12.2026" in received.text
    assert received.subject.startswith(f"Заявка E-{booking.pk} принята")


def test_a_rejected_request_cancels_its_tentative_event(item, alice, staff, ivan, frozen):
    booking = equipment_request(item, alice, ivan)
    equipment_booking_reject(booking=booking, actor=Actor.staff(staff), now=NOW, reason="Аппарат занят")

    send_due(NOW)
    received, rejected = outbox()
    assert (received.method, rejected.method) == ("REQUEST", "CANCEL")
    assert str(rejected.event["STATUS"]) == "CANCELLED"
    assert int(rejected.event["SEQUENCE"]) > int(received.event["SEQUENCE"])
    assert "Аппарат занят" in rejected.text


def test_an_appointment_names_its_service_and_specialist(staff, ivan, frozen):
    room = factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"), lunch=None)
    anna = specialist("Анна Смирнова", {weekday: [(time(9), time(18))] for weekday in range(5)})
    service = Service.objects.create(name="УЗИ брюшной полости", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([anna])
    service.cabinets.set([room])
    booking = booked_for(ivan, lambda: appointment_create(
        service=service, starts_at=at(1, 11), client_name="Иван Петров", client_phone="+79991234567",
        actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))
    appointment_move(booking=booking, starts_at=at(1, 15), actor=Actor.staff(staff), now=NOW)

    send_due(NOW)
    made, moved = outbox()
    assert str(made.event["SUMMARY"]) == f"УЗИ брюшной полости (Анна Смирнова), C-{booking.pk}"
    assert "Специалист: Анна Смирнова" in made.text and "Кабинет: Кабинет УЗИ" in made.text
    assert made.subject.endswith("УЗИ брюшной полости, 24.11.2026 11:00–12:00")
    assert moved.event.decoded("DTSTART") == at(1, 15)
    assert int(moved.event["SEQUENCE"]) == int(made.event["SEQUENCE"]) + 1


def test_the_message_is_in_the_language_of_the_clients_telegram_account(cabinet, staff, frozen):
    english = client_record(email_address="ann@example.com", name="Ann Lee", phone="+79990001122",
                            account=factories.TelegramAccountFactory(telegram_id=3003, language_code="en-GB"))
    booking = cabinet_booking(cabinet, staff, english)

    send_due(NOW)
    [made] = outbox()
    assert made.subject == f"Booking C-{booking.pk} confirmed: Кабинет 1, 24.11.2026 10:00–11:00"
    assert made.text.startswith("Hello, Иван Петров!\n\nYour booking")
    assert "When: 24.11.2026 10:00–11:00" in made.text
    assert "Clinic booking" in str(made.event["ORGANIZER"].params["CN"])
    assert MailMessage.objects.get().language == "en"


def test_without_a_telegram_account_the_message_is_in_the_clinics_language(cabinet, staff, ivan, settings, frozen):
    settings.LANGUAGE_CODE = "en"
    cabinet_booking(cabinet, staff, ivan)

    send_due(NOW)
    [made] = outbox()
    assert made.subject.startswith("Booking C-")


def test_no_message_without_a_client_an_address_or_for_an_address_that_bounced(cabinet, staff, frozen):
    no_address = client_record(email_address="", phone="+79990000001")
    bounced = client_record(email_address="gone@example.com", phone="+79990000002")
    Client.objects.filter(pk=bounced.pk).update(email_bounced_at=NOW - timedelta(days=1))
    cabinet_booking_create(cabinet=cabinet, starts_at=at(1, 10), duration_minutes=60, client_name="Иван Петров",
                           client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    cabinet_booking(cabinet, staff, no_address, hour=12)
    cabinet_booking(cabinet, staff, bounced, hour=15)

    assert MailMessage.objects.count() == 0
    assert send_due(NOW) == {} and outbox() == []


def test_a_booking_cancelled_before_its_messages_were_made_is_only_told_of_the_cancellation(
        cabinet, staff, ivan, frozen):
    unregister_consumer(mail_events_consume)  # the web process died right after commit
    try:
        booking = cabinet_booking(cabinet, staff, ivan)
        cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW)
    finally:
        register_consumer(mail_events_consume)
    events_dispatch(list(Event.objects.values_list("pk", flat=True)))  # handed over again later

    assert list(MailMessage.objects.values_list("kind", "method")) == [("cancelled", "CANCEL")]


def test_rendering_an_event_twice_makes_one_message(cabinet, staff, ivan, frozen):
    cabinet_booking(cabinet, staff, ivan)
    events_dispatch(list(Event.objects.values_list("pk", flat=True)))

    assert MailMessage.objects.count() == 1
    assert Invite.objects.get().sequence == 0


def test_attached_equipment_is_told_of_with_its_cabinet_booking(cabinet, staff, ivan, item, frozen):
    booked_for(ivan, lambda: cabinet_booking_create(
        cabinet=cabinet, starts_at=at(1, 10), duration_minutes=60, client_name="Иван Петров",
        client_phone="+79991234567", equipment=[(item, 1)], actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW))

    send_due(NOW)
    [made] = outbox()
    assert "Оборудование: Аппарат УЗИ" in made.text


def test_the_clinic_organises_the_event_under_the_name_and_address_it_sends_from(cabinet, staff, ivan, settings,
                                                                                 frozen):
    settings.DEFAULT_FROM_EMAIL = "Клиника «Здоровье» <booking@clinic.example.com>"
    cabinet_booking(cabinet, staff, ivan)

    send_due(NOW)
    [made] = outbox()
    organizer = made.event["ORGANIZER"]
    assert (str(organizer), str(organizer.params["CN"])) == ("mailto:booking@clinic.example.com", "Клиника «Здоровье»")
    assert made.message["From"].addresses[0].addr_spec == "booking@clinic.example.com"


def test_an_invitation_keeps_clinic_time_on_both_sides_of_a_dst_change(staff, ivan, settings, frozen):
    """Berlin moves its clocks on 28 March 2027: 10:00 is 09:00 UTC before and 08:00 UTC after."""
    settings.TIME_ZONE, settings.CABINET_MAX_ADVANCE_DAYS = "Europe/Berlin", 200
    berlin = ZoneInfo("Europe/Berlin")
    room = factories.with_week(factories.CabinetFactory(name="Raum 1"))
    booking = booked_for(ivan, lambda: cabinet_booking_create(
        cabinet=room, starts_at=datetime(2027, 3, 26, 10, tzinfo=berlin), duration_minutes=60,
        client_name="Иван Петров", client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN,
        now=NOW))
    cabinet_booking_move(booking=booking, starts_at=datetime(2027, 3, 29, 10, tzinfo=berlin),
                         actor=Actor.staff(staff), now=NOW)

    send_due(NOW)
    made, moved = outbox()
    assert [str(m.event["DTSTART"].params["TZID"]) for m in (made, moved)] == ["Europe/Berlin"] * 2
    assert "DTSTART;TZID=Europe/Berlin:20270326T100000" in made.raw
    assert "DTSTART;TZID=Europe/Berlin:20270329T100000" in moved.raw
    assert made.event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 26, 9, tzinfo=UTC)
    assert moved.event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 29, 8, tzinfo=UTC)
    offsets = {(part.name, part.decoded("TZOFFSETTO")) for part in moved.calendar.walk("VTIMEZONE")[0].subcomponents}
    assert ("STANDARD", timedelta(hours=1)) in offsets and ("DAYLIGHT", timedelta(hours=2)) in offsets
    assert "29.03.2027 10:00–11:00" in moved.text
