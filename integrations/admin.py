from django.conf import settings
from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.audit.services import file_name
from integrations.delivery import deliveries_retry
from integrations.models import AuditExport, Delivery


class DeadLetterFilter(admin.SimpleListFilter):
    """Dead letters only: for Telegram deliveries and partner webhook deliveries alike (both say "dead")."""

    title = _("dead letter")
    parameter_name = "dead"

    def lookups(self, request, model_admin):
        return [("yes", _("Dead letters only"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Delivery.Status.DEAD)
        return queryset


class OutboundAdmin(admin.ModelAdmin):
    """Rows of the one delivery engine (Telegram calls, partner webhooks, e-mails): read-only, newest by date,
    with the last error cut short; a subclass adds its Retry action, which needs the model's change permission
    although the rows themselves stay read-only."""

    actions = ["retry"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return super().has_change_permission(request)

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error


@admin.register(Delivery)
class DeliveryAdmin(OutboundAdmin):
    """Outbound Telegram calls. Dead letters can be given a fresh set of attempts with the Retry action."""

    list_display = ("id", "bot", "method", "chat_id", "status", "attempts", "next_attempt_at", "short_error",
                    "created_at", "sent_at")
    list_filter = (DeadLetterFilter, "status", "bot", "method")
    search_fields = ("dedupe_key", "chat_id")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.action(description=_("Retry the selected dead deliveries"), permissions=["retry"])
    def retry(self, request, queryset):
        count = deliveries_retry(delivery_ids=queryset.values_list("pk", flat=True), now=timezone.now())
        self.message_user(request, ngettext("%(n)s delivery will be sent again.",
                                           "%(n)s deliveries will be sent again.", count) % {"n": count},
                          messages.SUCCESS if count else messages.WARNING)


@admin.register(AuditExport)
class AuditExportAdmin(admin.ModelAdmin):
    list_display = ("month_label", "created_at", "size", "bookings", "download")
    readonly_fields = ("month", "sha256", "size", "row_counts", "created_at", "download")
    exclude = ("file",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("bookings"))
    def bookings(self, obj):
        counts = obj.row_counts or {}
        return counts.get("equipment_bookings", 0) + counts.get("cabinet_bookings", 0)

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("admin:integrations_auditexport_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, file_name(obj.month))

    def get_urls(self):
        return [
            path("<int:pk>/download/", self.admin_site.admin_view(self.download_view),
                 name="integrations_auditexport_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        export = get_object_or_404(AuditExport, pk=pk)
        path_ = settings.AUDIT_DIR / export.file.name
        if not path_.is_file():
            raise Http404(_("The audit file is missing; run export_audit for this month again."))
        return FileResponse(path_.open("rb"), as_attachment=True, filename=file_name(export.month),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


from integrations import admin_libraries  # noqa: E402, F401 - guards the actions of the libraries' admins
