"""Payments and refunds in the admin. Both lists are read-only: a payment row is written by the checkout
(payments/checkout.py), a refund by payments/refunds.py. A manager acts on two pages of their own: "Mark paid in
cash" (a booking named by its reference, E-12 or C-3) and, on a paid payment, "Refund" (to the client's wallet,
or the record of a refund made to the card in the provider's dashboard). Each form carries its own operation key,
so a form sent twice does it once; every refusal is shown on the form. The month's reconciliation of the money
(payments/reconciliation.py) is a page of the payments' list too."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kernel import admin as kernel_admin
from kernel.adapters import adapter_for, adapters
from kernel.channels import Actor
from kernel.clock import clinic_today
from kernel.errors import BookingError
from payments.admin import ClientColumns, form_key, money, refusal_to_form
from payments.direct import mark_paid_in_cash
from payments.models import Payment, Refund
from payments.reconciliation import Reconciliation, month_reconciliation
from payments.refunds import refund_make, refundable

REFERENCE = re.compile(r"^\s*([A-Za-z])\s*-?\s*(\d{1,18})\s*$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def resource_types(prefix: str) -> list[str]:
    """The resource types whose bookings' references start with `prefix` (C: cabinet bookings and the
    appointments stored as them), the one registered first first."""
    prefix = prefix.upper()
    return [adapter.resource_type for adapter in adapters()
            if getattr(adapter.booking_model, "REFERENCE_PREFIX", "") == prefix]


def booking_by_reference(text: str):
    """(resource type, booking) a reference like "E-12" names, or None."""
    match = REFERENCE.match(text or "")
    if match is None:
        return None
    types = resource_types(match.group(1))
    if not types:
        return None
    resource_type = types[0]
    booking = adapter_for(resource_type).booking_model.objects.filter(pk=int(match.group(2))).first()
    return (resource_type, booking) if booking is not None else None


def booking_admin_url(resource_type: str, booking_id: int) -> str | None:
    meta = adapter_for(resource_type).booking_model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[booking_id])
    except NoReverseMatch:
        return None


def booking_link(payment: Payment):
    """The payment's booking reference, a link to the booking's admin page; "—" for a top-up or a package."""
    if not payment.booking_id:
        return "—"
    url = booking_admin_url(payment.resource_type, payment.booking_id)
    reference = payment.booking_reference
    return format_html('<a href="{}">{}</a>', url, reference) if url else reference


def _refund_line(refund: Refund) -> str:
    return f"{money(refund.amount, refund.currency)} {refund.get_destination_display()}"


class ReadOnlyAdmin(kernel_admin.ReadOnlyAdmin):
    """Rows written by the payments' services: seen, never added, edited or deleted here."""

    date_hierarchy = "created_at"


@admin.register(Payment)
class PaymentAdmin(ClientColumns, ReadOnlyAdmin):
    list_display = ("created_at", "booking_link", "purpose", "method", "state", "amount_shown", "client_name",
                    "client_phone", "paid_at", "refunds_shown")
    list_filter = ("state", "method", "purpose")
    list_select_related = ("client",)
    search_fields = ("client__name", "client__phone", "telegram_payment_charge_id", "provider_payment_charge_id")
    fields = ("purpose", "method", "state", "booking_link", "client", "product", "amount_shown", "refunded_shown",
              "refunds_shown", "refund_link", "telegram_payment_charge_id", "provider_payment_charge_id",
              "telegram_id", "wallet_transaction", "note", "actor", "created_at", "paid_at", "updated_at")
    readonly_fields = fields
    change_list_template = "admin/payments/payment_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("refunds")

    def get_search_results(self, request, queryset, search_term):
        match = REFERENCE.match(search_term or "")
        if match is not None:  # "E-12", "c-3": the booking's payments
            return queryset.filter(resource_type__in=resource_types(match.group(1)),
                                   booking_id=int(match.group(2))), False
        return super().get_search_results(request, queryset, search_term)

    # --- Columns ------------------------------------------------------------------------------------

    @admin.display(description=_("booking"))
    def booking_link(self, obj):
        return booking_link(obj)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, obj):
        return money(obj.amount, obj.currency)

    @admin.display(description=_("refunded"))
    def refunded_shown(self, obj):
        return money(obj.refunded_amount, obj.currency)

    @admin.display(description=_("refunds"))
    def refunds_shown(self, obj):
        refunds = list(obj.refunds.all())
        if not refunds:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}", ((_refund_line(refund),) for refund in refunds))

    @admin.display(description=_("refund"))
    def refund_link(self, obj):
        if obj.state not in (Payment.State.PAID,) or refundable(obj) <= 0:
            return "—"
        url = reverse("admin:payments_payment_refund", args=[obj.pk])
        return format_html('<a class="button" href="{}" id="refund-link">{}</a>', url, _("Refund"))

    # --- Pages --------------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("cash/", wrap(self.cash_view), name="payments_payment_cash"),
            path("reconciliation/", wrap(self.reconciliation_view), name="payments_reconciliation"),
            path("<int:pk>/refund/", wrap(self.refund_view), name="payments_payment_refund"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        user = request.user
        extra_context = {**(extra_context or {}), "can_mark_cash": user.has_perm("payments.add_payment"),
                         "can_reconcile": self.has_view_permission(request)}
        return super().changelist_view(request, extra_context)

    def _page(self, request, template: str, title, **context):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "title": title, "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request), **context})

    def cash_view(self, request):
        if not request.user.has_perm("payments.add_payment"):
            raise PermissionDenied
        form = CashForm(request.POST or None, initial=request.GET.dict() or None)
        if request.method == "POST" and form.is_valid():
            resource_type, booking = form.cleaned_data["booking"]
            key, payment = f"admin-cash:{form_key(request)}", None
            try:
                payment = mark_paid_in_cash(booking=booking, resource_type=resource_type,
                                            actor=Actor.staff(request.user), now=timezone.now(), idempotency_key=key,
                                            note=form.cleaned_data["note"])
            except BookingError as exc:
                refusal_to_form(form, exc)
            except IntegrityError:  # the same form sent twice at once: the other request recorded it
                payment = Payment.objects.filter(idempotency_key=key).first()
                if payment is None:
                    form.add_error(None, _("The payment could not be recorded. Try again."))
            if payment is not None:
                self.log_addition(request, payment, [{"added": {}}])
                self.message_user(request, _("Booking %(ref)s is marked paid in cash: %(amount)s.") % {
                    "ref": payment.booking_reference, "amount": money(payment.amount, payment.currency)},
                    messages.SUCCESS)
                return HttpResponseRedirect(f"{reverse('admin:payments_payment_changelist')}?q="
                                            f"{payment.booking_reference}")
        return self._page(request, "admin/payments/payment_form.html", _("Mark paid in cash"), form=form,
                          key=uuid.uuid4().hex, form_id="cash-form", submit=_("Mark paid"))

    def refund_view(self, request, pk):
        if not request.user.has_perm("payments.add_refund"):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("client"), pk=pk)
        if payment.state not in (Payment.State.PAID, Payment.State.REFUNDED):
            raise Http404(_("Only a paid payment can be refunded."))
        form = RefundForm(request.POST or None, initial={"amount": refundable(payment),
                                                         "destination": Refund.Destination.WALLET})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                refund = refund_make(payment=payment, amount=data["amount"], destination=data["destination"],
                                     reason=data["reason"], actor=Actor.staff(request.user), now=timezone.now(),
                                     idempotency_key=f"admin:{form_key(request)}")
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_change(request, payment, [{"added": {"name": str(Refund._meta.verbose_name),
                                                              "object": str(refund)}}])
                self.message_user(request, _("%(amount)s refunded (%(to)s).") % {
                    "amount": money(refund.amount, refund.currency), "to": refund.get_destination_display()},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:payments_payment_change", args=[payment.pk]))
        return self._page(request, "admin/payments/payment_form.html", _("Refund"), form=form, key=uuid.uuid4().hex,
                          form_id="refund-form", submit=_("Refund"), payment=payment,
                          left=money(refundable(payment), payment.currency))

    def reconciliation_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = MonthForm(request.GET or None)
        month = clinic_today(timezone.now()).replace(day=1)
        if form.is_bound and form.is_valid():
            month = form.cleaned_data["month"]
        days, total = month_reconciliation(month)
        return self._page(request, "admin/payments/reconciliation.html", _("Reconciliation"), form=form,
                          month=month, month_label=date_format(month, "F Y"), columns=COLUMNS,
                          rows=[_cells(date_format(row.day, "D d.m.Y"), row) for row in days],
                          total=_cells(_("Total"), total), unbalanced=sum(not row.balanced for row in days))


COLUMNS = [_("Day"), _("Telegram"), _("Cash for bookings"), _("Desk deposits"), _("Packages for cash"),
           _("Corrections"), _("Refunded to cards"), _("Money in"), _("Booking payments"), _("Packages sold"),
           _("Refunds"), _("Revenue"), _("Wallet change"), _("Difference")]


def _cells(name: str, row: Reconciliation) -> dict:
    amounts = [row.paid_telegram, row.paid_cash, row.desk_deposits, row.cash_packages, row.corrections,
               row.card_refunds, row.money_in, row.booking_payments, row.packages_sold, row.refunds, row.revenue,
               row.wallet_change, row.difference]
    return {"name": name, "balanced": row.balanced,
            "cells": [money(amount, settings.CURRENCY) if amount else "—" for amount in amounts]}


class CashForm(forms.Form):
    booking = forms.CharField(label=_("Booking"), max_length=24,
                              help_text=_("Its reference, as in the bookings' lists: E-12, C-3."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_booking(self):
        found = booking_by_reference(self.cleaned_data["booking"])
        if found is None:
            raise forms.ValidationError(_("No booking has this reference."))
        return found


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    destination = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect, choices=Refund.Destination.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7)

    def clean_month(self):
        match = MONTH.match(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2999:
            raise forms.ValidationError(_("A month is written as YYYY-MM, for example 2026-10."))
        return date(int(match.group(1)), int(match.group(2)), 1)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment_link", "booking", "destination", "amount_shown", "reason", "actor")
    list_filter = ("destination",)
    list_select_related = ("payment", "payment__client")
    search_fields = ("payment__client__name", "payment__client__phone", "reason")
    fields = ("payment_link", "booking", "destination", "amount_shown", "reason", "actor", "wallet_transaction",
              "idempotency_key", "created_at")
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        match = REFERENCE.match(search_term or "")
        if match is not None:
            return queryset.filter(payment__resource_type__in=resource_types(match.group(1)),
                                   payment__booking_id=int(match.group(2))), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("payment"))
    def payment_link(self, obj):
        url = reverse("admin:payments_payment_change", args=[obj.payment_id])
        return format_html('<a href="{}">{}</a>', url, obj.payment)

    @admin.display(description=_("booking"))
    def booking(self, obj):
        return booking_link(obj.payment)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, obj):
        return money(obj.amount, obj.currency)
