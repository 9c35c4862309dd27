"""What the equipment and cabinet booking admins share: status badges and filters, the decision actions
(approve, reject with a reason, cancel with a reason) and the page that asks for the reason.

Every decision goes through the booking service of the admin's app; a refusal is reported per booking with
the service's own message, so the manager sees exactly which booking was not changed and why."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from types import ModuleType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from kernel.bookings import HOLDING_STATUSES, TRANSITIONS, Status
from kernel.channels import Actor, Channel
from kernel.contacts import format_phone
from kernel.errors import BookingError
from kernel.forms import ReasonForm
from kernel.pricing.admin_booking import PricedBookingAdmin

STATUS_COLOURS = {
    Status.AWAITING_PAYMENT: ("#5a3d8a", "#ece2fb"),
    Status.PENDING: ("#8a5a00", "#fff3cd"),
    Status.APPROVED: ("#135e2b", "#d4edda"),
    Status.REJECTED: ("#842029", "#f8d7da"),
    Status.CANCELLED: ("#555", "#e9ecef"),
    Status.COMPLETED: ("#084298", "#cfe2ff"),
    Status.NO_SHOW: ("#6f2c00", "#ffe5d0"),
}
ACTIVE = "active"


def status_badge(status: str):
    fg, bg = STATUS_COLOURS.get(status, ("#333", "#eee"))
    label = Status(status).label if status in Status.values else status
    return format_html(
        '<span class="booking-status booking-status-{}" style="color:{};background:{};padding:2px 8px;'
        'border-radius:10px;white-space:nowrap;font-weight:600">{}</span>', status, fg, bg, label)


class StatusFilter(admin.SimpleListFilter):
    """Each status, plus "active" (the statuses that hold capacity)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(ACTIVE, _("Active (awaiting payment, pending or approved)")), *Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == ACTIVE:
            return queryset.filter(status__in=HOLDING_STATUSES)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


# Dates outside these years are no real booking date (and the last ones overflow day arithmetic).
SANE_YEARS = (2000, 2999)


class DateRangeFilter(admin.ListFilter):
    """Bookings that touch any day from `date_from` to `date_to` (both optional, ISO dates). The model admin
    says what "touch" means through `filter_dates(queryset, start, end)`."""

    title = _("dates")
    template = "admin/clinic/date_range_filter.html"
    parameters = ("date_from", "date_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.model_admin = model_admin
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def _date(self, name) -> date | None:
        try:
            value = date.fromisoformat(self.used_parameters.get(name) or "")
        except ValueError:
            return None
        return value if SANE_YEARS[0] <= value.year <= SANE_YEARS[1] else None  # 9999-12-31 + 1 day overflows

    def queryset(self, request, queryset):
        start, end = self._date("date_from"), self._date("date_to")
        if start is None and end is None:
            return queryset
        return self.model_admin.filter_dates(queryset, start, end)

    def choices(self, changelist):
        keep = [(k, v) for k, v in changelist.params.items() if k not in self.parameters]
        yield {
            "date_from": self.used_parameters.get("date_from", ""),
            "date_to": self.used_parameters.get("date_to", ""),
            "keep": keep,
            "reset": changelist.get_query_string(remove=list(self.parameters)),
        }


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class BookingAdminMixin(PricedBookingAdmin):
    """Decision actions, search by id/phone, read-only bookings, the price and its override. Subclasses name
    their services and their resource type (`price_resource_type`)."""

    approve_service: Callable
    reject_service: Callable
    cancel_service: Callable
    no_show_service: Callable
    actions = ["approve_selected", "reject_selected", "cancel_selected", "no_show_selected"]
    change_form_template = "admin/clinic/booking_change_form.html"
    change_list_template = "admin/clinic/booking_change_list.html"

    def changelist_view(self, request, extra_context=None):
        # A line of links to the day schedule, occupancy and statistics above the list.
        pages = getattr(self.admin_site, "manager_pages", None)
        extra_context = {**(extra_context or {}), "manager_pages": pages(request.user) if pages else []}
        return super().changelist_view(request, extra_context)

    # --- Moving a booking: a form whose submission is one service call --------------------------------

    def move_page(self, request, booking, form, *, move, change_url: str, changed: list[str]):
        """Show the move form; on a valid submission call `move(data, actor, now)` and report the outcome
        (a refusal becomes a form error)."""
        if request.method == "POST" and form.is_valid():
            try:
                move(form.cleaned_data, Actor.staff(request.user), timezone.now())
            except BookingError as exc:
                refusal_to_form(form, exc)
            else:
                self.log_change(request, booking, [{"changed": {"fields": changed}}])
                self.message_user(request, _("Booking %(ref)s moved.") % {"ref": booking.reference}, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move %(booking)s") % {"booking": booking},
            "opts": self.model._meta,
            "original": booking,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/clinic/booking_move.html", context)

    # --- Read-only after creation: rule-carrying changes go through the services -------------------

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f for f in self.get_fields(request, obj) if f != "manager_comment"]

    def save_model(self, request, obj, form, change):
        # Only the manager's note is editable here; never write the rest of a booking row back.
        obj.updated_at = timezone.now()
        obj.save(update_fields=["manager_comment", "updated_at"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        targets = TRANSITIONS.get(booking.status, frozenset()) if booking is not None else frozenset()
        now = timezone.now()
        if booking is not None and self.resource_rules.booking_starts_at(booking) > now:
            targets -= {Status.NO_SHOW}  # nobody can have missed a booking that has not started
        if booking is not None and not self.resource_rules.can_cancel(booking=booking,
                                                                      actor=Actor.staff(request.user), now=now):
            targets -= {Status.CANCELLED}
        offered = [("approve_selected", _("Approve"), Status.APPROVED),
                   ("reject_selected", _("Reject"), Status.REJECTED),
                   ("cancel_selected", _("Cancel booking"), Status.CANCELLED),
                   ("no_show_selected", _("Mark as no-show"), Status.NO_SHOW)]
        extra_context = {**(extra_context or {}), **(self.price_context(booking) if booking is not None else {}),
                         "decision_actions": [(name, label) for name, label, to in offered if to in targets]}
        return super().change_view(request, object_id, form_url, extra_context)

    # Each booking admin names its resource's public rules (`booking_starts_at`, `can_cancel`).
    resource_rules: ModuleType

    # --- The pending list: the longest waiting first, with how long each has waited -----------------

    def _is_pending_list(self, request) -> bool:
        return request.GET.get("status") == Status.PENDING

    def get_ordering(self, request):
        if self._is_pending_list(request):
            return ("created_at", "pk")
        return super().get_ordering(request)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self._is_pending_list(request) and "waiting" not in columns:
            columns.insert(columns.index("status_badge") + 1 if "status_badge" in columns else 1, "waiting")
        return columns

    @admin.display(description=_("waiting"), ordering="created_at")
    def waiting(self, obj):
        if obj.status != Status.PENDING:
            return "—"
        now = timezone.now()
        text = timesince(obj.created_at, now, depth=2)
        overdue = settings.APPROVAL_REMIND_MINUTES and (now - obj.created_at).total_seconds() >= (
            settings.APPROVAL_REMIND_MINUTES * 60)
        if overdue:
            return format_html('<strong class="booking-waiting-overdue" style="color:#842029">{}</strong>', text)
        return format_html('<span class="booking-waiting">{}</span>', text)

    # --- Columns ----------------------------------------------------------------------------------

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj):
        # Short enough for the list to fit 1400 px: "06.12.2026 18:19" in the clinic's time.
        return date_format(timezone.localtime(obj.created_at, ZoneInfo(settings.TIME_ZONE)), "d.m.Y H:i")

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status)

    @admin.display(description=_("confirmed by client"), ordering="client_confirmed_at")
    def attendance(self, obj):
        if obj.status == Status.NO_SHOW:
            return "🚷 " + str(Status.NO_SHOW.label)
        if obj.client_confirmed_at is None:
            return "—"
        return "✔ " + date_format(timezone.localtime(obj.client_confirmed_at), "d.m.Y H:i")

    def _client_url(self, obj) -> str | None:
        if obj.client_id is None:
            return None
        return reverse(f"{self.admin_site.name}:accounts_client_change", args=[obj.client_id])

    @admin.display(description=_("client"), ordering="client_name")
    def client_column(self, obj):
        """The name and phone as booked; the name links to the client's record."""
        url = self._client_url(obj)
        if url is None:
            return format_html("{}<br><small>{}</small>", obj.client_name, format_phone(obj.client_phone))
        return format_html('<a href="{}">{}</a><br><small>{}</small>', url, obj.client_name,
                           format_phone(obj.client_phone))

    @admin.display(description=_("client record"))
    def client_record(self, obj):
        url = self._client_url(obj)
        return format_html('<a href="{}">{}</a>', url, _("Open the client's record")) if url else "—"

    @admin.display(description=_("requested by"))
    def source(self, obj):
        if obj.partner_id:
            return format_html("{}<br><small>{}</small>", obj.partner, obj.external_booking_id or "")
        if obj.requester_id:
            return obj.requester
        if obj.created_by_id:
            return format_html("{} ({})", obj.created_by, _("admin"))
        return "—"

    # --- Search: names, phone digits, Telegram username, booking id, external id -------------------

    def get_search_results(self, request, queryset, search_term):
        stripped = search_term.strip()
        if stripped.startswith("#") and stripped[1:].isdigit():  # "#12" is booking 12 and nothing else
            return queryset.filter(pk=int(stripped[1:])), False
        prefix, dash, number = stripped.upper().partition("-")
        if dash and number.isdigit() and prefix == self.model.REFERENCE_PREFIX:  # "C-12", as said on the phone
            return queryset.filter(pk=int(number)), False
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = stripped
        digits = _digits(term)
        if term.isdigit():
            results |= queryset.filter(pk=int(term))
        if len(digits) >= 4:
            results |= queryset.filter(client_phone__contains=digits[1:] if len(digits) == 11 else digits)
        if term.startswith("@"):
            results |= queryset.filter(requester__username__iexact=term[1:])
        return results, may_have_duplicates

    # --- Decisions --------------------------------------------------------------------------------

    def _decide(self, request, queryset, service, done_message, **kwargs) -> None:
        actor, now = Actor.staff(request.user), timezone.now()
        done: list[str] = []
        for booking in queryset.order_by("pk"):
            try:
                service(booking=booking, actor=actor, now=now, channel=Channel.ADMIN, **kwargs)
            except BookingError as exc:
                self.message_user(request, _("Booking %(ref)s was not changed: %(error)s")
                                  % {"ref": booking.reference, "error": exc.message}, messages.ERROR)
            else:
                done.append(booking.reference)
        if done:
            self.message_user(request, done_message % {"ids": ", ".join(done)}, messages.SUCCESS)

    def _with_reason(self, request, queryset, service, title, done_message):
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                self._decide(request, queryset, service, done_message, reason=form.cleaned_data["reason"])
                return None
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "bookings": queryset.order_by("pk"),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/clinic/booking_reason.html", context)

    @admin.action(description=_("Approve selected bookings"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, self.approve_service, _("Approved: %(ids)s."))

    @admin.action(description=_("Reject selected bookings (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._with_reason(request, queryset, self.reject_service, _("Reject bookings"),
                                 _("Rejected: %(ids)s."))

    @admin.action(description=_("Mark selected bookings as no-shows (after their start)"), permissions=["change"])
    def no_show_selected(self, request, queryset):
        self._decide(request, queryset, self.no_show_service, _("Marked as no-shows: %(ids)s."))

    @admin.action(description=_("Cancel selected bookings (with a reason)"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        return self._with_reason(request, queryset, self.cancel_service, _("Cancel bookings"),
                                 _("Cancelled: %(ids)s."))


def refusal_to_form(form, exc: BookingError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, str(exc.message))


def day_label(day: date) -> str:
    return date_format(day, "l, j E Y")
