"""Packages in the admin: the products on sale (edited like any model), and the packages clients bought, where a
manager sells one on a form (cash at the clinic, or from the client's wallet). A sold package is never edited
or deleted; its sessions left are shown, derived from the client's appointments (payments/packages.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kernel.channels import Actor
from kernel.errors import BookingError
from payments.admin import client_widget, form_key, money, refusal_to_form
from payments.models import ClientPackage, PackageProduct
from payments.packages import package_sell, package_sell_check, with_sessions_used
from payments.wallets import wallet_balance

PaidBy = ClientPackage.PaidBy


@admin.register(PackageProduct)
class PackageProductAdmin(admin.ModelAdmin):
    list_display = ("service", "sessions", "price", "validity_days", "is_active")
    list_filter = ("is_active", "service")
    list_select_related = ("service",)
    fields = ("service", "sessions", "price", "validity_days", "is_active")


class PackageSellForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Package"), queryset=PackageProduct.objects.filter(is_active=True)
                                     .select_related("service"))
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all())
    # At the desk: cash or the wallet (a package paid by Telegram is sold by its payment, payments.checkout).
    paid_by = forms.ChoiceField(label=_("Paid by"), widget=forms.RadioSelect, initial=PaidBy.CASH,
                                choices=[(PaidBy.CASH, PaidBy.CASH.label), (PaidBy.WALLET, PaidBy.WALLET.label)])

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].widget = client_widget(admin_site, self.fields["client"])

    def clean(self):
        data = super().clean()
        if {"product", "client", "paid_by"} <= data.keys():
            try:  # read-only: the service checks again under the client's lock when it sells
                package_sell_check(product=data["product"], client=data["client"], paid_by=data["paid_by"])
            except BookingError as exc:
                refusal_to_form(self, exc)
        return data


@admin.register(ClientPackage)
class ClientPackageAdmin(admin.ModelAdmin):
    list_display = ("bought_at", "client", "service", "remaining", "valid_until", "paid_by", "paid", "actor")
    list_select_related = ("client", "service")
    list_filter = ("paid_by", "service", "valid_until")
    search_fields = ("client__name", "client__phone")
    fields = ("client", "product", "service", "sessions", "remaining", "bought_at", "valid_until", "paid_by", "paid",
              "wallet_transaction", "actor")
    readonly_fields = fields

    def get_queryset(self, request):
        return with_sessions_used(super().get_queryset(request))

    @admin.display(description=_("sessions left"))
    def remaining(self, obj):
        return f"{max(obj.sessions - obj.sessions_used, 0)} / {obj.sessions}"

    @admin.display(description=_("price paid"), ordering="price")
    def paid(self, obj):
        return money(obj.price, obj.currency)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PackageSellForm(request.POST or None, initial=request.GET.dict() or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                package = package_sell(product=data["product"], client=data["client"], paid_by=data["paid_by"],
                                       actor=Actor.staff(request.user), now=timezone.now(),
                                       idempotency_key=f"admin:{form_key(request)}")
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_addition(request, package, [{"added": {}}])
                self.message_user(request, _("%(package)s sold to %(client)s (%(paid_by)s, %(price)s), valid until "
                                             "%(day)s.") % {
                    "package": package.product, "client": package.client.name,
                    "paid_by": package.get_paid_by_display(), "price": money(package.price, package.currency),
                    "day": f"{package.valid_until:%d.%m.%Y}"}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:payments_clientpackage_changelist"))
        client = getattr(form, "cleaned_data", {}).get("client") if form.is_bound else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sell a package"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "key": uuid.uuid4().hex,
            "client": client,
            "balance": money(wallet_balance(client), settings.CURRENCY) if client is not None else None,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/payments/package_sell.html", context)
