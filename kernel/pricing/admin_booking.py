"""What every booking admin shows and does about its price: the stored lines on the booking's page, and a
page where a manager overrides the total with a reason (kernel.pricing.services.booking_price_override, which
records it in the booking's history). Each booking admin names its resource type in `price_resource_type`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.pricing.labels import money_text
from kernel.pricing.services import MAX_TOTAL, booking_price, booking_price_override


class PriceOverrideForm(forms.Form):
    total = forms.DecimalField(label=_("New total"), min_value=0, max_value=MAX_TOTAL, max_digits=12,
                               decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept in the booking's history and shown with the price."))


class PricedBookingAdmin:
    price_resource_type: str

    def _url(self, name: str, booking) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[booking.pk])

    def price_context(self, booking) -> dict:
        """The booking's price for its change page: lines as text and amounts, the total, the override link."""
        price = booking_price(resource_type=self.price_resource_type, booking_id=booking.pk)
        lines = [] if price is None else [
            {"kind": line.kind, "text": line.text, "amount": money_text(line.amount, price.currency)}
            for line in price.lines]
        return {"price": price, "price_lines": lines, "price_url": self._url("price", booking),
                "price_total": money_text(price.total, price.currency) if price is not None else ""}

    def get_urls(self):
        opts = self.model._meta
        return [
            path("<path:object_id>/price/", self.admin_site.admin_view(self.price_view),
                 name=f"{opts.app_label}_{opts.model_name}_price"),
            *super().get_urls(),
        ]

    def price_view(self, request, object_id):
        booking = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        current = booking_price(resource_type=self.price_resource_type, booking_id=booking.pk)
        form = PriceOverrideForm(request.POST or None, initial={"total": current.total if current else None})
        change_url = self._url("change", booking)
        if request.method == "POST" and form.is_valid():
            try:
                booking_price_override(booking=booking, resource_type=self.price_resource_type,
                                       total=form.cleaned_data["total"], reason=form.cleaned_data["reason"],
                                       actor=Actor.staff(request.user), now=timezone.now())
            except BookingError as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, str(exc.message))
            else:
                self.log_change(request, booking, [{"changed": {"fields": ["price"]}}])
                self.message_user(request, _("The price of %(ref)s is now %(total)s.") % {
                    "ref": booking.reference, "total": money_text(form.cleaned_data["total"])}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            **self.price_context(booking),
            "title": _("Change the price of %(booking)s") % {"booking": booking},
            "opts": self.model._meta,
            "original": booking,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/clinic/booking_price.html", context)
