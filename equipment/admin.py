from django.contrib import admin

from equipment.models import EquipmentBooking, EquipmentBookingStatusChange, Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "quantity", "sort_order", "is_active", "permanently_reserved", "cabinet")
    list_filter = ("is_active", "permanently_reserved", "category")
    search_fields = ("name",)


class StatusChangeInline(admin.TabularInline):
    model = EquipmentBookingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "channel", "actor", "reason", "at")


@admin.register(EquipmentBooking)
class EquipmentBookingAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "start_date", "end_date", "units", "status", "channel", "created_at")
    list_filter = ("status", "channel")
    list_select_related = ("item",)
    inlines = [StatusChangeInline]
