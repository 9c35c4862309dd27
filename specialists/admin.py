"""Specialists with their hours and days off, and services with their equipment.

The hours and days off are checked as a whole page: intervals of one weekday must not overlap, and a change
must not leave a future appointment outside the specialist's working time (the manager moves or cancels it
first). The check reads only; the rows are saved by the admin once the whole page is valid."""

from __future__ import annotations

from functools import partial
from itertools import pairwise

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from specialists.admin_revenue import revenue_view
from specialists.admin_views import service_phone_booking_view, specialists_day_view
from specialists.models import WEEKDAYS, DayOff, Service, ServiceEquipment, Specialist, WorkingHours
from specialists.rules import Hours, Off
from specialists.services import appointments_stranded

SHOWN = 5


def _live_forms(formset):
    return [form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def _refuse_stranded(specialist, *, hours=None, days_off=None) -> None:
    stranded = appointments_stranded(specialist=specialist, now=timezone.now(), hours=hours, days_off=days_off)
    if not stranded:
        return
    listed = "; ".join(str(appointment) for appointment in stranded[:SHOWN])
    more = len(stranded) - SHOWN
    raise ValidationError(
        ngettext("This change leaves %(n)s appointment outside the working time: %(list)s. "
                 "Move or cancel it first.",
                 "This change leaves %(n)s appointments outside the working time: %(list)s. "
                 "Move or cancel them first.", len(stranded))
        % {"n": len(stranded), "list": listed + (f" (+{more})" if more > 0 else "")},
        code="schedule_conflict",
    )


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = sorted(((f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
                       for f in _live_forms(self)), key=lambda row: (row[0], row[1]))
        names = dict(WEEKDAYS)
        for (day, start, end), (next_day, next_start, next_end) in pairwise(rows):
            if day == next_day and next_start < end:
                raise ValidationError(
                    _("The hours on %(day)s overlap: %(a)s and %(b)s.")
                    % {"day": names[day], "a": f"{start:%H:%M}–{end:%H:%M}",
                       "b": f"{next_start:%H:%M}–{next_end:%H:%M}"},
                    code="overlap",
                )
        _refuse_stranded(self.instance, hours=[Hours(*row) for row in rows])


class DayOffFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        days_off = [Off(f.cleaned_data["from_date"], f.cleaned_data["to_date"]) for f in _live_forms(self)]
        _refuse_stranded(self.instance, days_off=days_off)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    ordering = ("weekday", "start")


class DayOffInline(admin.TabularInline):
    model = DayOff
    formset = DayOffFormSet
    extra = 0
    ordering = ("-from_date",)


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "week", "service_count", "sort_order")
    list_filter = ("is_active",)
    list_editable = ("sort_order",)
    search_fields = ("name",)
    inlines = [WorkingHoursInline, DayOffInline]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("day/", wrap(partial(specialists_day_view, self)), name="specialists_day"),
            path("book/", wrap(partial(service_phone_booking_view, self)), name="specialists_book"),
            path("revenue/", wrap(partial(revenue_view, self)), name="clinic_revenue"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hours").annotate(service_total=Count("services"))

    @admin.display(description=_("weekly hours"))
    def week(self, obj):
        return "; ".join(str(row) for row in obj.hours.all()) or "—"

    @admin.display(description=_("services"), ordering="service_total")
    def service_count(self, obj):
        return obj.service_total


class ServiceEquipmentInline(admin.TabularInline):
    model = ServiceEquipment
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "duration_minutes", "price", "prepayment_required", "is_active", "performers",
                    "sort_order")
    list_filter = ("is_active", "prepayment_required", "category")
    list_editable = ("sort_order",)
    search_fields = ("name", "category")
    filter_horizontal = ("specialists", "cabinets")
    inlines = [ServiceEquipmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialists")

    @admin.display(description=_("specialists"))
    def performers(self, obj):
        return ", ".join(s.name for s in obj.specialists.all()) or "—"
