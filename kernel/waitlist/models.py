"""A place in the waitlist: exactly the request that was refused for capacity (units of an item for whole days,
or a cabinet window), waiting until that capacity frees up and is offered for a limited time."""

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

    class Resource(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        CABINET = "cabinet", _("Cabinet")

    resource_type = models.CharField(_("resource type"), max_length=16, choices=Resource.choices)
    item = models.ForeignKey("equipment.Item", verbose_name=_("item"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="waits")
    cabinet = models.ForeignKey("cabinets.Cabinet", verbose_name=_("cabinet"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="waits")
    units = models.PositiveIntegerField(_("units"), default=1)
    # Equipment: the requested days. Cabinets: the local day of the window (so one filter serves both).
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
            models.CheckConstraint(
                condition=Q(resource_type="equipment", item__isnull=False, cabinet__isnull=True)
                | Q(resource_type="cabinet", cabinet__isnull=False, item__isnull=True,
                    starts_at__isnull=False, ends_at__isnull=False, starts_at__lt=F("ends_at")),
                name="wait_one_resource",
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
        indexes = [models.Index(fields=["item", "status"]), models.Index(fields=["cabinet", "status"])]

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
