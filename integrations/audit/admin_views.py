""""Export now" in the admin: a manager makes the audit of a chosen month with the same job the beat runs
(integrations.audit.export_month), in this request, and is offered the file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.audit.services import file_name, parse_month, previous_month
from kernel.errors import BookingError

EXPORT_PERMISSION = "integrations.change_auditexport"


class ExportMonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        try:
            month = parse_month(self.cleaned_data["month"])
        except BookingError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        if not 2000 <= month.year <= 2999:
            raise forms.ValidationError(_("A month is written as YYYY-MM, for example 2026-10."))
        return month


def can_export(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(EXPORT_PERMISSION)


def default_month() -> str:
    return f"{previous_month(timezone.now()):%Y-%m}"


def export_now_view(request):
    """POST month=YYYY-MM: make that month's audit and come back to the audit list with a download link."""
    from integrations.tasks import audit_export_month_task  # the tasks module imports every service

    if not can_export(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    changelist = reverse("admin:integrations_auditexport_changelist")
    form = ExportMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["month"]))
        return HttpResponseRedirect(changelist)
    month = form.cleaned_data["month"]
    outcome = audit_export_month_task.apply(args=[f"{month:%Y-%m}"])
    if outcome.failed():
        messages.error(request, _("The audit for %(month)s could not be made: %(error)s")
                       % {"month": f"{month:%Y-%m}", "error": outcome.result})
        return HttpResponseRedirect(changelist)
    download = reverse("admin:integrations_auditexport_download", args=[outcome.result])
    messages.success(request, format_html(
        _("The audit for {month} is ready: <a href=\"{url}\" id=\"audit-download\">download {name}</a> "
          "(also listed below)."), month=f"{month:%Y-%m}", url=download, name=file_name(month)))
    return HttpResponseRedirect(changelist)
