"""Integration state lives here; the domain apps know nothing of it."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One outbound Telegram call (a message or a document) with its retry state.

    Deliveries are created from outbox events and jobs, attempted right after commit by the web process,
    and retried by the worker until sent or dead. The dedupe key makes creating one twice harmless."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Dead letter")
        CANCELLED = "cancelled", _("Cancelled")

    class Bot(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment bot")
        CABINET = "cabinet", _("Cabinet bot")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    bot = models.CharField(_("bot"), max_length=16, choices=Bot.choices)
    chat_id = models.BigIntegerField(_("chat id"))
    method = models.CharField(_("method"), max_length=32, default="sendMessage")
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram delivery")
        verbose_name_plural = _("Telegram deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.bot} {self.method} → {self.chat_id} ({self.status})"


class Dialog(models.Model):
    """Where one user stands in a bot's dialog in one chat, and what they have chosen so far.

    Kept in the database so that any web process can serve the next message; a dialog left alone for
    DIALOG_TTL expires. `message_id` is the message whose buttons belong to the current step: a button
    pressed on any other message is out of date."""

    bot = models.CharField(_("bot"), max_length=16, choices=Delivery.Bot.choices)
    chat_id = models.BigIntegerField(_("chat id"))
    user_id = models.BigIntegerField(_("user id"))  # the chat's id too in a private chat, the only kind served
    state = models.CharField(_("step"), max_length=32, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    message_id = models.BigIntegerField(_("message"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("Telegram dialog")
        verbose_name_plural = _("Telegram dialogs")
        constraints = [models.UniqueConstraint(fields=["bot", "chat_id", "user_id"], name="dialog_one_per_chat_user")]

    def __str__(self) -> str:
        return f"{self.bot}:{self.chat_id}:{self.user_id} {self.state or '-'}"


class SeenUpdate(models.Model):
    """Telegram update ids already processed, so a repeated delivery of an update is ignored."""

    bot = models.CharField(_("bot"), max_length=16, choices=Delivery.Bot.choices)
    update_id = models.BigIntegerField(_("update id"))
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("processed update")
        verbose_name_plural = _("processed updates")
        constraints = [models.UniqueConstraint(fields=["bot", "update_id"], name="seen_update_once")]

    def __str__(self) -> str:
        return f"{self.bot}:{self.update_id}"


def audit_storage() -> FileSystemStorage:
    """Audits are kept under AUDIT_DIR, outside MEDIA_ROOT: staff download them through the admin only."""
    return FileSystemStorage(location=settings.AUDIT_DIR)


class AuditExport(models.Model):
    """The monthly Excel audit of one month: one row per month, rebuilt in place when made again."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the audited month."))
    file = models.FileField(_("file"), storage=audit_storage, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    row_counts = models.JSONField(_("rows per sheet"), default=dict)
    created_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("monthly audit")
        verbose_name_plural = _("monthly audits")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class JobCursor(models.Model):
    """How far a job has read a stream (for example the last outbox event the Sheets mirror applied)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    position = models.BigIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job cursor")
        verbose_name_plural = _("job cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
