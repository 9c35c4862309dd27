"""What equipment and cabinet bookings share: statuses, who asked, the client, who decided, history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kernel.channels import Channel


class Status(models.TextChoices):
    # A client's booking of a resource that needs prepayment: it holds its place for PAYMENT_HOLD_MINUTES
    # (kernel.prepayment) and becomes pending or approved when paid, as if it had just been made.
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


# Only these hold capacity (units, slots).
HOLDING_STATUSES = (Status.AWAITING_PAYMENT, Status.PENDING, Status.APPROVED)
HOLDING = Q(status__in=HOLDING_STATUSES)

# from -> allowed targets. One table for both kinds of booking.
TRANSITIONS: dict[str, frozenset[str]] = {
    # Paid: on as if just made (approved or pending); not paid in time, refused or cancelled: cancelled.
    Status.AWAITING_PAYMENT: frozenset({Status.PENDING, Status.APPROVED, Status.CANCELLED}),
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW}),
    Status.REJECTED: frozenset(),
    Status.CANCELLED: frozenset(),
    # The sweep completes a booking at its end without knowing who came: a manager may still say no one did.
    Status.COMPLETED: frozenset({Status.NO_SHOW}),
    Status.NO_SHOW: frozenset(),
}


def short_date(day, *, year: bool = False) -> str:
    """"8 Dec" / "8 декабря" (with the year when asked): a booking's day in titles."""
    return date_format(day, pgettext("short date", "j M Y") if year else pgettext("short date", "j M"))


class BookingBase(models.Model):
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.BOT)
    requester = models.ForeignKey(
        "accounts.TelegramAccount", verbose_name=_("requester"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    partner = models.ForeignKey(
        "accounts.Partner", verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    external_booking_id = models.CharField(_("external booking id"), max_length=128, null=True, blank=True)
    client_name = models.CharField(_("client name"), max_length=200)
    client_phone = models.CharField(_("client phone"), max_length=32)
    client = models.ForeignKey(
        "accounts.Client", verbose_name=_("client"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    manager_comment = models.TextField(_("manager comment"), blank=True, max_length=1000)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    approval_reminded_at = models.DateTimeField(_("managers reminded at"), null=True, blank=True)
    client_confirmed_at = models.DateTimeField(
        _("confirmed by client at"), null=True, blank=True,
        help_text=_("When the client answered the reminder with \"I will come\"."))
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))

    # The letter that starts this kind's reference ("E-3", "C-3"): every booking has one reference a person
    # can say on the phone, unique across kinds, shown the same in every door.
    REFERENCE_PREFIX = ""

    class Meta:
        abstract = True

    @property
    def reference(self) -> str:
        return f"{self.REFERENCE_PREFIX}-{self.pk}"

    @property
    def client_short_name(self) -> str:
        """"Мария Петрова" -> "Мария П.": enough to tell bookings apart on a screen without the full name."""
        words = (self.client_name or "").split()
        if len(words) < 2:
            return words[0] if words else ""
        return f"{words[0]} {words[-1][0]}."

    def title(self, what: str, when: str) -> str:
        """A booking as a person names it: reference · resource · local time · client ("C-2 · Кабинет №1 ·
        8 Dec 11:00–12:00 · Мария П.")."""
        return " · ".join(part for part in (self.reference, what, when, self.client_short_name) if part)

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES

    @classmethod
    def base_constraints(cls, prefix: str) -> list:
        return [
            models.UniqueConstraint(
                fields=["partner", "external_booking_id"],
                condition=Q(partner__isnull=False, external_booking_id__isnull=False),
                name=f"{prefix}_external_id_unique_per_partner",
                violation_error_message=_("This external booking id is already used."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name=f"{prefix}_status_valid",
            ),
        ]


class StatusChangeBase(models.Model):
    """One row per status change: who, through which channel, when, from -> to, why."""

    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    actor = models.CharField(_("actor"), max_length=200)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.actor})"
