"""Recurring cabinet bookings in the admin: a manager books a series on a form (cabinets.series decides),
sees its dates and cancels it from a date on. One date alone is cancelled like any booking."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cabinets.forms import CabinetSeriesForm, EquipmentLines, SeriesCancelForm, equipment_lines
from cabinets.models import CabinetSeries
from cabinets.series import cabinet_series_cancel, cabinet_series_create, series_occurrences
from equipment.admin_bookings import refusal_to_form
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.errors import BookingError


def _local(moment):
    return timezone.localtime(moment, clinic_zone())


@admin.register(CabinetSeries)
class CabinetSeriesAdmin(admin.ModelAdmin):
    list_display = ("id", "cabinet", "first", "repeat", "client_name", "booked", "status", "channel")
    list_filter = ("status", ("cabinet", admin.RelatedOnlyFieldListFilter), "channel")
    list_select_related = ("cabinet",)
    search_fields = ("client_name", "client_phone", "external_booking_id")
    actions = ["cancel_upcoming"]
    fields = ("status", "cabinet", "starts_at", "duration_minutes", "every_weeks", "count", "until", "client_name",
              "client_phone", "comment", "requester", "partner", "external_booking_id", "channel", "created_by",
              "dates", "skipped_dates", "created_at", "updated_at")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("first date"), ordering="starts_at")
    def first(self, obj):
        start = _local(obj.starts_at)
        return f"{date_format(start.date(), 'D d.m.Y')} {start:%H:%M}"

    @admin.display(description=_("repeat"))
    def repeat(self, obj):
        until = (_("%(n)s times") % {"n": obj.count} if obj.count
                 else _("until %(day)s") % {"day": date_format(obj.until, "d.m.Y")})
        return _("every %(n)s wk., %(until)s") % {"n": obj.every_weeks, "until": until}

    @admin.display(description=_("upcoming"))
    def booked(self, obj):
        return obj.occurrences.filter(status__in=HOLDING_STATUSES, starts_at__gt=timezone.now()).count()

    @admin.display(description=_("dates"))
    def dates(self, obj):
        rows = [(reverse("admin:cabinets_cabinetbooking_change", args=[b.pk]), b.series_index,
                 f"{date_format(_local(b.starts_at).date(), 'D d.m.Y')} {_local(b.starts_at):%H:%M}",
                 b.get_status_display()) for b in series_occurrences(obj)]
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">#{} {}</a> — {}</li>', rows))

    @admin.display(description=_("skipped dates"))
    def skipped_dates(self, obj):
        return "; ".join(f"{s['date']}: {s['reason']}" for s in obj.skipped) or "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<path:object_id>/cancel/", wrap(self.cancel_view), name="cabinets_cabinetseries_cancel"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "cancel_url": reverse("admin:cabinets_cabinetseries_cancel",
                                                                args=[object_id])}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    change_form_template = "admin/cabinets/series_change_form.html"

    # --- Booking a series -------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CabinetSeriesForm(request.POST or None, initial=request.GET.dict() or None)
        lines = EquipmentLines(request.POST or None, prefix="equipment")
        if request.method == "POST" and form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                series = cabinet_series_create(
                    cabinet=data["cabinet"], starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
                    every_weeks=data["every_weeks"], count=data["count"], until=data["until"],
                    skip_conflicts=data["skip_conflicts"], client_name=data["client_name"],
                    client_phone=data["client_phone"], comment=data["comment"], equipment=equipment_lines(lines),
                    requester=data.get("requester"), actor=Actor.staff(request.user), channel=Channel.ADMIN,
                    now=timezone.now(),
                )
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_addition(request, series, [{"added": {}}])
                booked = series.occurrences.count()
                message = _("Series #%(id)s booked: %(n)s dates.") % {"id": series.pk, "n": booked}
                if series.skipped:
                    message += " " + _("Skipped: %(list)s.") % {"list": self.skipped_dates(series)}
                self.message_user(request, message, messages.WARNING if series.skipped else messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cabinets_cabinetseries_change", args=[series.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Recurring booking: cabinet"),
            "opts": self.model._meta,
            "form": form,
            "equipment_formset": lines,
            "free_slots": None,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/clinic/phone_booking.html", context)

    # --- Cancelling -------------------------------------------------------------------------------

    def _cancel(self, request, series, *, from_date=None, reason="") -> int:
        cancelled = cabinet_series_cancel(series=series, actor=Actor.staff(request.user), now=timezone.now(),
                                          from_date=from_date, reason=reason, channel=Channel.ADMIN)
        return len(cancelled)

    def cancel_view(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        series = get_object_or_404(CabinetSeries, pk=object_id)
        form = SeriesCancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                n = self._cancel(request, series, from_date=form.cleaned_data["from_date"],
                                 reason=form.cleaned_data["reason"])
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.message_user(request, _("%(n)s dates of series #%(id)s cancelled.") % {"n": n, "id": series.pk},
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:cabinets_cabinetseries_change", args=[series.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel series #%(id)s") % {"id": series.pk},
            "opts": self.model._meta,
            "form": form,
            "series": series,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/cabinets/series_cancel.html", context)

    @admin.action(description=_("Cancel every upcoming date of the selected series"), permissions=["change"])
    def cancel_upcoming(self, request, queryset):
        done = 0
        for series in queryset:
            try:
                done += self._cancel(request, series)
            except BookingError as exc:
                self.message_user(request, f"#{series.pk}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(n)s dates cancelled.") % {"n": done}, messages.SUCCESS)
