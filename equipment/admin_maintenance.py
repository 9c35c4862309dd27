"""The admin's maintenance windows: a manager takes units out of service for some days. Saving goes
through equipment.maintenance, which refuses a window that strands bookings (listing them) unless
"Cancel affected bookings and notify the clients" is ticked."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.maintenance import maintenance_window_delete, maintenance_window_save
from equipment.models import MaintenanceWindow
from kernel.channels import Actor
from kernel.errors import BookingError


class MaintenanceWindowForm(forms.ModelForm):
    cancel_affected = forms.BooleanField(
        label=_("Cancel affected bookings and notify the clients"), required=False,
        help_text=_("When the units are booked on those days, cancel as few bookings as needed (the most "
                    "recent first) and notify their clients. Without this the window is refused and the "
                    "bookings are listed."))
    request = None  # bound by the admin's get_form

    class Meta:
        model = MaintenanceWindow
        fields = ["item", "units", "start_date", "end_date", "reason"]

    def clean(self):
        data = super().clean()
        if self.errors or self.request is None:
            return data
        try:
            self.instance = maintenance_window_save(
                item=data["item"], units=data["units"], start_date=data["start_date"], end_date=data["end_date"],
                reason=data["reason"], actor=Actor.staff(self.request.user), now=timezone.now(),
                cancel_affected=bool(data.get("cancel_affected")),
                window=self.instance if self.instance.pk else None,
            )
        except BookingError as exc:
            field = exc.details.get("field")
            if field in self.fields:
                self.add_error(field, str(exc.message))
            else:
                raise forms.ValidationError(str(exc.message)) from exc
        return data


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    form = MaintenanceWindowForm
    list_display = ("item", "units", "start_date", "end_date", "reason", "created_by")
    list_filter = ("item",)
    list_select_related = ("item", "created_by")
    search_fields = ("item__name", "reason")
    date_hierarchy = "start_date"
    fields = ("item", "units", "start_date", "end_date", "reason", "cancel_affected")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        """Already saved by the service in the form's clean, under the item's lock."""

    def delete_model(self, request, obj):
        maintenance_window_delete(window=obj, actor=Actor.staff(request.user))

    def delete_queryset(self, request, queryset):
        for window in queryset:
            maintenance_window_delete(window=window, actor=Actor.staff(request.user))
