"""The e-mail cast: Иван, a client with an address (and no Telegram account unless a test gives him one), an
item and a cabinet to book, bookings made the way the product makes them with their client set in the same
transaction, a real SMTP server on a free port, and the messages as a mail program receives them."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default

import icalendar
import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Client
from integrations.mail.delivery import mail_messages_send_due
from tests import factories
from tests.integrations.mail.smtpserver import SmtpServer

ADDRESS = "ivan.petrov@example.com"


def client_record(*, email_address: str = ADDRESS, name: str = "Иван Петров", phone: str = "+79991234567",
                  account=None) -> Client:
    return Client.objects.create(phone=phone, name=name, email=email_address, telegram_account=account)


@pytest.fixture
def ivan(db):
    return client_record()


@pytest.fixture
def item(db):
    return factories.ItemFactory(name="Аппарат УЗИ", quantity=3)


def booked_for(client, make):
    """A booking made by `make()` with its client set in the same transaction, as every door sets it."""
    with transaction.atomic():
        booking = make()
        type(booking).objects.filter(pk=booking.pk).update(client=client)
        booking.client = client
    return booking


@dataclass
class Received:
    """One e-mail as a mail program sees it, with its calendar part parsed."""

    message: EmailMessage
    method: str  # the `method` parameter of the text/calendar part
    raw: str  # the text/calendar part as sent
    calendar: icalendar.Calendar

    @property
    def event(self) -> icalendar.Event:
        [event] = self.calendar.walk("VEVENT")
        return event

    @property
    def subject(self) -> str:
        # Django folds a non-ASCII subject right after "Subject:"; mail programs drop that leading space.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def attachment(self) -> bytes:
        [part] = [p for p in self.message.iter_attachments() if p.get_filename() == "invite.ics"]
        return part.get_content()


def received(message: EmailMessage) -> Received:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    raw = part.get_content()
    return Received(message, part.get_param("method"), raw, icalendar.Calendar.from_ical(raw))


def outbox() -> list[Received]:
    """What the test backend (locmem) was given, each message serialised and read back as MIME."""
    return [received(email.message_from_bytes(m.message().as_bytes(), policy=default)) for m in mail.outbox]


def send_due(at):
    """The worker's sweep, at `at`."""
    return mail_messages_send_due(now=at, budget_seconds=10)


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """Django's SMTP backend pointed at the local server; its mailbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server.mailbox
