"""The admin's revenue page: over a chosen period (the last 30 days unless told), what bookings brought per
clinic day, service, specialist, cabinet and item, from their stored prices (specialists/revenue.py says what
counts)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cabinets.admin_stats import DEFAULT_DAYS, PeriodForm
from kernel.pricing.labels import money_text
from specialists.revenue import Money, revenue

VIEW = ("cabinets.view_cabinetbooking",)  # as the statistics page, which shows items too


def _cells(name: str, money: Money) -> list[str]:
    return [name, str(money.bookings), money_text(money.base), money_text(money.discounts),
            money_text(money.changes), money_text(money.total)]


def _section(key: str, title: str, first_column: str, lines) -> dict:
    total = Money()
    for _name, money in lines:
        total.add(money)
    return {"key": key, "title": title,
            "columns": [first_column, _("Bookings"), _("Base prices"), _("Discounts"), _("Changed by managers"),
                        _("Total")],
            "rows": [_cells(name, money) for name, money in lines], "total": _cells(_("Total"), total)}


def revenue_view(model_admin, request):
    if not request.user.has_perms(VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        end = form.cleaned_data.get("date_to") or end
        start = form.cleaned_data.get("date_from") or end - timedelta(days=DEFAULT_DAYS - 1)
    report = revenue(start=start, end=end)
    days = [(date_format(day, "D d.m.Y"), money) for day, money in report.days]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Revenue"),
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "total": money_text(report.total.total),
        "sections": [_section("days", _("Per day"), _("Day"), days),
                     _section("services", _("Per service"), _("Service"), report.services),
                     _section("specialists", _("Per specialist"), _("Specialist"), report.specialists),
                     _section("cabinets", _("Per cabinet"), _("Cabinet"), report.cabinets),
                     _section("items", _("Per item (whole-day bookings)"), _("Item"), report.items)],
    }
    return TemplateResponse(request, "admin/specialists/revenue.html", context)
