"""The admin's attendance report page (cabinets/period_stats.py) and its .xlsx export."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from cabinets.period_stats import MAX_DAYS, Report, period_statistics
from kernel.clock import clinic_zone
from kernel.spreadsheets import safe_row

DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Until"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end must not be before the start."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(n)s days.") % {"n": MAX_DAYS})
        return data


def _columns(kind: str) -> list[str]:
    used = _("Booked minutes") if kind == "cabinet" else _("Unit-days booked")
    return [_("Cabinet") if kind == "cabinet" else _("Item"), _("Bookings"), _("Took place or due"),
            _("Cancelled"), _("Rejected"), _("No-shows"), _("Confirmed by client"), _("Confirmation rate, %"),
            used, _("Utilisation, %")]


def _row(line) -> list:
    return [line.name, line.bookings, line.held, line.cancelled, line.rejected, line.no_shows, line.confirmed,
            line.confirmation_rate, round(line.used), line.utilisation]


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    for index, (kind, title, lines, total) in enumerate((
            ("cabinet", _("Cabinets"), report.cabinets, report.cabinet_total),
            ("item", _("Equipment"), report.items, report.item_total))):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append(safe_row([_("Period"), f"{report.start:%d.%m.%Y} – {report.end:%d.%m.%Y}"]))
        sheet.append(safe_row(_columns(kind)))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for line in lines:
            sheet.append(safe_row(_row(line)))  # names are typed by managers: never a formula
        total.name = _("Total")
        sheet.append(safe_row(_row(total)))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 30
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def period_statistics_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localtime(now, clinic_zone()).date()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        end = form.cleaned_data.get("date_to") or end
        start = form.cleaned_data.get("date_from") or end - timedelta(days=DEFAULT_DAYS - 1)
    report = period_statistics(start=start, end=end, now=now)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(report_xlsx(report), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="attendance-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        return response
    query = request.GET.copy()
    query["date_from"], query["date_to"] = start.isoformat(), end.isoformat()
    query["format"] = "xlsx"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Attendance and utilisation"),
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "sections": [(_("Cabinets"), _columns("cabinet"), report.cabinets, report.cabinet_total, "cabinets"),
                     (_("Equipment"), _columns("item"), report.items, report.item_total, "items")],
        "xlsx_query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/cabinets/period_statistics.html", context)
