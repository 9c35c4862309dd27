from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A booking change, recorded in the transaction that made it."""

    class Topic(models.TextChoices):
        CREATED = "booking.created", _("Created")
        APPROVED = "booking.approved", _("Approved")
        REJECTED = "booking.rejected", _("Rejected")
        CANCELLED = "booking.cancelled", _("Cancelled")
        COMPLETED = "booking.completed", _("Completed")
        MOVED = "booking.moved", _("Moved")
        EXPIRED = "booking.expired", _("Not decided in time")
        APPROVAL_OVERDUE = "booking.approval_overdue", _("Still waiting for a decision")
        NO_SHOW = "booking.no_show", _("No-show")
        PAID = "booking.paid", _("Paid")
        NOT_PAID = "booking.not_paid", _("Not paid: cancelled")
        REFUNDED = "payment.refunded", _("Refunded")
        PAID_LATE = "payment.late", _("Paid after the hold ended: credited to the wallet")
        SCHEDULE_CHANGED = "schedule.changed", _("Schedule changed")
        WAITLIST_OFFERED = "waitlist.offered", _("Waitlist: offered")
        WAITLIST_ENDED = "waitlist.ended", _("Waitlist: offer expired or dates passed")

    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices)
    resource_type = models.CharField(_("resource type"), max_length=20)  # "equipment" | "cabinet"
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # The HTTP request or Telegram update that caused the change; the worker logs its deliveries under it.
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    processed_at = models.DateTimeField(_("dispatched at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [models.Index(fields=["resource_type", "booking_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic} {self.resource_type}:{self.booking_id}"
