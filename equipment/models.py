from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.bookings import BookingBase, StatusChangeBase, short_date
from kernel.prepayment import prepayment_required_field


class Item(models.Model):
    """A kind of medical equipment with a number of identical units."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    quantity = models.PositiveIntegerField(_("units"), default=1)
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    permanently_reserved = models.BooleanField(
        _("permanently reserved"), default=False,
        help_text=_("Hidden from Telegram clients; partners see it flagged and cannot book it."),
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet", verbose_name=_("installed in cabinet"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="installed_items",
        help_text=_("Offered only with this cabinet; whole-day bookings of it are for managers only."),
    )
    turnaround_days = models.PositiveSmallIntegerField(
        _("turnaround days"), default=0,
        help_text=_("Days a unit stays unavailable after a whole-day booking ends (cleaning, transport, "
                    "sterilisation)."),
    )
    price_per_day = models.DecimalField(
        _("price per unit per day"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: the item has no price."),
    )
    prepayment_required = prepayment_required_field()
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="item_quantity_not_negative"),
            models.CheckConstraint(condition=Q(price_per_day__isnull=True) | Q(price_per_day__gte=0),
                                   name="item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class EquipmentBooking(BookingBase):
    """Units of an item for whole days start_date..end_date (inclusive), or, when it belongs to a cabinet
    booking, only during that booking's window [starts_at, ends_at) on start_date."""

    REFERENCE_PREFIX = "E"

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="bookings")
    units = models.PositiveIntegerField(_("units"), default=1)
    start_date = models.DateField(_("from"), db_index=True)
    end_date = models.DateField(_("until"), db_index=True)
    starts_at = models.DateTimeField(_("window start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("window end"), null=True, blank=True)
    cabinet_booking = models.ForeignKey(
        "cabinets.CabinetBooking", verbose_name=_("cabinet booking"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="equipment_bookings",
    )

    class Meta:
        verbose_name = _("equipment booking")
        verbose_name_plural = _("equipment bookings")
        ordering = ["-start_date", "-id"]
        constraints = [
            *BookingBase.base_constraints("equipmentbooking"),
            models.CheckConstraint(condition=Q(units__gte=1), name="equipmentbooking_units_positive"),
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")),
                                   name="equipmentbooking_start_not_after_end"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, starts_at__lt=F("ends_at")),
                name="equipmentbooking_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["item", "start_date", "end_date"])]

    def __str__(self) -> str:
        if self.item_id is None or self.start_date is None:
            return self.reference
        return self.title(f"{self.item} × {self.units}", self.when_label())

    def when_label(self) -> str:
        """"10–12 Dec", "30 Nov – 2 Dec", "10 Dec", or the window of a cabinet booking "8 Dec 11:00–12:00",
        in the clinic's time."""
        if self.starts_at is not None and self.ends_at is not None:
            zone = ZoneInfo(settings.TIME_ZONE)
            start, end = timezone.localtime(self.starts_at, zone), timezone.localtime(self.ends_at, zone)
            return f"{short_date(start.date())} {start:%H:%M}–{end:%H:%M}"
        first, last = self.start_date, self.end_date or self.start_date
        if first == last:
            return short_date(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{short_date(last)}"
        if first.year == last.year:
            return f"{short_date(first)} – {short_date(last)}"
        return f"{short_date(first, year=True)} – {short_date(last, year=True)}"

    @property
    def is_windowed(self) -> bool:
        return self.starts_at is not None


class MaintenanceWindow(models.Model):
    """Units of an item out of service for whole days start_date..end_date (inclusive)."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE,
                             related_name="maintenance_windows")
    units = models.PositiveIntegerField(_("units"), default=1)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1), name="maintenancewindow_units_positive"),
            models.CheckConstraint(condition=Q(start_date__lte=F("end_date")),
                                   name="maintenancewindow_start_not_after_end"),
        ]
        indexes = [models.Index(fields=["item", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.item} × {self.units} {self.start_date}..{self.end_date}"


class EquipmentBookingStatusChange(StatusChangeBase):
    booking = models.ForeignKey(EquipmentBooking, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
