"""E-mails reach a real SMTP server as mail programs expect an invitation; an address the server refuses for
good is marked bounced and never written to again; a temporary failure is retried with backoff until the
message goes out or becomes a dead letter, which an operator can retry; no log line names the client."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from accounts.models import Client
from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from integrations.mail.delivery import mail_messages_retry
from integrations.mail.models import Invite, MailMessage
from integrations.mail.tasks import mail_messages_send_task
from integrations.purge import purge_expired
from kernel import metrics
from kernel.channels import Actor, Channel
from tests.clock import NOW, at
from tests.integrations.mail.conftest import ADDRESS, booked_for, received, send_due
from tests.integrations.mail.smtpserver import free_port

pytestmark = pytest.mark.django_db(transaction=True)

Status = MailMessage.Status
BOUNCE = "550 5.1.1 <ivan.petrov@example.com>: Recipient address rejected: User unknown"
LATER = "451 4.3.0 Try again later"


def book(cabinet, staff, client, hour=10):
    return booked_for(client, lambda: cabinet_booking_create(
        cabinet=cabinet, starts_at=at(1, hour), duration_minutes=60, client_name="Иван Петров",
        client_phone="+79991234567", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW))


def test_the_message_is_text_with_the_invitation_beside_it_and_attached(cabinet, staff, ivan, smtp, frozen):
    booking = book(cabinet, staff, ivan)

    assert mail_messages_send_task.apply(args=[list(MailMessage.objects.values_list("pk", flat=True))]).get() == {
        "sent": 1}

    [message] = smtp.received
    assert smtp.envelopes == [("noreply@localhost", [ADDRESS])]
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert [part.get_content_type() for part in alternative.iter_parts()] == ["text/plain", "text/calendar"]
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/ics", "invite.ics")
    mail = received(message)
    assert mail.method == "REQUEST" and str(mail.event["UID"]) == f"cabinet-booking-{booking.pk}@127.0.0.1"
    assert mail.subject == f"Бронь C-{booking.pk} подтверждена: Кабинет 1, 24.11.2026 10:00–11:00"
    assert message["Auto-Submitted"] == "auto-generated"
    sent = MailMessage.objects.get()
    assert (sent.status, sent.attempts, sent.sent_at) == (Status.SENT, 1, NOW)


def test_an_address_refused_for_good_is_marked_bounced_and_nothing_more_goes_to_it(cabinet, staff, ivan, smtp,
                                                                                     frozen):
    smtp.refuse[ADDRESS] = BOUNCE
    book(cabinet, staff, ivan, hour=10)
    book(cabinet, staff, ivan, hour=15)
    bounces = metrics.MAIL_BOUNCES._value.get()

    assert send_due(NOW) == {"dead": 1, "skipped": 1}  # the second was withdrawn before its turn

    first, second = MailMessage.objects.order_by("pk")
    assert (first.status, first.attempts) == (Status.DEAD, 1)
    assert first.last_error == "recipient refused (550) - the address is marked as bounced"
    assert (second.status, second.attempts, second.last_error) == (Status.CANCELLED, 0, "the address bounced")
    assert Client.objects.get(pk=ivan.pk).email_bounced_at == NOW
    assert metrics.MAIL_BOUNCES._value.get() == bounces + 1
    assert smtp.received == []
    # Later bookings of the client make no message, and retrying the dead letter sends nothing.
    book(cabinet, staff, ivan, hour=17)
    assert MailMessage.objects.count() == 2
    mail_messages_retry(message_ids=[first.pk], now=NOW)
    assert send_due(NOW) == {"dead": 1} and smtp.received == []


def test_a_refusal_of_the_message_itself_with_5xx_is_a_bounce_too(cabinet, staff, ivan, smtp, smtp_server, frozen):
    async def refuse_data(server, session, envelope):
        return "554 5.7.1 Message rejected"

    smtp_server.mailbox.handle_DATA = refuse_data
    book(cabinet, staff, ivan)

    assert send_due(NOW) == {"dead": 1}
    assert MailMessage.objects.get().last_error.startswith("SMTPDataError (554)")
    assert Client.objects.get(pk=ivan.pk).email_bounced_at == NOW


def test_a_temporary_refusal_is_retried_with_backoff_then_becomes_a_dead_letter(cabinet, staff, ivan, smtp,
                                                                                settings, frozen):
    settings.MAIL_MAX_ATTEMPTS, settings.MAIL_BACKOFF_SECONDS = 3, 60
    smtp.refuse[ADDRESS] = LATER
    book(cabinet, staff, ivan)

    assert send_due(NOW) == {"pending": 1}
    message = MailMessage.objects.get()
    assert (message.attempts, message.next_attempt_at) == (1, NOW + timedelta(seconds=60))
    assert message.last_error == "recipient refused (451)"
    assert send_due(NOW + timedelta(seconds=59)) == {}  # not due yet
    assert send_due(NOW + timedelta(seconds=60)) == {"pending": 1}
    message.refresh_from_db()
    assert message.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # 1 min, then 2 min
    assert send_due(NOW + timedelta(seconds=180)) == {"dead": 1}
    assert Client.objects.get(pk=ivan.pk).email_bounced_at is None  # a temporary refusal is no bounce

    # The operator retries the dead letter once the server accepts again.
    del smtp.refuse[ADDRESS]
    assert mail_messages_retry(message_ids=[message.pk], now=NOW + timedelta(hours=1)) == 1
    assert send_due(NOW + timedelta(hours=1)) == {"sent": 1}
    assert len(smtp.received) == 1


def test_a_mail_server_that_is_down_gets_the_message_once_it_is_back(cabinet, staff, ivan, smtp, settings, frozen):
    server_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nothing listens there
    book(cabinet, staff, ivan)

    assert send_due(NOW) == {"pending": 1}
    assert MailMessage.objects.get().last_error == "connection failed (ConnectionRefusedError)"

    settings.EMAIL_PORT = server_port
    assert send_due(NOW + timedelta(minutes=1)) == {"sent": 1}
    assert len(smtp.received) == 1


def test_no_log_line_names_the_clients_address_or_name(cabinet, staff, ivan, smtp, caplog, frozen):
    caplog.set_level(logging.DEBUG)
    book(cabinet, staff, ivan, hour=10)
    send_due(NOW)
    smtp.refuse[ADDRESS] = BOUNCE
    book(cabinet, staff, ivan, hour=15)
    send_due(NOW)

    ours = [record.getMessage() for record in caplog.records
            if record.name.split(".")[0] in ("integrations", "kernel", "booking_site", "celery")]
    assert any("e-mail" in line for line in ours)
    assert [line for line in ours if "ivan" in line.lower() or "Иван" in line or "Петров" in line] == []


def test_the_purge_removes_old_sent_messages_and_the_numbering_of_deleted_bookings(cabinet, staff, ivan, settings,
                                                                                  frozen):
    gone = book(cabinet, staff, ivan, hour=10)
    send_due(NOW)
    kept = book(cabinet, staff, ivan, hour=15)  # still waiting to be sent: never purged
    CabinetBooking.objects.filter(pk=gone.pk).delete()

    counts = purge_expired(now=NOW + timedelta(days=settings.RETENTION_DAYS, seconds=1))

    assert (counts["mail_messages"], counts["calendar_invites"]) == (1, 1)
    assert list(MailMessage.objects.values_list("booking_id", "status")) == [(kept.pk, Status.PENDING)]
    assert list(Invite.objects.values_list("booking_id", flat=True)) == [kept.pk]
