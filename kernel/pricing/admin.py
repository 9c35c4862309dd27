"""Discount rules, the daily discount quota with today's use of it, and the use of past days. The form refuses
a percentage outside 0–100, a negative amount and a kind that does not exist, each on its field."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.admin import ReadOnlyAdmin
from kernel.clock import clinic_today
from kernel.pricing.labels import number_text
from kernel.pricing.models import DiscountQuota, DiscountQuotaUse, DiscountRule
from kernel.pricing.quota import QUOTA_ROW, daily_limit, daily_limit_set, quota_used


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "shown_percent", "min_total", "active_from", "active_until", "is_active")
    list_display_links = ("kind", "shown_percent")
    list_filter = ("kind", "is_active")
    fields = ("kind", "percent", "min_total", "active_from", "active_until", "is_active")

    @admin.display(description=_("percent"), ordering="percent")
    def shown_percent(self, obj):
        return f"{number_text(obj.percent)} %"


@admin.register(DiscountQuota)
class DiscountQuotaAdmin(admin.ModelAdmin):
    """One page: the quota, and how much of it today's bookings took."""

    fields = ("daily_limit", "today")
    readonly_fields = ("today",)

    @admin.display(description=_("used today"))
    def today(self, obj):
        limit = obj.daily_limit
        used = quota_used(clinic_today(timezone.now()))
        if not limit:
            return _("%(used)s discounted bookings (no limit)") % {"used": used}
        return _("%(used)s of %(limit)s discounted bookings") % {"used": used, "limit": limit}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # The quota is one row: the list is its page.
        return HttpResponseRedirect(reverse("admin:pricing_discountquota_change", args=[QUOTA_ROW]))

    def get_object(self, request, object_id, from_field=None):
        # Until a manager or the catalogue saves it, the quota is DISCOUNT_DAILY_QUOTA: shown, not yet written.
        found = super().get_object(request, object_id, from_field)
        if found is None and str(object_id) == str(QUOTA_ROW):
            return DiscountQuota(pk=QUOTA_ROW, daily_limit=daily_limit())
        return found

    def save_model(self, request, obj, form, change):
        daily_limit_set(obj.daily_limit)


@admin.register(DiscountQuotaUse)
class DiscountQuotaUseAdmin(ReadOnlyAdmin):
    """Discounts taken per clinic day (written by bookings only)."""

    list_display = ("day", "used")
    date_hierarchy = "day"
