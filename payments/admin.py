"""Wallet transactions in the admin: the ledger to read and search, and one form where a manager deposits cash or
makes a correction. Rows are never edited or deleted; a mistake is put right by a correction."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kernel.channels import Actor
from kernel.contacts import format_phone
from kernel.errors import BookingError
from payments.models import WalletTransaction
from payments.wallets import wallet_balance, wallet_balance_subquery, wallet_check, wallet_post

Kind = WalletTransaction.Kind


def money(amount, currency: str, *, signed: bool = False) -> str:
    text = number_format(amount, 2, force_grouping=True)
    return f"{'+' if signed and amount > 0 else ''}{text} {currency}"


def client_widget(admin_site, form_field=None):
    """A search box when the clients' admin can search them, else the client's id with its lookup link. Given
    the form's field, the widget takes that field's choices (a widget set after the field's own has none)."""
    field = WalletTransaction._meta.get_field("client")
    client_admin = admin_site._registry.get(Client)
    if client_admin is not None and client_admin.search_fields:
        widget = AutocompleteSelect(field, admin_site)
    else:
        widget = ForeignKeyRawIdWidget(field.remote_field, admin_site)
    if form_field is not None:
        widget.choices = form_field.choices
    return widget


class WalletPostForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect, initial=Kind.DEPOSIT,
                             choices=[(Kind.DEPOSIT, _("Deposit (cash at the clinic)")),
                                      (Kind.CORRECTION, _("Correction"))])
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2,
                                help_text=_("A deposit is more than zero. A correction adds money when positive "
                                            "and takes it away when negative."))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].widget = client_widget(admin_site, self.fields["client"])

    def clean(self):
        data = super().clean()
        if {"client", "kind", "amount"} <= data.keys():
            try:  # read-only: the service checks again under the client's lock when it posts
                data["amount"] = wallet_check(client=data["client"], kind=data["kind"], amount=data["amount"])
            except BookingError as exc:
                refusal_to_form(self, exc)
        return data


def refusal_to_form(form: forms.Form, exc: BookingError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


KEY = re.compile(r"[0-9a-f]{32}")


def form_key(request) -> str:
    """The key of the form shown (one per form: the same form sent twice, a double click or a reload, does its
    operation once), or a fresh one when the form came without a well-formed key."""
    key = request.POST.get("key", "")
    return key if KEY.fullmatch(key) else uuid.uuid4().hex


class ClientColumns:
    """A row's client (name, phone) as columns, and its search finding the phone however it is typed."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"\D", "", search_term)
        if len(digits) >= 4:  # "8 999 123-45-67" finds +79991234567
            results |= queryset.filter(client__phone__contains=digits[1:] if len(digits) == 11 else digits)
        return results, may_have_duplicates

    @admin.display(description=_("client"), ordering="client__name")
    def client_name(self, obj):
        return obj.client.name

    @admin.display(description=_("phone"))
    def client_phone(self, obj):
        return format_phone(obj.client.phone)


@admin.register(WalletTransaction)
class WalletTransactionAdmin(ClientColumns, admin.ModelAdmin):
    list_display = ("created_at", "client_name", "client_phone", "kind", "signed_amount", "reason", "actor",
                    "booking", "balance")
    list_select_related = ("client",)
    list_filter = ("kind", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("client__name", "client__phone")
    fields = ("client", "kind", "signed_amount", "reason", "actor", "booking", "idempotency_key", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(client_balance=wallet_balance_subquery("client"))

    @admin.display(description=_("amount"), ordering="amount")
    def signed_amount(self, obj):
        return money(obj.amount, obj.currency, signed=True)

    @admin.display(description=_("booking"))
    def booking(self, obj):
        return f"{obj.resource_type} #{obj.booking_id}" if obj.booking_id else "—"

    @admin.display(description=_("client's balance now"))
    def balance(self, obj):
        return money(obj.client_balance or 0, obj.currency)

    # --- The ledger is append-only -----------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Deposit or correction ---------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WalletPostForm(request.POST or None, initial=request.GET.dict() or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                posted = wallet_post(
                    client=data["client"], kind=data["kind"], amount=data["amount"], reason=data["reason"],
                    actor=Actor.staff(request.user), now=timezone.now(),
                    idempotency_key=f"admin:{form_key(request)}")
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_addition(request, posted, [{"added": {}}])
                self.message_user(request, _("%(kind)s of %(amount)s posted for %(client)s. The balance is now "
                                             "%(balance)s.") % {
                    "kind": posted.get_kind_display(), "amount": money(posted.amount, posted.currency, signed=True),
                    "client": posted.client.name,
                    "balance": money(wallet_balance(posted.client), posted.currency)}, messages.SUCCESS)
                changelist = reverse("admin:payments_wallettransaction_changelist")
                return HttpResponseRedirect(f"{changelist}?client__id__exact={posted.client_id}")
        client = form_client(form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deposit or correction"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "key": uuid.uuid4().hex,
            "client": client,
            "balance": money(wallet_balance(client), settings.CURRENCY) if client is not None else None,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/payments/wallet_post.html", context)



def form_client(form: WalletPostForm) -> Client | None:
    """The client the form names (as sent, or in the link that opened it), to show their balance beside it."""
    if form.is_bound:
        return getattr(form, "cleaned_data", {}).get("client")
    raw = str(form.initial.get("client", ""))
    return Client.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 18 else None


from payments import admin_packages, admin_payments  # noqa: E402, F401  the packages' and payments' admin pages
