from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kernel.bookings import BookingBase, Status, StatusChangeBase, short_date
from kernel.channels import Channel
from kernel.prepayment import prepayment_required_field
from kernel.scheduling import GRID_MINUTES, on_grid


class Cabinet(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=1)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    catalog_id = models.PositiveIntegerField(
        _("catalogue id"), null=True, blank=True, unique=True,
        help_text=_("The id of this cabinet in the catalogue file (cabinets.yaml); items refer to it."),
    )
    price_per_slot = models.DecimalField(
        _("price per slot"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Empty: booking the cabinet has no price."),
    )
    prepayment_required = prepayment_required_field()

    class Meta:
        verbose_name = _("cabinet")
        verbose_name_plural = _("cabinets")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cabinet_capacity_positive"),
            models.CheckConstraint(condition=Q(price_per_slot__isnull=True) | Q(price_per_slot__gte=0),
                                   name="cabinet_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class WeeklySchedule(models.Model):
    """A cabinet's working hours on one weekday (0 = Monday), or a day off."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    cabinet = models.ForeignKey(Cabinet, on_delete=models.CASCADE, related_name="schedules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    is_day_off = models.BooleanField(_("day off"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot minutes"), default=30)
    lunch_start = models.TimeField(_("lunch from"), null=True, blank=True)
    lunch_end = models.TimeField(_("lunch until"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly schedule")
        verbose_name_plural = _("weekly schedule")
        ordering = ["cabinet", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["cabinet", "weekday"], name="schedule_one_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="schedule_weekday_range"),
            models.CheckConstraint(
                condition=Q(is_day_off=True) | Q(opens__isnull=False, closes__isnull=False, opens__lt=F("closes")),
                name="schedule_opens_before_closes",
                violation_error_message=_("A working day needs an opening time before its closing time."),
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__isnull=True, lunch_end__isnull=True)
                | Q(lunch_start__isnull=False, lunch_end__isnull=False, lunch_start__lt=F("lunch_end")),
                name="schedule_lunch_ordered",
                violation_error_message=_("Lunch needs both a start and a later end."),
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__isnull=True) | Q(is_day_off=True)
                | Q(lunch_start__gte=F("opens"), lunch_end__lte=F("closes")),
                name="schedule_lunch_within_hours",
                violation_error_message=_("Lunch must lie within working hours."),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=GRID_MINUTES, slot_minutes__lte=240),
                name="schedule_slot_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        if self.is_day_off:
            return f"{self.get_weekday_display()}: —"
        lunch = f" ({self.lunch_start:%H:%M}–{self.lunch_end:%H:%M})" if self.lunch_start else ""
        return f"{self.get_weekday_display()}: {self.opens:%H:%M}–{self.closes:%H:%M}{lunch}"

    def clean(self) -> None:
        """Slot starts must fall on the occupancy grid, or two neighbouring bookings would share a piece."""
        if self.slot_minutes and self.slot_minutes % GRID_MINUTES:
            raise ValidationError({"slot_minutes": _("Use a multiple of %(n)s minutes.") % {"n": GRID_MINUTES}})
        for name in ("opens", "closes", "lunch_start", "lunch_end"):
            value = getattr(self, name)
            if value is not None and not on_grid(value):
                raise ValidationError({name: _("Use a time on a %(n)s-minute boundary (for example 09:00, 09:15).")
                                       % {"n": GRID_MINUTES}})


class Holiday(models.Model):
    """A clinic-wide day off."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.name}".strip()


class Closure(models.Model):
    """One cabinet closed on a date: all day, or for a time range."""

    cabinet = models.ForeignKey(Cabinet, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, start_time__lt=F("end_time")),
                name="closure_times_ordered",
                violation_error_message=_("A partial closure needs a start and a later end."),
            ),
        ]

    def __str__(self) -> str:
        when = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time else ""
        return f"{self.cabinet} {self.date:%d.%m.%Y}{when}"


class CabinetBooking(BookingBase):
    REFERENCE_PREFIX = "C"
    cabinet = models.ForeignKey(Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT,
                                related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    series = models.ForeignKey("CabinetSeries", verbose_name=_("series"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="occurrences")
    series_index = models.PositiveSmallIntegerField(_("occurrence"), null=True, blank=True)
    # An appointment: a booking of a service performed by a specialist (by string: cabinets never imports them).
    service = models.ForeignKey("specialists.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="appointments")
    specialist = models.ForeignKey("specialists.Specialist", verbose_name=_("specialist"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="appointments")

    class Meta:
        verbose_name = _("cabinet booking")
        verbose_name_plural = _("cabinet bookings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            *BookingBase.base_constraints("cabinetbooking"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="cabinetbooking_starts_before_ends"),
            models.CheckConstraint(
                condition=Q(service__isnull=True, specialist__isnull=True)
                | Q(service__isnull=False, specialist__isnull=False),
                name="cabinetbooking_service_with_specialist",
                violation_error_message=_("An appointment names both its service and its specialist."),
            ),
        ]
        indexes = [models.Index(fields=["cabinet", "starts_at"])]

    def __str__(self) -> str:
        if self.starts_at is None or self.ends_at is None or self.cabinet_id is None:
            return self.reference
        zone = ZoneInfo(settings.TIME_ZONE)
        start, end = timezone.localtime(self.starts_at, zone), timezone.localtime(self.ends_at, zone)
        return self.title(str(self.cabinet), f"{short_date(start.date())} {start:%H:%M}–{end:%H:%M}")

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CabinetOccupancy(models.Model):
    """One row per GRID_MINUTES piece of time a holding booking occupies.

    The unique index on (cabinet, starts_at) is the database's own refusal of an overlap; it works on SQLite
    and PostgreSQL alike. Rows exist only while their booking holds (pending or approved): they are deleted
    in the same transaction that cancels, rejects or completes it."""

    cabinet = models.ForeignKey(Cabinet, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(CabinetBooking, on_delete=models.CASCADE, related_name="occupancy")
    starts_at = models.DateTimeField()

    class Meta:
        verbose_name = _("occupied slot")
        verbose_name_plural = _("occupied slots")
        constraints = [
            models.UniqueConstraint(
                fields=["cabinet", "starts_at"], name="cabinet_occupancy_no_overlap",
                violation_error_message=_("This time is already taken."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cabinet_id} {self.starts_at:%Y-%m-%d %H:%M} (booking {self.booking_id})"


class SlotHold(models.Model):
    """A Telegram user's temporary claim on slots while they finish the dialog."""

    cabinet = models.ForeignKey(Cabinet, on_delete=models.CASCADE, related_name="holds")
    holder = models.ForeignKey("accounts.TelegramAccount", on_delete=models.CASCADE, related_name="slot_holds")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("slot hold")
        verbose_name_plural = _("slot holds")
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slothold_starts_before_ends"),
            models.UniqueConstraint(fields=["holder"], name="slothold_one_per_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.cabinet_id} {self.starts_at:%Y-%m-%d %H:%M} until {self.expires_at:%H:%M}"


class CabinetBookingStatusChange(StatusChangeBase):
    booking = models.ForeignKey(CabinetBooking, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status history")


class CabinetSeries(models.Model):
    """A recurring cabinet booking: every `every_weeks` weeks on one weekday at one local (wall-clock) time,
    for `count` occurrences or until a date. Each occurrence is an ordinary CabinetBooking linked here; the
    series keeps what was asked (for partners' idempotent replays) and which dates were skipped."""

    MAX_OCCURRENCES = 26
    MAX_EVERY_WEEKS = 4

    cabinet = models.ForeignKey(Cabinet, verbose_name=_("cabinet"), on_delete=models.PROTECT,
                                related_name="series")
    starts_at = models.DateTimeField(_("first start"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    every_weeks = models.PositiveSmallIntegerField(_("every N weeks"))
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ADMIN)
    requester = models.ForeignKey(
        "accounts.TelegramAccount", verbose_name=_("Telegram client"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    partner = models.ForeignKey("accounts.Partner", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    external_booking_id = models.CharField(_("external booking id"), max_length=128, null=True, blank=True)
    client_name = models.CharField(_("client name"), max_length=200)
    client_phone = models.CharField(_("client phone"), max_length=32)
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    equipment = models.JSONField(_("equipment"), default=list, blank=True)  # [[item_id, units], ...]
    request = models.JSONField(default=dict, blank=True, editable=False)  # a partner's request, for replays
    skipped = models.JSONField(_("skipped dates"), default=list, blank=True)  # [{"date", "code", "reason"}]
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("cabinet series")
        verbose_name_plural = _("cabinet series")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_booking_id"],
                condition=Q(partner__isnull=False, external_booking_id__isnull=False),
                name="cabinetseries_external_id_unique_per_partner",
            ),
            models.CheckConstraint(condition=Q(every_weeks__gte=1, every_weeks__lte=4),
                                   name="cabinetseries_every_weeks_1_to_4"),
            models.CheckConstraint(condition=Q(count__isnull=True) | Q(count__gte=1, count__lte=26),
                                   name="cabinetseries_count_1_to_26"),
        ]

    def __str__(self) -> str:
        """"Кабинет №1 · every week from 8 Dec 11:00 · Мария П.", in the clinic's time."""
        if self.starts_at is None or self.cabinet_id is None:
            return f"#{self.pk}"
        start = timezone.localtime(self.starts_at, ZoneInfo(settings.TIME_ZONE))
        every = ngettext("every week from %(day)s", "every %(n)s weeks from %(day)s", self.every_weeks) % {
            "n": self.every_weeks, "day": f"{short_date(start.date())} {start:%H:%M}"}
        words = (self.client_name or "").split()
        client = f"{words[0]} {words[-1][0]}." if len(words) > 1 else (words[0] if words else "")
        return " · ".join(part for part in (str(self.cabinet), every, client) if part)
