"""A place in the waitlist: exactly the request that was refused for capacity (units of a resource for whole
days, or a window of one), waiting until that capacity frees up and is offered for a limited time.

A wait names its resource generically, `resource_type` + `resource_id`: the kernel knows no resource, and asks
the resource's adapter (kernel/adapters.py) for its name, its lock and whether the wait fits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.channels import Channel


class Wait(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Offer expired")
        CANCELLED = "cancelled", _("Cancelled")
        DROPPED = "dropped", _("Dates passed")

    # The registered adapter's resource type, and the id of the resource it waits for (an item, a cabinet...).
    resource_type = models.CharField(_("resource type"), max_length=16)
    resource_id = models.BigIntegerField(_("resource id"))
    units = models.PositiveIntegerField(_("units"), default=1)
    # Whole days: the requested days. A window (starts_at..ends_at): its local day, so one filter serves both.
    start_date = models.DateField(_("from"), db_index=True)
    end_date = models.DateField(_("until"))
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING,
                              db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.BOT)
    requester = models.ForeignKey("accounts.TelegramAccount", verbose_name=_("requester"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("accounts.Partner", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    external_booking_id = models.CharField(_("external booking id"), max_length=128, null=True, blank=True)
    client_name = models.CharField(_("client name"), max_length=200)
    client_phone = models.CharField(_("client phone"), max_length=32)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True, db_index=True)
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(resource_type=""), name="wait_has_resource_type"),
            # Whole days, or a window that ends after it starts.
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, starts_at__lt=F("ends_at")),
                name="wait_window_ordered",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="wait_units_positive"),
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")), name="wait_start_not_after_end"),
            models.CheckConstraint(condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                                   name="wait_offer_has_expiry"),
            models.UniqueConstraint(
                fields=["partner", "external_booking_id"],
                condition=Q(partner__isnull=False, external_booking_id__isnull=False),
                name="wait_external_id_unique_per_partner",
            ),
        ]
        indexes = [models.Index(fields=["resource_type", "resource_id", "status"], name="wait_resource_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource_type} {self.start_date} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def duration_minutes(self) -> int | None:
        if self.starts_at is None:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


# Waits that still stand in the queue; only an OFFERED one (until it expires) takes capacity.
LIVE_STATUSES = (Wait.Status.WAITING, Wait.Status.OFFERED)
WaitStatus = Wait.Status  # named for the API schema's enum of wait statuses
