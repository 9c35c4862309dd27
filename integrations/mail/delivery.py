"""E-mail deliveries: the channel that the delivery engine (integrations.outbound.engine: claim, lease, backoff,
dead letter, metrics) sends MailMessage rows through. What is the mail's own is here: the message as mail
programs expect an invitation (the text and a `text/calendar; method=…` part as alternatives, the same .ics
attached), Django's e-mail backend (EMAIL_URL), and what the mail server's answers mean.

A permanent refusal of the address (a 5xx answer, every recipient refused) marks the client's address as
bounced (`Client.email_bounced_at`): the message is a dead letter at once, the address's other waiting
messages are withdrawn and nothing more is rendered for it. A temporary one (a 4xx answer, a connection that
fails or times out) is retried 1 min, 2 min, 4 min … at most an hour apart (MAIL_BACKOFF_SECONDS), a dead
letter after MAIL_MAX_ATTEMPTS. Log lines name messages by id and kind, never by address or name."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Client
from booking_site.logging import bound_request_id
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.mail.models import Invite, MailMessage
from integrations.outbound import engine
from integrations.outbound.engine import ChannelMetrics, Result
from kernel import metrics
from kernel.outbox.models import Event

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
SENDING_LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
Status = MailMessage.Status


def email_of(row: MailMessage) -> EmailMultiAlternatives:
    """The message: its text, the invitation as the text's calendar alternative (what mail programs turn into
    "add to calendar" / "update"), and the same invitation as an invite.ics attachment for the others."""
    message = EmailMultiAlternatives(subject=row.subject, body=row.body, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[row.recipient], headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(row.calendar, f"text/calendar; method={row.method}")
    message.attach("invite.ics", row.calendar.encode(), "application/ics")
    return message


class Refused(Exception):
    """The mail server answered; `code` is its SMTP reply code, `bounce` whether the address is refused for good."""

    def __init__(self, message: str, *, code: int | None = None, bounce: bool = False):
        super().__init__(message)
        self.code, self.bounce = code, bounce


def _send(row: MailMessage, *, timeout: float) -> None:
    """One SMTP conversation (or a file, with the development backend). The server's own words are not kept:
    they often repeat the address."""
    try:
        get_connection(fail_silently=False, timeout=timeout).send_messages([email_of(row)])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _text in exc.recipients.values()})
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        raise Refused(f"recipient refused ({', '.join(map(str, codes))})", code=codes[0] if codes else None,
                      bounce=permanent) from exc
    except (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError,
            smtplib.SMTPHeloError) as exc:
        # The server refuses us (our account, our address, our connection): not the client's address.
        raise Refused(f"{exc.__class__.__name__} ({exc.smtp_code})", code=exc.smtp_code) from exc
    except smtplib.SMTPResponseException as exc:
        raise Refused(f"{exc.__class__.__name__} ({exc.smtp_code})", code=exc.smtp_code,
                      bounce=500 <= exc.smtp_code < 600) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise Refused(f"connection failed ({exc.__class__.__name__})") from exc


def address_bounced(row: MailMessage, *, now: datetime) -> None:
    """The address is refused for good: mark the client's address (when it is still theirs) and withdraw the
    messages still waiting for it."""
    if row.client_id is not None:
        Client.objects.filter(pk=row.client_id, email__iexact=row.recipient, email_bounced_at__isnull=True).update(
            email_bounced_at=now)
    MailMessage.objects.filter(recipient__iexact=row.recipient, status=Status.PENDING).exclude(pk=row.pk).update(
        status=Status.CANCELLED, last_error="the address bounced")
    metrics.MAIL_BOUNCES.inc()


class MailChannel(engine.Channel):
    """E-mails to clients: retried with backoff from MAIL_BACKOFF_SECONDS (at most an hour apart), a dead
    letter after MAIL_MAX_ATTEMPTS, or at once when the address bounces."""

    name = "mail"
    model = MailMessage
    lock_name = "mail"
    done_status = Status.SENT
    done_at_field = "sent_at"
    lease = SENDING_LEASE
    max_backoff = MAX_BACKOFF
    logger = logger
    metrics = ChannelMetrics(attempts=metrics.MAIL_ATTEMPTS, dead_letters=metrics.MAIL_DEAD_LETTERS,
                             pending=metrics.MAIL_PENDING)

    def send(self, row: MailMessage, *, now: datetime, timeout: float) -> Result:
        client = row.client
        if client is not None and client.email_bounced_at and client.email.lower() == row.recipient.lower():
            return Result.refused("the address bounced before; not sent")
        try:
            _send(row, timeout=timeout)
        except Refused as refused:
            if refused.bounce:
                address_bounced(row, now=now)
                return Result.refused(f"{refused} - the address is marked as bounced")
            return Result.retry(str(refused))
        return Result.delivered()

    def backoff_base_seconds(self) -> float:
        return settings.MAIL_BACKOFF_SECONDS

    def max_attempts(self) -> int:
        return settings.MAIL_MAX_ATTEMPTS

    def load(self, pk: int) -> MailMessage:
        # The request id of the event behind the message, so its log lines name the request that caused it.
        request_id = Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("request_id")[:1])
        return MailMessage.objects.select_related("client").annotate(request_id=request_id).get(pk=pk)

    def describe(self, row: MailMessage) -> str:
        return f"e-mail {row.pk} ({row.kind}, {row.resource_type} booking {row.booking_id})"

    def log_context(self, row: MailMessage):
        return bound_request_id(row.request_id or "")


MAIL = MailChannel()


def mail_message_attempt(message_id: int, *, now: datetime, timeout: float = TIMEOUT_SECONDS) -> str:
    """Try once if due. Returns "sent", "pending" (will be retried), "dead" or "skipped" (not due)."""
    return engine.attempt(MAIL, message_id, now=now, timeout=timeout).status


def mail_messages_send_due(*, now: datetime, budget_seconds: float = 50.0, batch: int = 200,
                           timeout: float = TIMEOUT_SECONDS) -> dict[str, int]:
    """Attempt the messages due at `now`, oldest first, for about `budget_seconds`. Counts per outcome."""
    return engine.send_due(MAIL, clock=lambda: now, timeout=timeout, budget_seconds=budget_seconds, batch=batch)


def mail_messages_retry(*, message_ids: Iterable[int], now: datetime) -> int:
    """Dead letters get a fresh set of attempts, the first one due now (an address that bounced stays
    refused until the client's address is corrected)."""
    return engine.revive(MAIL, message_ids, now=now)


def done_expired(now: datetime) -> QuerySet:
    """Sent and withdrawn messages older than RETENTION_DAYS, for the retention purge."""
    return MailMessage.objects.filter(status__in=[Status.SENT, Status.CANCELLED],
                                      created_at__lt=now - timedelta(days=settings.RETENTION_DAYS))


def invites_of_deleted_bookings(now: datetime) -> QuerySet:
    """Invitation sequences of bookings that no longer exist (the purge deleted them)."""
    gone = [Invite.objects.filter(resource_type=resource_type).exclude(booking_id__in=model.objects.values("pk"))
            for resource_type, model in (("equipment", EquipmentBooking), ("cabinet", CabinetBooking))]
    return gone[0] | gone[1]


def refresh_gauges() -> None:
    engine.refresh_dead_letter_gauge(MAIL)
    engine.refresh_pending_gauge(MAIL)
