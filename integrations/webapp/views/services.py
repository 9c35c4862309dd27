"""Services on the booking page: the catalogue of services with who performs them, a service's days with
their free times (the specialists' calculator), and an appointment made by the specialists' booking service
(a refusal names the service's alternatives, which the page offers as one-tap buttons). Every rule is theirs;
this parses, calls and renders."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import TelegramAccount
from cabinets import rules as cabinets_rules
from integrations.webapp.shapes import AppointmentRequest, ServiceDaysQuery, parse
from integrations.webapp.views.bookings import birthday_answered, cabinet_booking
from integrations.webapp.views.plumbing import body, endpoint, today
from integrations.webapp.views.presenters import booking_json
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.pricing.labels import money_text
from specialists import availability
from specialists.alternatives import appointment_create_offering_alternatives
from specialists.models import Service, Specialist

DAYS_SHOWN = 14  # two weeks of days at a time, well inside the calculator's limit


def active_service(service_id: int) -> Service:
    service = Service.objects.filter(is_active=True, pk=service_id).first()
    if service is None:
        raise BookingError("not_found", _("This service is no longer available."))
    return service


def _specialist(service: Service, specialist_id: int | None) -> Specialist | None:
    if specialist_id is None:
        return None
    specialist = availability.performers(service, [specialist_id]).first()
    if specialist is None:
        raise BookingError("not_found", _("This specialist is no longer available."), field="specialist_id")
    return specialist


@require_GET
@endpoint(signed=False)
def service_catalogue(request: HttpRequest, *, account, now: datetime):
    """Active services by category, each with its length, price and the active specialists who perform it."""
    found = (Service.objects.filter(is_active=True).order_by("category", "sort_order", "name", "id")
             .prefetch_related("specialists"))
    categories: dict[str, list[dict]] = {}
    for service in found:
        people = sorted((s for s in service.specialists.all() if s.is_active),
                        key=lambda s: (s.sort_order, s.name, s.pk))
        if not people:
            continue
        categories.setdefault(service.category or _("Other"), []).append({
            "id": service.pk, "name": service.name, "duration_minutes": service.duration_minutes,
            "price": None if service.price is None else str(service.price),
            "price_text": None if service.price is None else money_text(service.price),
            "specialists": [{"id": s.pk, "name": s.name} for s in people]})
    first_day = today(now)
    return JsonResponse({
        "today": first_day.isoformat(),
        "last_day": cabinets_rules.last_bookable_day(now).isoformat(),
        "categories": [{"name": name, "services": entries} for name, entries in categories.items()]})


@require_GET
@endpoint(signed=False)
def service_days(request: HttpRequest, service_id: int, *, account, now: datetime):
    """Two weeks of the service's days from `from`: each with its free start times and who is free then, or
    why there is none."""
    query = parse(ServiceDaysQuery, request.GET)
    service = active_service(service_id)
    specialist = _specialist(service, query.get("specialist_id"))
    start = max(query.get("start") or today(now), today(now))
    days = availability.service_days(service=service, start_date=start, end_date=start + timedelta(days=DAYS_SHOWN - 1),
                                     now=now, specialist=specialist)
    return JsonResponse({"service_id": service.pk, "days": [day.as_dict() for day in days]})


@require_POST
@endpoint(signed=True)
def book_service(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    data = body(request)
    fields = parse(AppointmentRequest, data)
    service = active_service(fields["service_id"])
    booking = appointment_create_offering_alternatives(
        service=service, specialist=_specialist(service, fields["specialist_id"]), starts_at=fields["starts_at"],
        client_name=fields["client_name"], client_phone=fields["client_phone"], comment=fields["comment"],
        client_birthday=fields["client_birthday"], client_email=fields["client_email"],
        actor=Actor.telegram(account), channel=Channel.WEBAPP, now=now)
    birthday_answered(data, booking, now)
    return JsonResponse({"booking": booking_json("cabinet", cabinet_booking(booking.pk), now, account)}, status=201)
