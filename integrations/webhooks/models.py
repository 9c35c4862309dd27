"""A partner's webhook endpoints and the deliveries made to them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerWebhook(models.Model):
    """An endpoint of a partner that is told of changes to the partner's own bookings.

    The secret signs every delivery; it is shown once, when the endpoint is created, and never again."""

    partner = models.ForeignKey("accounts.Partner", verbose_name=_("partner"), on_delete=models.CASCADE,
                                related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    event_types = models.JSONField(_("event types"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("partner webhook")
        verbose_name_plural = _("partner webhooks")
        ordering = ["partner__name", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint, with its retry state. The body is rendered once, so every attempt sends
    the same event; the dedupe key (endpoint, event) makes creating it twice harmless."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Dead letter")

    webhook = models.ForeignKey(PartnerWebhook, verbose_name=_("webhook"), on_delete=models.CASCADE,
                                related_name="deliveries")
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    event_id = models.BigIntegerField(_("event"))
    event_type = models.CharField(_("event type"), max_length=40)
    body = models.JSONField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    retry_until = models.DateTimeField(_("retried until"))
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} → webhook {self.webhook_id} ({self.status})"
