"""Clients in the admin: found by name, phone or e-mail, filtered by what is known about them, and their
bookings of every kind listed on their page. Records come from bookings (no "add"), and are anonymised by the
retention purge rather than deleted; a manager edits only the birthday, the e-mail and the personal discount,
through `accounts.clients.client_change`."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.clients import clean_birthday, clean_email, client_change
from accounts.models import Client
from kernel.adapters import adapters
from kernel.bookings import Status
from kernel.contacts import format_phone
from kernel.errors import BookingError

BOOKINGS_SHOWN = 100  # per kind of booking, the latest first


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ("birthday", "email", "personal_discount_percent")
        error_messages = {
            "personal_discount_percent": {
                "max_value": _("A personal discount is at most %(limit_value)s%%."),
                "min_value": _("A personal discount cannot be negative."),
            },
            "email": {"invalid": _("The e-mail address is not valid. Example: name@example.com")},
        }

    def clean_birthday(self):
        try:
            return clean_birthday(self.cleaned_data.get("birthday"), now=timezone.now())
        except BookingError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_email(self):
        try:
            return clean_email(self.cleaned_data.get("email"))
        except BookingError as exc:
            raise forms.ValidationError(exc.message) from None


class _YesNoFilter(admin.SimpleListFilter):
    """A filter with "yes" and "no", each a condition on the client."""

    yes: Q

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.yes)
        if self.value() == "no":
            return queryset.exclude(self.yes)
        return queryset


class EmailFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [("given", _("Given")), ("bounced", _("Bounced")), ("none", _("None"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "given":
            return queryset.exclude(email="").filter(email_bounced_at__isnull=True)
        if value == "bounced":
            return queryset.filter(email_bounced_at__isnull=False)
        if value == "none":
            return queryset.filter(email="")
        return queryset


class BirthdayFilter(_YesNoFilter):
    title = _("birthday known")
    parameter_name = "birthday"
    yes = Q(birthday__isnull=False)


class DiscountFilter(_YesNoFilter):
    title = _("personal discount")
    parameter_name = "discount"
    yes = Q(personal_discount_percent__gt=0)


class TelegramFilter(_YesNoFilter):
    title = _("books in Telegram")
    parameter_name = "telegram"
    yes = Q(telegram_account__isnull=False)


class AnonymisedFilter(_YesNoFilter):
    title = _("anonymised")
    parameter_name = "anonymised"
    yes = Q(anonymised_at__isnull=False)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ("__str__", "phone_number", "email", "birthday", "personal_discount_percent", "telegram_account",
                    "updated_at")
    list_filter = (EmailFilter, BirthdayFilter, DiscountFilter, TelegramFilter, AnonymisedFilter)
    list_select_related = ("telegram_account",)
    search_fields = ("name", "email")
    list_per_page = 50
    fields = ("name", "phone_number", "birthday", "email", "email_bounced_at", "personal_discount_percent",
              "telegram_account", "birthday_asked_at", "created_at", "updated_at", "anonymised_at", "bookings")
    EDITABLE = ("birthday", "email", "personal_discount_percent")

    def has_add_permission(self, request):
        return False  # clients come from bookings

    def has_delete_permission(self, request, obj=None):
        return False  # the retention purge anonymises them; bookings point at them

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.anonymised_at is not None:
            return self.fields  # nothing left to edit
        return [name for name in self.fields if name not in self.EDITABLE]

    def save_model(self, request, obj, form, change):
        # Only what the form edits is written, through the service (a new e-mail has not bounced).
        client_change(client=obj, changed=form.changed_data, now=timezone.now())

    def get_search_results(self, request, queryset, search_term):
        """Names and e-mails as usual; a phone however it is typed ("8 (999) 123-45-67", "1234567")."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"\D", "", search_term)
        if len(digits) >= 4:
            results |= queryset.filter(phone__contains=digits[1:] if len(digits) == 11 else digits)
        return results, may_have_duplicates

    @admin.display(description=_("phone"), ordering="phone")
    def phone_number(self, obj):
        return "—" if obj.anonymised_at is not None else format_phone(obj.phone)

    @admin.display(description=_("bookings"))
    def bookings(self, obj):
        """Every booking that points at this client, of every kind (equipment, cabinets and appointments), the
        latest first, each a link to its own page."""
        rows = []
        for model in sorted({adapter.booking_model for adapter in adapters()}, key=lambda m: m._meta.label):
            url_name = f"{self.admin_site.name}:{model._meta.app_label}_{model._meta.model_name}_change"
            for booking in (model.objects.filter(client=obj).select_related()
                            .order_by("-created_at", "-pk")[:BOOKINGS_SHOWN]):
                rows.append((booking.created_at, reverse(url_name, args=[booking.pk]), str(booking),
                             Status(booking.status).label))
        if not rows:
            return _("No bookings.")
        rows.sort(key=lambda row: row[0], reverse=True)
        return format_html('<ul class="client-bookings">{}</ul>', format_html_join(
            "", '<li><a href="{}">{}</a> · {}</li>', ((url, text, status) for _at, url, text, status in rows)))
