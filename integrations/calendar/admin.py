"""Calendar links in the admin: issue a cabinet's staff link (shown once), see who has links, revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.calendar.models import CalendarToken, staff_is_manager
from integrations.calendar.services import cabinet_url, calendar_token_issue, calendar_token_revoke


class CabinetLinkForm(forms.ModelForm):
    """A manager issues a link for anyone (or for a screen, with no holder); any other staff member who may
    create links issues them only for themselves, so their feeds never show client names."""

    request = None  # bound by the admin's get_form

    class Meta:
        model = CalendarToken
        fields = ["cabinet", "account", "user", "label"]
        help_texts = {
            "account": _("The Telegram account the link is for, if any. Client names are shown only when a manager "
                         "issues the link to a manager."),
            "user": _("The staff user the link is for, if any. Client names are shown only when a manager issues "
                      "the link to a manager; others see them masked."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cabinet"].required = True
        self.fields["cabinet"].queryset = self.fields["cabinet"].queryset.filter(is_active=True)
        if not self.issuer_is_manager:
            issuer = self.request.user if self.request is not None else None
            self.fields["user"].queryset = self.fields["user"].queryset.filter(pk=getattr(issuer, "pk", None))
            self.fields["user"].required = True
            self.fields["user"].initial = getattr(issuer, "pk", None)
            self.fields["user"].help_text = _("Only managers issue links for others.")
            self.fields["account"].disabled = True
            self.fields["account"].help_text = _("Only managers issue links for Telegram accounts.")

    @property
    def issuer_is_manager(self) -> bool:
        return self.request is not None and staff_is_manager(self.request.user)

    def clean(self):
        data = super().clean()
        if not self.issuer_is_manager and (data.get("account") is not None
                                           or data.get("user") != getattr(self.request, "user", None)):
            raise forms.ValidationError(_("Only managers issue calendar links for others."))
        return data


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    form = CabinetLinkForm
    list_display = ("prefix_shown", "cabinet", "account", "user", "label", "issued_by", "created_at", "last_used_at",
                    "active")
    list_filter = (("cabinet", admin.RelatedOnlyFieldListFilter), "revoked_at")
    list_select_related = ("cabinet", "account", "user", "issued_by")
    search_fields = ("label", "prefix", "account__username", "user__username")
    actions = ["revoke_selected"]
    readonly_fields = ("prefix", "issued_by", "created_at", "last_used_at", "revoked_at")

    @admin.display(description=_("link"))
    def prefix_shown(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description=_("active"), boolean=True)
    def active(self, obj):
        return obj.revoked_at is None

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        token, raw = calendar_token_issue(now=timezone.now(), cabinet=data["cabinet"], account=data.get("account"),
                                          user=data.get("user"), label=data.get("label") or "",
                                          issued_by=request.user)
        obj.pk, obj.prefix = token.pk, token.prefix
        request.new_calendar_url = cabinet_url(token.cabinet_id, raw)

    def response_add(self, request, obj, post_url_continue=None):
        # The link is shown on this one page and never again (only its hash is stored).
        context = {**self.admin_site.each_context(request), "title": _("Calendar link"),
                   "opts": self.model._meta, "token": obj, "url": request.new_calendar_url}
        return TemplateResponse(request, "admin/calendar_feeds/link.html", context)

    @admin.action(description=_("Revoke selected calendar links"), permissions=["delete_or_change"])
    def revoke_selected(self, request, queryset):
        now = timezone.now()
        revoked = [token for token in queryset.order_by("pk") if calendar_token_revoke(token=token, now=now)]
        self.message_user(request, _("Revoked %(n)s calendar links.") % {"n": len(revoked)}, messages.SUCCESS)

    def has_delete_or_change_permission(self, request):
        return super().has_change_permission(request) or super().has_delete_permission(request)
