"""Specialists, their weekly hours and days off, and the services they perform.

An appointment is a cabinet booking that also names its service and specialist (`cabinets.CabinetBooking`
has the two foreign keys, by string, so cabinets never imports this app)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.prepayment import prepayment_required_field

WEEKDAYS = (
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
)


def slot_minutes() -> int:
    """The clinic's appointment grid: hours and durations are whole slots of this length."""
    return settings.SERVICE_SLOT_MINUTES


def on_slot_grid(value: time) -> bool:
    return value.second == 0 and value.microsecond == 0 and (value.hour * 60 + value.minute) % slot_minutes() == 0


class Specialist(models.Model):
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    telegram_id = models.BigIntegerField(
        _("Telegram id"), null=True, blank=True, unique=True,
        help_text=_("When set, the specialist is told about their appointments in Telegram."),
    )
    sort_order = models.IntegerField(_("order"), default=0)
    catalog_id = models.PositiveIntegerField(
        _("catalogue id"), null=True, blank=True, unique=True,
        help_text=_("The id of this specialist in the catalogue file (services.yaml); services refer to it."),
    )

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One interval of a specialist's working day; several on one weekday leave breaks between them."""

    specialist = models.ForeignKey(Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE,
                                   related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["specialist", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="workinghours_weekday_range"),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="workinghours_start_before_end",
                violation_error_message=_("The start must be before the end."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        """On the slot grid, start before end, and no overlap with the specialist's other hours that day."""
        errors = {}
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and not on_slot_grid(value):
                errors[name] = _("Use a time on the %(n)s-minute grid (for example 09:00, 09:30).") % {
                    "n": slot_minutes()}
        if errors:
            raise ValidationError(errors)
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError({"end": _("The end must be after the start.")})
        if self.specialist_id is None or self.start is None or self.end is None or self.weekday is None:
            return
        clash = (WorkingHours.objects.filter(specialist_id=self.specialist_id, weekday=self.weekday,
                                             start__lt=self.end, end__gt=self.start)
                 .exclude(pk=self.pk).first())
        if clash is not None:
            raise ValidationError(_("These hours overlap %(other)s.") % {"other": clash})


class DayOff(models.Model):
    """A specialist's day off or vacation, both dates included."""

    specialist = models.ForeignKey(Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE,
                                   related_name="days_off")
    from_date = models.DateField(_("first day"))
    to_date = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["specialist", "from_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_date__lte=F("to_date")), name="dayoff_dates_ordered",
                violation_error_message=_("The last day must not be before the first."),
            ),
        ]

    def __str__(self) -> str:
        if self.from_date == self.to_date:
            return f"{self.from_date:%d.%m.%Y}"
        return f"{self.from_date:%d.%m.%Y}–{self.to_date:%d.%m.%Y}"


class Service(models.Model):
    """What a client books: a length, an optional price, who performs it, where, and with which equipment."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    prepayment_required = prepayment_required_field()
    is_active = models.BooleanField(_("active"), default=True)
    specialists = models.ManyToManyField(Specialist, verbose_name=_("specialists"), related_name="services",
                                         blank=True)
    cabinets = models.ManyToManyField(
        "cabinets.Cabinet", verbose_name=_("cabinets"), related_name="services", blank=True,
        help_text=_("Where the service can take place; none chosen means any active cabinet."),
    )
    sort_order = models.IntegerField(_("order"), default=0)
    catalog_id = models.PositiveIntegerField(
        _("catalogue id"), null=True, blank=True, unique=True,
        help_text=_("The id of this service in the catalogue file (services.yaml)."),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="service_duration_positive"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0),
                                   name="service_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        step = slot_minutes()
        if self.duration_minutes is not None and (self.duration_minutes <= 0 or self.duration_minutes % step):
            raise ValidationError({"duration_minutes": _("Use a whole number of %(n)s-minute slots.") % {"n": step}})


class ServiceEquipment(models.Model):
    """Units of an item reserved with every appointment of a service, for its whole length."""

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="equipment_lines")
    item = models.ForeignKey("equipment.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    units = models.PositiveSmallIntegerField(_("units"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("equipment of the service")
        verbose_name_plural = _("equipment of the service")
        ordering = ["service", "item"]
        constraints = [
            models.UniqueConstraint(fields=["service", "item"], name="serviceequipment_one_line_per_item",
                                    violation_error_message=_("This item is already listed for the service.")),
            models.CheckConstraint(condition=Q(units__gte=1), name="serviceequipment_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.units}"
