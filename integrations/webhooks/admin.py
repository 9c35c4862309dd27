"""Partner webhooks in the admin: endpoints (the secret is shown once, right after creation) and their
deliveries, where dead letters are listed with the last response code and can be retried."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.admin import DeadLetterFilter, OutboundAdmin
from integrations.webhooks.delivery import webhook_deliveries_retry
from integrations.webhooks.events import EVENT_TYPE_NAMES
from integrations.webhooks.models import PartnerWebhook, WebhookDelivery
from integrations.webhooks.services import (
    check_event_types,
    check_room,
    webhook_change,
    webhook_create,
    webhook_url_refusal,
)
from kernel.errors import BookingError


class PartnerWebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(label=_("event types"), choices=[(n, n) for n in EVENT_TYPE_NAMES],
                                            widget=forms.CheckboxSelectMultiple, initial=list(EVENT_TYPE_NAMES))

    class Meta:
        model = PartnerWebhook
        fields = ("partner", "url", "event_types", "is_active")

    def clean_url(self):
        url = self.cleaned_data["url"]
        refusal = webhook_url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("partner") is not None:
            try:
                check_room(cleaned["partner"])
            except BookingError as exc:
                self.add_error("partner", str(exc.message))
        return cleaned

    def clean_event_types(self):
        try:
            return check_event_types(self.cleaned_data["event_types"])
        except BookingError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


@admin.register(PartnerWebhook)
class PartnerWebhookAdmin(admin.ModelAdmin):
    form = PartnerWebhookForm
    list_display = ("id", "partner", "url", "types", "is_active", "created_at")
    list_filter = ("is_active", "partner")
    list_select_related = ("partner",)
    search_fields = ("url", "partner__name")

    def get_readonly_fields(self, request, obj=None):
        return ("partner", "created_at") if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("partner", "url", "event_types", "is_active", *(("created_at",) if obj is not None else ()))

    @admin.display(description=_("event types"))
    def types(self, obj):
        return ", ".join(obj.event_types or []) or "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            webhook_change(webhook=obj, url=data["url"], event_types=data["event_types"], is_active=data["is_active"])
            return
        webhook, secret = webhook_create(partner=data["partner"], url=data["url"], event_types=data["event_types"],
                                         is_active=data["is_active"], now=timezone.now())
        obj.pk, obj.secret, obj.created_at = webhook.pk, webhook.secret, webhook.created_at
        request.new_webhook_secret = secret

    def save_related(self, request, form, formsets, change):
        pass  # no relations to save; the row was written by the service

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is shown on this one page; afterwards no page or column shows it.
        context = {
            **self.admin_site.each_context(request),
            "title": _("Signing secret of webhook #%(id)s") % {"id": obj.pk},
            "opts": self.model._meta,
            "webhook": obj,
            "secret": request.new_webhook_secret,
        }
        return TemplateResponse(request, "admin/webhooks/secret.html", context)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OutboundAdmin):
    list_display = ("id", "partner", "event_type", "event_id", "status", "attempts", "last_status_code",
                    "short_error", "next_attempt_at", "created_at", "delivered_at")
    list_filter = (DeadLetterFilter, "status", "event_type")
    list_select_related = ("webhook__partner",)
    search_fields = ("dedupe_key", "webhook__url", "webhook__partner__name")
    readonly_fields = ("webhook", "event_type", "event_id", "status", "attempts", "last_status_code", "last_error",
                       "next_attempt_at", "retry_until", "created_at", "delivered_at", "dedupe_key", "body")

    @admin.display(description=_("partner"), ordering="webhook__partner__name")
    def partner(self, obj):
        return obj.webhook.partner

    @admin.action(description=_("Retry the selected dead webhook deliveries"), permissions=["retry"])
    def retry(self, request, queryset):
        count = webhook_deliveries_retry(delivery_ids=queryset.values_list("pk", flat=True), now=timezone.now())
        self.message_user(request, ngettext("%(n)s webhook delivery will be sent again.",
                                           "%(n)s webhook deliveries will be sent again.", count) % {"n": count},
                          messages.SUCCESS if count else messages.WARNING)
