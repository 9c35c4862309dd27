from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, TelegramAccount
from accounts.services import (
    partner_create,
    partner_revoke,
    partner_rotate_key,
    telegram_account_block,
    telegram_account_set_manager,
    telegram_account_unblock,
)
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.forms import ReasonForm


@admin.register(TelegramAccount)
class TelegramAccountAdmin(admin.ModelAdmin):
    list_display = ("telegram_id", "username", "first_name", "last_name", "phone", "is_manager", "is_blocked",
                    "blocked_reason", "last_seen_at")
    list_filter = ("is_manager", "is_blocked", "language_code")
    search_fields = ("telegram_id", "username", "first_name", "last_name", "phone")
    actions = ["block_selected", "unblock_selected", "make_manager", "remove_manager"]
    fields = ("telegram_id", "username", "first_name", "last_name", "language_code", "phone", "is_manager",
              "is_blocked", "blocked_reason", "blocked_at", "reminders_enabled", "created_at", "last_seen_at")
    # Block and the manager flag change through the actions (services); the rest comes from Telegram.
    readonly_fields = tuple(f for f in fields if f != "reminders_enabled")

    def has_add_permission(self, request):
        return False  # accounts come from the bots

    def _each(self, request, queryset, call, done_message):
        actor = Actor.staff(request.user)
        done = []
        for account in queryset.order_by("pk"):
            try:
                call(account, actor)
            except BookingError as exc:
                self.message_user(request, _("%(account)s was not changed: %(error)s")
                                  % {"account": account, "error": exc.message}, messages.ERROR)
            else:
                done.append(str(account))
        if done:
            self.message_user(request, done_message % {"accounts": ", ".join(done)}, messages.SUCCESS)

    @admin.action(description=_("Block selected accounts (with a reason)"), permissions=["change"])
    def block_selected(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            now, reason = timezone.now(), form.cleaned_data["reason"]
            self._each(request, queryset,
                       lambda account, actor: telegram_account_block(account=account, actor=actor, now=now,
                                                                     reason=reason),
                       _("Blocked: %(accounts)s."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Block accounts"),
            "opts": self.model._meta,
            "form": form,
            "bookings": queryset.order_by("pk"),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/clinic/booking_reason.html", context)

    @admin.action(description=_("Unblock selected accounts"), permissions=["change"])
    def unblock_selected(self, request, queryset):
        self._each(request, queryset,
                   lambda account, actor: telegram_account_unblock(account=account, actor=actor),
                   _("Unblocked: %(accounts)s."))

    @admin.action(description=_("Make selected accounts managers"), permissions=["change"])
    def make_manager(self, request, queryset):
        self._each(request, queryset,
                   lambda account, actor: telegram_account_set_manager(account=account, actor=actor,
                                                                       is_manager=True),
                   _("Now managers: %(accounts)s."))

    @admin.action(description=_("Remove the manager flag"), permissions=["change"])
    def remove_manager(self, request, queryset):
        self._each(request, queryset,
                   lambda account, actor: telegram_account_set_manager(account=account, actor=actor,
                                                                       is_manager=False),
                   _("No longer managers: %(accounts)s."))


class ScopesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Partner.Scope.choices, label=_("scopes"), required=False, **kwargs)


class PartnerCreateForm(forms.ModelForm):
    scopes = ScopesField()
    extra_secret = forms.CharField(label=_("Extra secret"), required=False, max_length=200,
                                   help_text=_("Optional second secret the partner sends as X-API-Extra."))

    class Meta:
        model = Partner
        fields = ["name", "scopes", "rate_limit_per_minute"]


class PartnerChangeForm(forms.ModelForm):
    scopes = ScopesField()

    class Meta:
        model = Partner
        fields = ["name", "scopes", "rate_limit_per_minute"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "scope_list", "is_active", "rate_limit_per_minute", "last_used_at",
                    "revoked_at")
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix")
    actions = ["revoke_selected", "rotate_key"]
    # The key hash and the extra secret hash never appear: they are not in any form or column.
    readonly_fields = ("key_prefix", "is_active", "created_at", "last_used_at", "revoked_at")

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or []) or "—"

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = PartnerChangeForm if obj is not None else PartnerCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scopes", "extra_secret", "rate_limit_per_minute"]
        return ["name", "scopes", "rate_limit_per_minute", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "scopes", "rate_limit_per_minute"])
            return
        partner, raw_key = partner_create(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
            extra_secret=form.cleaned_data["extra_secret"],
            rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
        )
        obj.pk, obj.key_prefix = partner.pk, partner.key_prefix
        request.new_partner_key = raw_key

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this one page and never again (only its hash is stored).
        return self._key_page(request, obj, request.new_partner_key)

    def _key_page(self, request, partner, raw_key):
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key for %(name)s") % {"name": partner.name},
            "opts": self.model._meta,
            "partner": partner,
            "raw_key": raw_key,
        }
        return TemplateResponse(request, "admin/accounts/partner_key.html", context)

    @admin.action(description=_("Revoke selected partners' access"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        now = timezone.now()
        names = [partner_revoke(partner=partner, now=now).name for partner in queryset.order_by("name")]
        self.message_user(request, _("Revoked: %(names)s.") % {"names": ", ".join(names)}, messages.SUCCESS)

    @admin.action(description=_("Issue a new key (shown once)"), permissions=["change"])
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one partner to issue a new key."), messages.WARNING)
            return None
        partner = queryset.get()
        if not self.has_change_permission(request, partner):
            raise PermissionDenied
        return self._key_page(request, partner, partner_rotate_key(partner=partner))


from accounts import admin_clients  # noqa: E402,F401  (registers the clients' admin)
