"""The admins that libraries register (django-celery-beat's periodic tasks, django-axes' login attempts), with
their actions behind the permission of what they change: as shipped, a staff member who may only view these
rows could enable, disable or run a scheduled job, or delete lockouts."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


class GuardedPeriodicTaskAdmin(PeriodicTaskAdmin):
    @admin.action(description=PeriodicTaskAdmin.enable_tasks.short_description, permissions=["change"])
    def enable_tasks(self, request, queryset):
        return super().enable_tasks(request, queryset)

    @admin.action(description=PeriodicTaskAdmin.disable_tasks.short_description, permissions=["change"])
    def disable_tasks(self, request, queryset):
        return super().disable_tasks(request, queryset)

    @admin.action(description=PeriodicTaskAdmin.toggle_tasks.short_description, permissions=["change"])
    def toggle_tasks(self, request, queryset):
        return super().toggle_tasks(request, queryset)

    @admin.action(description=PeriodicTaskAdmin.run_tasks.short_description, permissions=["change"])
    def run_tasks(self, request, queryset):
        return super().run_tasks(request, queryset)


class GuardedAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.action(description=AccessAttemptAdmin.cleanup_expired_attempts.short_description,
                  permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):
        return super().cleanup_expired_attempts(request, queryset)


for model, model_admin in ((PeriodicTask, GuardedPeriodicTaskAdmin), (AccessAttempt, GuardedAccessAttemptAdmin)):
    if admin.site.is_registered(model):  # axes registers its admins only when AXES_ENABLE_ADMIN is on
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
