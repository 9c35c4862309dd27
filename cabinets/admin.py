from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.admin_stats import period_statistics_view
from cabinets.attendance import cabinet_booking_mark_no_show
from cabinets.availability import cabinet_day, clinic_zone
from cabinets.booking_stats import statistics
from cabinets.day_schedule import day_schedule
from cabinets.forms import (
    CabinetForm,
    CabinetMoveForm,
    CabinetPhoneBookingForm,
    ClosureForm,
    DayForm,
    EquipmentLines,
    HolidayForm,
    WeeklyScheduleForm,
    WeeklyScheduleFormSet,
    cancel_affected_chosen,
    equipment_lines,
)
from cabinets.models import (
    Cabinet,
    CabinetBooking,
    CabinetBookingStatusChange,
    Closure,
    Holiday,
    SlotHold,
    WeeklySchedule,
)
from cabinets.services import (
    RESOURCE,
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_move,
    cabinet_booking_reject,
    cabinet_deactivate,
    weekly_schedule_save,
)
from equipment.admin import ServiceSaveAdmin, safe_next
from equipment.admin_bookings import BookingAdminMixin, DateRangeFilter, StatusFilter, refusal_to_form
from equipment.models import EquipmentBooking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.scheduling import day_bounds


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, clinic_zone())


# --- Catalogue and schedules ------------------------------------------------------------------------


class WeeklyScheduleInline(admin.TabularInline):
    model = WeeklySchedule
    form = WeeklyScheduleForm
    extra = 0
    max_num = 7
    formset = WeeklyScheduleFormSet
    can_delete = False  # a weekday without hours is a day off: tick "day off" instead

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


class ServiceFormAdmin(ServiceSaveAdmin):
    """Admin for a model saved by a service (see cabinets.forms.ServiceModelForm): the form checks, the
    service saves here, once the whole page is valid."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        applied = form.apply(actor=Actor.staff(request.user), now=timezone.now(),
                             cancel_affected=bool(form.cleaned_data.get("cancel_affected")))
        obj.pk = applied.pk  # the service may have updated another row (a holiday of that date)

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(Cabinet)
class CabinetAdmin(ServiceSaveAdmin):
    form = CabinetForm
    list_display = ("name", "number", "floor", "capacity", "price_per_slot", "prepayment_required", "sort_order",
                    "is_active", "hours")
    list_editable = ("sort_order",)  # taking a cabinet out of service is checked on its page
    fields = ("name", "number", "floor", "capacity", "address", "description", "price_per_slot", "prepayment_required",
              "sort_order", "is_active", "cancel_affected")
    search_fields = ("name", "number")
    inlines = [WeeklyScheduleInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("schedules")

    @admin.display(description=_("weekly hours"))
    def hours(self, obj):
        return "; ".join(str(s) for s in obj.schedules.all()) or "—"

    def save_model(self, request, obj, form, change):
        # Taking it out of service goes through the service: it cancels what the manager chose to cancel.
        if change and form.deactivates():
            cabinet_deactivate(cabinet=obj, actor=Actor.staff(request.user), now=timezone.now(),
                               cancel_affected=bool(form.cleaned_data.get("cancel_affected")))
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not WeeklySchedule:
            return super().save_formset(request, form, formset, change)
        # An existing cabinet's changed weekdays go through the schedule service (checked by the formset);
        # a new cabinet's rows are saved as they are (no booking can exist yet).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        actor, now = Actor.staff(request.user), timezone.now()
        for line in formset.changed_rows():
            if change:
                row = weekly_schedule_save(cabinet=form.instance, actor=actor, now=now,
                                           cancel_affected=cancel_affected_chosen(request), **line.hours())
                formset.changed_objects.append((row, line.changed_data))
            else:
                line.instance.cabinet = form.instance
                formset.new_objects.append(line.save())
        return None


@admin.register(Holiday)
class HolidayAdmin(ServiceFormAdmin):
    form = HolidayForm
    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(Closure)
class ClosureAdmin(ServiceFormAdmin):
    form = ClosureForm
    list_display = ("cabinet", "date", "start_time", "end_time", "reason")
    list_filter = ("cabinet",)
    list_select_related = ("cabinet",)
    date_hierarchy = "date"


@admin.register(SlotHold)
class SlotHoldAdmin(admin.ModelAdmin):
    list_display = ("cabinet", "holder", "starts_at", "ends_at", "expires_at")
    list_select_related = ("cabinet", "holder")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Bookings ---------------------------------------------------------------------------------------


class StatusChangeInline(admin.TabularInline):
    model = CabinetBookingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "channel", "actor", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class EquipmentInline(admin.TabularInline):
    model = EquipmentBooking
    fk_name = "cabinet_booking"
    extra = 0
    can_delete = False
    fields = ("item", "units", "status")
    readonly_fields = fields
    verbose_name_plural = _("equipment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CabinetBooking)
class CabinetBookingAdmin(BookingAdminMixin, admin.ModelAdmin):
    approve_service = staticmethod(cabinet_booking_approve)
    reject_service = staticmethod(cabinet_booking_reject)
    cancel_service = staticmethod(cabinet_booking_cancel)
    no_show_service = staticmethod(cabinet_booking_mark_no_show)
    price_resource_type = RESOURCE

    list_display = ("reference", "status_badge", "cabinet", "when", "appointment", "client_column", "attendance",
                    "equipment", "source", "created")
    list_display_links = ("reference", "cabinet")
    list_filter = (StatusFilter, DateRangeFilter, ("cabinet", admin.RelatedOnlyFieldListFilter),
                   ("specialist", admin.RelatedOnlyFieldListFilter), ("service", admin.RelatedOnlyFieldListFilter),
                   "channel")
    list_select_related = ("cabinet", "requester", "partner", "created_by", "service", "specialist")
    search_fields = ("client_name", "external_booking_id", "requester__username", "cabinet__name")
    date_hierarchy = "starts_at"
    list_per_page = 50
    inlines = [EquipmentInline, StatusChangeInline]
    fields = ("status", "cabinet", "starts_at", "ends_at", "service", "specialist", "series", "client_name",
              "client_phone", "client_record", "comment", "manager_comment", "channel", "requester", "partner",
              "external_booking_id", "created_by", "status_reason", "decided_by", "decided_at", "client_confirmed_at",
              "created_at", "updated_at")

    def get_queryset(self, request):
        equipment = Prefetch("equipment_bookings", queryset=EquipmentBooking.objects.select_related("item"))
        return super().get_queryset(request).prefetch_related(equipment)

    resource_rules = rules

    def filter_dates(self, queryset, start: date | None, end: date | None):
        tz = clinic_zone()
        if start is not None:
            queryset = queryset.filter(ends_at__gt=day_bounds(start, tz)[0])
        if end is not None:
            queryset = queryset.filter(starts_at__lt=day_bounds(end, tz)[1])
        return queryset

    @admin.display(description=_("service"), ordering="service__name")
    def appointment(self, obj):
        """An appointment's service and specialist in one column, so the list still fits a 1400 px screen."""
        return f"{obj.service.name} · {obj.specialist.name}" if obj.service_id else ""

    @admin.display(description=_("when"), ordering="starts_at")
    def when(self, obj):
        start, end = _local(obj.starts_at), _local(obj.ends_at)
        return f"{date_format(start.date(), 'd.m.Y')} {start:%H:%M}–{end:%H:%M}"

    @admin.display(description=_("equipment"))
    def equipment(self, obj):
        lines = [f"{b.item.name} ×{b.units}" for b in obj.equipment_bookings.all()
                 if b.status not in (Status.CANCELLED, Status.REJECTED)]
        return ", ".join(lines) or "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("day/", wrap(self.day_view), name="cabinets_day_schedule"),
            path("statistics/", wrap(self.statistics_view), name="clinic_statistics"),
            path("statistics/attendance/", wrap(partial(period_statistics_view, self)),
                 name="clinic_period_statistics"),
            path("<path:object_id>/move/", wrap(self.move_view), name="cabinets_cabinetbooking_move"),
            *super().get_urls(),
        ]

    # --- Phone booking ----------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = request.GET.dict()
        initial.pop("next", None)
        form = CabinetPhoneBookingForm(request.POST or None, initial=initial or None)
        lines = EquipmentLines(request.POST or None, prefix="equipment")
        if request.method == "POST" and form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                booking = cabinet_booking_create(
                    cabinet=data["cabinet"], starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
                    client_name=data["client_name"], client_phone=data["client_phone"], comment=data["comment"],
                    equipment=equipment_lines(lines), actor=Actor.staff(request.user), channel=Channel.ADMIN,
                    now=timezone.now(),
                )
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_addition(request, booking, [{"added": {}}])
                self.message_user(request, _("Booking %(ref)s created and approved.") % {"ref": booking.reference},
                                  messages.SUCCESS)
                change_url = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])
                return HttpResponseRedirect(safe_next(request, change_url))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Phone booking: cabinet"),
            "opts": self.model._meta,
            "form": form,
            "equipment_formset": lines,
            "free_slots": self._free_slots(request, form),
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/clinic/phone_booking.html", context)

    def _free_slots(self, request, form):
        """The free slots of the chosen cabinet and day, as links that fill in the start time."""
        source = form.data if form.is_bound else form.initial
        try:
            cabinet = Cabinet.objects.get(pk=int(source.get("cabinet")), is_active=True)
            day = date.fromisoformat(source.get("day") or "")
        except (TypeError, ValueError, Cabinet.DoesNotExist):
            return None
        slots = cabinet_day(cabinet=cabinet, day=day, now=timezone.now()).free_slots
        base = {"cabinet": cabinet.pk, "day": day.isoformat()}
        if request.GET.get("next"):
            base["next"] = request.GET["next"]
        return [{"label": f"{_local(s.start):%H:%M}",
                 "query": urlencode({**base, "start_time": f"{_local(s.start):%H:%M}"})} for s in slots]

    # --- Move -------------------------------------------------------------------------------------

    def move_view(self, request, object_id):
        booking = get_object_or_404(CabinetBooking.objects.select_related("cabinet"), pk=object_id)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        start = _local(booking.starts_at)
        initial = {"cabinet": booking.cabinet_id, "day": start.date(), "start_time": start.time(),
                   "duration_minutes": booking.duration_minutes}
        form = CabinetMoveForm(request.POST or None, initial=initial)
        change_url = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])
        return self.move_page(request, booking, form, change_url=change_url,
                              changed=["cabinet", "starts_at", "ends_at"],
                              move=lambda data, actor, now: cabinet_booking_move(
                                  booking=booking, actor=actor, now=now, cabinet=data["cabinet"],
                                  starts_at=data["starts_at"], duration_minutes=data["duration_minutes"]))

    # --- Day schedule -----------------------------------------------------------------------------

    def day_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        today = _local(now).date()
        form = DayForm(request.GET)
        day = (form.cleaned_data.get("date") if form.is_valid() else None) or today
        schedule = day_schedule(day=day, now=now)
        here = reverse("admin:cabinets_day_schedule") + "?" + urlencode({"date": day.isoformat()})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Day schedule"),
            "opts": self.model._meta,
            "schedule": schedule,
            "day": day,
            "is_today": day == today,
            "yesterday": (day - timedelta(days=1)).isoformat(),
            "tomorrow": (day + timedelta(days=1)).isoformat(),
            "today": today.isoformat(),
            "add_url": reverse("admin:cabinets_cabinetbooking_add"),
            "next": here,
            "can_add": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/cabinets/day_schedule.html", context)

    # --- Statistics -------------------------------------------------------------------------------

    def statistics_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Statistics"),
            "opts": self.model._meta,
            **statistics(now=timezone.now()),
        }
        return TemplateResponse(request, "admin/cabinets/statistics.html", context)


from cabinets import admin_series  # noqa: E402, F401 - registers the series admin
