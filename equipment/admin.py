from __future__ import annotations

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from equipment import rules
from equipment.admin_bookings import ACTIVE, BookingAdminMixin, DateRangeFilter, StatusFilter, refusal_to_form
from equipment.attendance import equipment_booking_mark_no_show
from equipment.availability import clinic_zone, equipment_grid
from equipment.forms import EquipmentMoveForm, EquipmentPhoneBookingForm, ItemForm, MonthForm
from equipment.models import EquipmentBooking, EquipmentBookingStatusChange, Item
from equipment.services import (
    RESOURCE,
    equipment_booking_approve,
    equipment_booking_cancel,
    equipment_booking_create,
    equipment_booking_move,
    equipment_booking_reject,
    item_catalogue_change,
)
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.scheduling import add_months, date_range
from kernel.waitlist.services import waiting_by_day


def safe_next(request, fallback: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


class ServiceSaveAdmin(admin.ModelAdmin):
    """Forms run the services' pure checks; save_model / save_formset call the services, which check again
    under their locks. Should bookings have changed in between, the refusal leaves the admin's transaction
    (rolling back everything this request wrote) and the page reloads with it as an error message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BookingError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Item)
class ItemAdmin(ServiceSaveAdmin):
    list_display = ("name", "category", "quantity", "price_per_day", "sort_order", "is_active",
                    "permanently_reserved", "prepayment_required", "cabinet")
    form = ItemForm
    list_editable = ("sort_order",)  # units and withdrawal are checked against bookings on the item's page
    list_filter = ("is_active", "permanently_reserved", "prepayment_required", "category", "cabinet")
    list_select_related = ("cabinet",)
    search_fields = ("name", "category")
    fields = ("name", "category", "description", "quantity", "turnaround_days", "price_per_day",
              "prepayment_required", "sort_order", "is_active", "permanently_reserved", "cabinet", "cancel_affected")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        # Fewer units or a withdrawal goes through the service: it cancels what the manager chose to cancel.
        if change:
            item_catalogue_change(item=obj, actor=Actor.staff(request.user), now=timezone.now(),
                                  quantity=obj.quantity, is_active=obj.is_active,
                                  cancel_affected=bool(form.cleaned_data.get("cancel_affected")))
        super().save_model(request, obj, form, change)


class StatusChangeInline(admin.TabularInline):
    model = EquipmentBookingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "channel", "actor", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EquipmentBooking)
class EquipmentBookingAdmin(BookingAdminMixin, admin.ModelAdmin):
    approve_service = staticmethod(equipment_booking_approve)
    reject_service = staticmethod(equipment_booking_reject)
    cancel_service = staticmethod(equipment_booking_cancel)
    no_show_service = staticmethod(equipment_booking_mark_no_show)
    price_resource_type = RESOURCE

    list_display = ("reference", "status_badge", "item_units", "dates", "client_column", "attendance", "source",
                    "channel", "created")
    list_display_links = ("reference", "item_units")
    list_filter = (StatusFilter, DateRangeFilter, ("item", admin.RelatedOnlyFieldListFilter), "channel")
    list_select_related = ("item", "requester", "partner", "created_by")
    search_fields = ("client_name", "external_booking_id", "requester__username", "item__name")
    date_hierarchy = "start_date"
    list_per_page = 50
    inlines = [StatusChangeInline]
    fields = ("status", "item", "units", "start_date", "end_date", "starts_at", "ends_at", "cabinet_booking",
              "client_name", "client_phone", "client_record", "comment", "manager_comment", "channel", "requester",
              "partner", "external_booking_id", "created_by", "status_reason", "decided_by", "decided_at",
              "client_confirmed_at", "created_at", "updated_at")

    resource_rules = rules

    def filter_dates(self, queryset, start: date | None, end: date | None):
        if start is not None:
            queryset = queryset.filter(end_date__gte=start)
        if end is not None:
            queryset = queryset.filter(start_date__lte=end)
        return queryset

    @admin.display(description=_("item"), ordering="item__name")
    def item_units(self, obj):
        return f"{obj.item} × {obj.units}"

    @admin.display(description=_("dates"), ordering="start_date")
    def dates(self, obj):
        first = date_format(obj.start_date, "d.m.Y")
        if obj.starts_at:
            local = timezone.localtime(obj.starts_at, clinic_zone()), timezone.localtime(obj.ends_at, clinic_zone())
            return f"{first} {local[0]:%H:%M}–{local[1]:%H:%M}"
        if obj.end_date != obj.start_date:
            return f"{first} – {date_format(obj.end_date, 'd.m.Y')}"
        return first

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("occupancy/", wrap(self.occupancy_view), name="equipment_occupancy"),
            path("<path:object_id>/move/", wrap(self.move_view), name="equipment_equipmentbooking_move"),
            *super().get_urls(),
        ]

    # --- Phone booking ----------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = EquipmentPhoneBookingForm(request.POST or None, initial=request.GET.dict() or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                booking = equipment_booking_create(
                    item=data["item"], start_date=data["start_date"], end_date=data["end_date"],
                    units=data["units"], client_name=data["client_name"], client_phone=data["client_phone"],
                    comment=data["comment"], actor=Actor.staff(request.user), channel=Channel.ADMIN,
                    now=timezone.now(),
                )
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_addition(request, booking, [{"added": {}}])
                self.message_user(request, _("Booking %(ref)s created and approved.") % {"ref": booking.reference},
                                  messages.SUCCESS)
                change_url = reverse("admin:equipment_equipmentbooking_change", args=[booking.pk])
                return HttpResponseRedirect(safe_next(request, change_url))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Phone booking: equipment"),
            "opts": self.model._meta,
            "form": form,
            "next": request.GET.get("next", ""),
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/clinic/phone_booking.html", context)

    # --- Move -------------------------------------------------------------------------------------

    def move_view(self, request, object_id):
        booking = get_object_or_404(EquipmentBooking.objects.select_related("item"), pk=object_id)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        initial = {"item": booking.item_id, "start_date": booking.start_date, "end_date": booking.end_date,
                   "units": booking.units}
        form = EquipmentMoveForm(request.POST or None, initial=initial)
        change_url = reverse("admin:equipment_equipmentbooking_change", args=[booking.pk])
        return self.move_page(request, booking, form, change_url=change_url, changed=["item", "dates", "units"],
                              move=lambda data, actor, now: equipment_booking_move(
                                  booking=booking, actor=actor, now=now, item=data["item"],
                                  start_date=data["start_date"], end_date=data["end_date"], units=data["units"]))

    # --- Occupancy month view ---------------------------------------------------------------------

    def occupancy_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate(timezone.now(), clinic_zone())
        form = MonthForm(request.GET)
        year, month = today.year, today.month
        if form.is_valid() and form.cleaned_data["month"]:
            year, month = (int(p) for p in form.cleaned_data["month"].split("-"))
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                year, month = today.year, today.month
        first = date(year, month, 1)
        next_year, next_month = add_months(year, month, 1)
        last = date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)
        items = list(Item.objects.filter(Q(is_active=True) | Q(bookings__end_date__gte=first,
                                                                bookings__start_date__lte=last))
                     .distinct().order_by("sort_order", "name"))
        grid = equipment_grid(items=items, start_date=first, end_date=last)
        waiting = waiting_by_day(resource_type="equipment", resource_ids=[i.pk for i in items], start_date=first,
                                 end_date=last)
        days = list(date_range(first, last))
        changelist = reverse("admin:equipment_equipmentbooking_changelist")
        waitlist = reverse("admin:waitlist_wait_changelist")
        rows = []
        for item in items:
            cells = []
            for day in days:
                used, total = grid.peak(item.pk, day), grid.total(item.pk)
                if total == 0:
                    level = "none"
                elif used == 0 and not grid.blocked(item.pk, day):
                    level = "free"
                elif grid.free(item.pk, day) == 0:
                    level = "full"
                else:
                    level = "partial"
                query = urlencode({"item__id__exact": item.pk, "date_from": day.isoformat(),
                                   "date_to": day.isoformat(), "status": ACTIVE})
                waits = urlencode({"resource_type": "equipment", "resource_id": item.pk, "day": day.isoformat()})
                cells.append({"used": used, "total": total, "level": level, "url": f"{changelist}?{query}",
                              "weekend": day.weekday() >= 5, "today": day == today,
                              "turnaround": grid.turnaround.get((item.pk, day), 0),
                              "maintenance": grid.maintenance.get((item.pk, day), 0),
                              "waiting": waiting.get((item.pk, day), 0), "waitlist_url": f"{waitlist}?{waits}"})
            rows.append({"item": item, "cells": cells})
        prev_y, prev_m = add_months(year, month, -1)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Equipment occupancy"),
            "opts": self.model._meta,
            "month_label": date_format(first, "F Y"),
            "days": [{"day": d, "weekend": d.weekday() >= 5, "today": d == today} for d in days],
            "rows": rows,
            "prev_month": f"{prev_y:04d}-{prev_m:02d}",
            "next_month": f"{next_year:04d}-{next_month:02d}",
            "this_month": f"{today.year:04d}-{today.month:02d}",
        }
        return TemplateResponse(request, "admin/equipment/occupancy.html", context)


from equipment import admin_maintenance  # noqa: E402,F401  (registers the maintenance windows' admin)
