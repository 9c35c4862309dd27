from django.contrib import admin

from kernel.outbox.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "resource_type", "booking_id", "channel", "created_at", "processed_at")
    list_filter = ("topic", "resource_type")
    search_fields = ("=request_id",)
