from django.contrib import admin

from cabinets.models import (
    Cabinet,
    CabinetBooking,
    CabinetBookingStatusChange,
    Closure,
    Holiday,
    SlotHold,
    WeeklySchedule,
)


class WeeklyScheduleInline(admin.TabularInline):
    model = WeeklySchedule
    extra = 0


@admin.register(Cabinet)
class CabinetAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "floor", "capacity", "is_active")
    inlines = [WeeklyScheduleInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("cabinet", "date", "start_time", "end_time", "reason")


class StatusChangeInline(admin.TabularInline):
    model = CabinetBookingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "channel", "actor", "reason", "at")


@admin.register(CabinetBooking)
class CabinetBookingAdmin(admin.ModelAdmin):
    list_display = ("id", "cabinet", "starts_at", "ends_at", "status", "channel", "created_at")
    list_filter = ("status", "channel", "cabinet")
    list_select_related = ("cabinet",)
    inlines = [StatusChangeInline]


@admin.register(SlotHold)
class SlotHoldAdmin(admin.ModelAdmin):
    list_display = ("cabinet", "holder", "starts_at", "ends_at", "expires_at")
