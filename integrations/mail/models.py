"""E-mail state: the messages with their retry state, and the calendar event each booking's messages update."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Invite(models.Model):
    """The calendar event of one booking as its e-mails describe it: the same UID in every message, and a
    SEQUENCE raised on every change, so calendar programs update their copy in place (RFC 5546). Kept apart
    from the messages, which the retention purge deletes, so the sequence never goes back."""

    resource_type = models.CharField(_("resource type"), max_length=20)
    booking_id = models.BigIntegerField(_("booking id"))
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("calendar invitation")
        verbose_name_plural = _("calendar invitations")
        constraints = [models.UniqueConstraint(fields=["resource_type", "booking_id"], name="mail_invite_per_booking")]

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.booking_id} #{self.sequence}"


class MailMessage(models.Model):
    """One e-mail to one client with its retry state. Rendered once (subject, text, invitation), so every
    attempt sends the same message; the dedupe key (event and client, or reminder and start) makes creating
    it twice harmless."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead letter")
        CANCELLED = "cancelled", _("Withdrawn")

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Request received")
        CONFIRMED = "confirmed", _("Booking confirmed")
        MOVED = "moved", _("Booking moved")
        CANCELLED = "cancelled", _("Booking cancelled")
        REJECTED = "rejected", _("Request rejected")
        EXPIRED = "expired", _("Request not decided in time")
        REMINDER = "reminder", _("Reminder")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    recipient = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    resource_type = models.CharField(_("resource type"), max_length=20)
    booking_id = models.BigIntegerField(_("booking id"))
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    calendar = models.TextField(_("calendar invitation"))
    method = models.CharField(_("invitation method"), max_length=10)  # REQUEST | CANCEL
    sequence = models.PositiveIntegerField(_("sequence"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["resource_type", "booking_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.resource_type}:{self.booking_id} ({self.status})"
