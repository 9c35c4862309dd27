"""E-mails to clients in the admin: read-only rows with their retry state; dead letters (a bounce, the last
attempt failed) are listed with the last error and can be retried."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.admin import DeadLetterFilter, OutboundAdmin
from integrations.mail.delivery import mail_messages_retry
from integrations.mail.models import MailMessage
from kernel.adapters import adapter_for


@admin.register(MailMessage)
class MailMessageAdmin(OutboundAdmin):
    list_display = ("id", "kind", "booking", "recipient", "language", "status", "attempts", "short_error",
                    "next_attempt_at", "created_at", "sent_at")
    list_filter = (DeadLetterFilter, "status", "kind", "resource_type")
    search_fields = ("=recipient", "dedupe_key")
    readonly_fields = ("kind", "resource_type", "booking_id", "event_id", "recipient", "language", "subject", "body",
                       "method", "sequence", "status", "attempts", "last_error", "next_attempt_at", "created_at",
                       "sent_at", "dedupe_key", "calendar")
    exclude = ("client",)

    @admin.display(description=_("booking"), ordering="booking_id")
    def booking(self, obj):
        """The booking's reference ("C-12"), as every door names it."""
        return f"{adapter_for(obj.resource_type).booking_model.REFERENCE_PREFIX}-{obj.booking_id}"

    @admin.action(description=_("Retry the selected dead e-mails"), permissions=["retry"])
    def retry(self, request, queryset):
        count = mail_messages_retry(message_ids=queryset.values_list("pk", flat=True), now=timezone.now())
        self.message_user(request, ngettext("%(n)s e-mail will be sent again.",
                                           "%(n)s e-mails will be sent again.", count) % {"n": count},
                          messages.SUCCESS if count else messages.WARNING)
