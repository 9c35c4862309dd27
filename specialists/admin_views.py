"""The specialists' pages of the admin that are not model lists: the Specialists' day (a column per
specialist) and the phone booking of a service. Both are checked against the cabinet booking permissions,
like the day grid and the cabinet phone booking, plus viewing specialists."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cabinets.forms import DayForm
from equipment.admin import safe_next
from equipment.admin_bookings import refusal_to_form
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from specialists.availability import service_days
from specialists.day_schedule import specialists_day
from specialists.forms import ServicePhoneBookingForm
from specialists.models import Service, Specialist
from specialists.rules import clinic_zone
from specialists.services import appointment_create

VIEW_DAY = ("cabinets.view_cabinetbooking", "specialists.view_specialist")
BOOK = ("cabinets.add_cabinetbooking", "specialists.view_specialist")


def _local_today():
    return timezone.localtime(timezone.now(), clinic_zone()).date()


def specialists_day_view(model_admin, request):
    if not request.user.has_perms(VIEW_DAY):
        raise PermissionDenied
    today = _local_today()
    form = DayForm(request.GET)
    day = (form.cleaned_data.get("date") if form.is_valid() else None) or today
    here = reverse("admin:specialists_day") + "?" + urlencode({"date": day.isoformat()})
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Specialists' day"),
        "opts": model_admin.model._meta,
        "schedule": specialists_day(day=day),
        "day": day, "is_today": day == today, "today": today.isoformat(),
        "yesterday": (day - timedelta(days=1)).isoformat(), "tomorrow": (day + timedelta(days=1)).isoformat(),
        "add_url": reverse("admin:specialists_book"), "next": here,
        "can_add": request.user.has_perms(BOOK),
    }
    return TemplateResponse(request, "admin/specialists/day.html", context)


def _free_times(request, form) -> list[dict] | None:
    """The free start times of the chosen service (and specialist) that day, as links filling in the time."""
    source = form.data if form.is_bound else form.initial
    try:
        service = Service.objects.get(pk=int(source.get("service")), is_active=True)
        day = date.fromisoformat(source.get("day") or "")
        specialist = (Specialist.objects.get(pk=int(source["specialist"]), is_active=True)
                      if source.get("specialist") else None)
    except (TypeError, ValueError, OverflowError, Service.DoesNotExist, Specialist.DoesNotExist):
        return None
    try:
        [found] = service_days(service=service, start_date=day, end_date=day, now=timezone.now(),
                               specialist=specialist)
    except BookingError:
        return None
    base = {key: source.get(key) for key in ("service", "specialist", "next") if source.get(key)}
    base["day"] = day.isoformat()
    return [{"label": f"{timezone.localtime(slot.starts_at, clinic_zone()):%H:%M}",
             "query": urlencode({**base, "start_time": f"{timezone.localtime(slot.starts_at, clinic_zone()):%H:%M}"})}
            for slot in found.slots]


def service_phone_booking_view(model_admin, request):
    """A manager books a service for a client on the phone; approved at once, like cabinet phone bookings."""
    if not request.user.has_perms(BOOK):
        raise PermissionDenied
    initial = request.GET.dict()
    form = ServicePhoneBookingForm(request.POST or None, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = appointment_create(
                service=data["service"], specialist=data["specialist"], starts_at=data["starts_at"],
                client_name=data["client_name"], client_phone=data["client_phone"], comment=data["comment"],
                actor=Actor.staff(request.user), channel=Channel.ADMIN, now=timezone.now())
        except BookingError as exc:
            refusal_to_form(form, exc)
        else:
            model_admin.log_addition(request, booking, [{"added": {}}])
            model_admin.message_user(request, _("Appointment %(ref)s with %(name)s in %(cabinet)s created and "
                                                "approved.") % {"ref": booking.reference,
                                                                "name": booking.specialist.name,
                                                                "cabinet": booking.cabinet.name}, messages.SUCCESS)
            change_url = reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])
            return HttpResponseRedirect(safe_next(request, change_url))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Phone booking: service"),
        "opts": model_admin.model._meta,
        "form": form,
        "equipment_formset": None,
        "free_slots": _free_times(request, form),
        "next": request.GET.get("next") or request.POST.get("next", ""),
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/clinic/phone_booking.html", context)
