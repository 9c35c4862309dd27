from django.contrib import admin

from kernel.models import IdempotencyKey


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write (records, ledgers, counters): seen in the admin, never added, edited or deleted
    there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("partner", "key", "resource_type", "booking_id", "response_status", "created_at")
    list_select_related = ("partner",)
    list_filter = ("resource_type",)
    readonly_fields = ("partner", "key", "request_hash", "resource_type", "booking_id", "response_status",
                       "response_body", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
