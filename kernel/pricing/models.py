"""Discount rules, the daily discount quota and its use per clinic day, and the price each booking stored when
it was made. A stored price names its booking generically (`resource_type` + `booking_id`), as waits do: the
kernel knows no resource."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class DiscountRule(models.Model):
    """A percentage off a booking's base total, when its kind applies: the booking's day is the client's
    birthday, the base total reaches an amount, or the client has a discount of their own."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        THRESHOLD = "threshold", _("Total from an amount")
        PERSONAL = "personal", _("Client's own discount")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 to 100. For the client's own discount: the most it may give (100 = the client's whole "
                    "percentage)."),
    )
    min_total = models.DecimalField(
        _("from a total of"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Only for \"total from an amount\": the base total (before discounts) from which it applies."),
    )
    active_from = models.DateField(_("active from"), null=True, blank=True,
                                   help_text=_("Applies to bookings made from this day on (empty: always)."))
    active_until = models.DateField(_("active until"), null=True, blank=True,
                                    help_text=_("Applies to bookings made up to this day (empty: always)."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["kind", "min_total", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["birthday", "threshold", "personal"]),
                                   name="discountrule_kind_valid"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="discountrule_percent_0_100"),
            models.CheckConstraint(
                condition=Q(kind="threshold", min_total__gte=0) | (~Q(kind="threshold") & Q(min_total__isnull=True)),
                name="discountrule_min_total_for_threshold",
                violation_error_message=_("A total from which the discount applies goes with that kind only."),
            ),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True) | Q(active_until__isnull=True)
                | Q(active_from__lte=F("active_until")),
                name="discountrule_active_dates_ordered",
                violation_error_message=_("The last active day must not be before the first."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.THRESHOLD:
            return f"{self.get_kind_display()} {self.min_total}: {self.percent.normalize():f} %"
        return f"{self.get_kind_display()}: {self.percent.normalize():f} %" if self.percent is not None else \
            str(self.get_kind_display())

    def clean(self) -> None:
        if self.kind == self.Kind.THRESHOLD and self.min_total is None:
            raise ValidationError({"min_total": _("Give the total from which the discount applies.")})
        if self.kind != self.Kind.THRESHOLD and self.min_total is not None:
            raise ValidationError({"min_total": _("Only a discount from a total has this amount.")})
        if self.active_from and self.active_until and self.active_until < self.active_from:
            raise ValidationError({"active_until": _("The last active day must not be before the first.")})


class DiscountQuota(models.Model):
    """How many bookings a clinic day may discount (one row; DISCOUNT_DAILY_QUOTA until it is first saved)."""

    daily_limit = models.PositiveIntegerField(
        _("discounted bookings per day"), help_text=_("At most this many bookings made on one clinic day get a "
                                                      "discount; 0 = no limit."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("daily discount quota")
        verbose_name_plural = _("daily discount quota")

    def __str__(self) -> str:
        return str(_("Daily discount quota"))


class DiscountQuotaUse(models.Model):
    """How many discounts the bookings made on one clinic day took (less those given back by cancellations).
    Written only under this row's lock (kernel.pricing.services)."""

    day = models.DateField(_("day"), unique=True)
    used = models.PositiveIntegerField(_("discounts taken"), default=0)

    class Meta:
        verbose_name = _("discount quota use")
        verbose_name_plural = _("discount quota use")
        ordering = ["-day"]
        constraints = [models.CheckConstraint(condition=Q(used__gte=0), name="discountquotause_used_not_negative")]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y}: {self.used}"


class BookingPrice(models.Model):
    """What a booking costs, stored when it was made: its lines add up to `total`."""

    resource_type = models.CharField(_("resource type"), max_length=16)
    booking_id = models.BigIntegerField(_("booking id"))
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY)
    # The clinic day whose quota its discount took, and when a cancellation gave it back (once).
    quota_day = models.DateField(_("discount counted on"), null=True, blank=True)
    quota_returned_at = models.DateTimeField(_("discount given back at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("booking price")
        verbose_name_plural = _("booking prices")
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "booking_id"], name="bookingprice_one_per_booking"),
            models.CheckConstraint(condition=Q(total__gte=0), name="bookingprice_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.booking_id}: {self.total} {self.currency}"


class PriceLine(models.Model):
    class Kind(models.TextChoices):
        BASE = "base", _("Price")
        DISCOUNT = "discount", _("Discount")
        INFO = "info", _("Note")
        OVERRIDE = "override", _("Changed by a manager")

    price = models.ForeignKey(BookingPrice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # A key of kernel.pricing.labels and its values: rendered in the reader's language.
    label = models.CharField(_("label"), max_length=32)
    params = models.JSONField(_("label values"), default=dict, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    rule_id = models.BigIntegerField(_("discount rule"), null=True, blank=True)

    class Meta:
        verbose_name = _("price line")
        verbose_name_plural = _("price lines")
        ordering = ["price", "position"]
        constraints = [
            models.UniqueConstraint(fields=["price", "position"], name="priceline_one_per_position"),
            models.CheckConstraint(condition=Q(kind__in=["base", "discount", "info", "override"]),
                                   name="priceline_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label} {self.amount}"
