from django.contrib import admin

from accounts.models import IdempotencyKey, Partner, TelegramAccount


@admin.register(TelegramAccount)
class TelegramAccountAdmin(admin.ModelAdmin):
    list_display = ("telegram_id", "username", "first_name", "last_name", "is_manager", "is_blocked",
                    "last_seen_at")
    list_filter = ("is_manager", "is_blocked")
    search_fields = ("telegram_id", "username", "first_name", "last_name")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "is_active", "rate_limit_per_minute", "last_used_at")
    readonly_fields = ("key_prefix", "created_at", "last_used_at", "revoked_at")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("partner", "key", "resource_type", "booking_id", "created_at")
    list_select_related = ("partner",)
