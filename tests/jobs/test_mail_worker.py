"""The whole path of an e-mail with real processes: a booking committed by one process becomes a message that a
real Celery worker sends through Django's SMTP backend (EMAIL_URL) to a real SMTP server on a free port,
with its calendar invitation."""

from __future__ import annotations

import email
from email.policy import default

import icalendar
import pytest

from tests.integrations.mail.smtpserver import SmtpServer
from tests.jobs.processes import Started, environment, manage

pytestmark = pytest.mark.slow

BOOK_FOR_A_CLIENT_WITH_AN_ADDRESS = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from accounts.models import Client
from equipment.models import EquipmentBooking, Item
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel

item = Item.objects.create(name="Аппарат ЭКГ", quantity=2)
staff = get_user_model().objects.create(username="manager", is_staff=True)
client = Client.objects.create(phone="+79991234567", name="Иван Петров", email="ivan.petrov@example.com")
day = timezone.localdate() + timedelta(days=7)
with transaction.atomic():
    booking = equipment_booking_create(item=item, start_date=day, client_name="Иван Петров",
                                       client_phone="+79991234567", actor=Actor.staff(staff),
                                       channel=Channel.ADMIN, now=timezone.now())
    EquipmentBooking.objects.filter(pk=booking.pk).update(client=client)
print("booking", booking.pk, day.isoformat())
"""


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def started():
    processes = Started()
    yield processes
    processes.stop()


def test_a_real_worker_sends_the_booking_mail_to_a_real_smtp_server(tmp_path, smtp_server, started):
    env = environment(tmp_path, bot_api_url="http://127.0.0.1:9", broker="filesystem://")
    env.update({"EMAIL_URL": smtp_server.url, "DEFAULT_FROM_EMAIL": "booking@clinic.example",
                "EQUIPMENT_BOT_TOKEN": "", "CABINET_BOT_TOKEN": ""})
    manage(env, "migrate", "--noinput")
    booked = manage(env, "shell", "-c", BOOK_FOR_A_CLIENT_WITH_AN_ADDRESS).stdout.split()
    booking_id, day = booked[booked.index("booking") + 1], booked[booked.index("booking") + 2]
    assert smtp_server.mailbox.received == []  # the booking process only recorded the message

    started.worker_and_beat(env, tmp_path)

    [message] = smtp_server.mailbox.wait_for(1, timeout=90) or [None]
    assert message is not None, started.logs()
    assert smtp_server.mailbox.envelopes == [("booking@clinic.example", ["ivan.petrov@example.com"])]
    message = email.message_from_bytes(message.as_bytes(), policy=default)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    [event] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["UID"]) == f"equipment-booking-{booking_id}@127.0.0.1"
    assert event.decoded("DTSTART").isoformat() == day and str(event["STATUS"]) == "CONFIRMED"
    assert str(message["Subject"]).strip().startswith(f"Бронь E-{booking_id} подтверждена")
    shown = manage(env, "shell", "-c", "from integrations.mail.models import MailMessage; "
                                       "print(list(MailMessage.objects.values_list('status', 'attempts')))")
    assert "[('sent', 1)]" in shown.stdout
