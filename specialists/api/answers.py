"""The services answers of the partner doors, as plain data: the REST views render them as JSON and the gRPC
servicers as messages, so both doors give the same answer from the same grid.

Public ids are the database ids (`pk`), as for items and cabinets; the catalogue's own ids (`catalog_id`) stay
inside the catalogue file."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet
from kernel.errors import BookingError
from specialists.availability import ServiceDay, check_range, service_days, service_with_lines
from specialists.models import Service, ServiceEquipment, Specialist


def _price(service: Service) -> str | None:
    return None if service.price is None else f"{service.price:.2f}"


def services_list() -> list[dict]:
    """Every active service with its active specialists, its cabinets (all active ones when none is listed)
    and its equipment: five queries whatever the catalogue's size."""
    services = list(Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("specialists", queryset=Specialist.objects.filter(is_active=True).only("pk")),
        Prefetch("cabinets", queryset=Cabinet.objects.filter(is_active=True).only("pk")),
        Prefetch("equipment_lines", queryset=ServiceEquipment.objects.order_by("item_id")),
    ))
    every_cabinet = list(Cabinet.objects.filter(is_active=True).order_by("sort_order", "id").values_list(
        "pk", flat=True)) if any(not s.cabinets.all() for s in services) else []
    rows = []
    for service in services:
        listed = sorted(c.pk for c in service.cabinets.all())
        rows.append({
            "id": service.pk, "name": service.name, "category": service.category,
            "duration_minutes": service.duration_minutes, "price": _price(service),
            "currency": settings.CLINIC_CURRENCY,
            "specialist_ids": sorted(p.pk for p in service.specialists.all()),
            "cabinet_ids": listed or every_cabinet,
            "equipment": [{"item_id": line.item_id, "units": line.units} for line in service.equipment_lines.all()],
        })
    return rows


def specialists_list() -> list[dict]:
    """Every active specialist with the active services they perform."""
    people = Specialist.objects.filter(is_active=True).prefetch_related(
        Prefetch("services", queryset=Service.objects.filter(is_active=True).only("pk")))
    return [{"id": person.pk, "name": person.name, "service_ids": sorted(s.pk for s in person.services.all())}
            for person in people]


def active_service(service_id: int) -> Service:
    """The service with its equipment lines read along (see service_with_lines); 404 when missing or off."""
    service = service_with_lines(service_id)
    if service is None or not service.is_active:
        raise BookingError("not_found", _("Service not found."), service_id=service_id)
    return service


def service_grid(service_id: int, start_date: date, end_date: date, now: datetime,
                 specialist_id: int | None = None) -> tuple[Service, list[ServiceDay]]:
    """The service's days from the services grid, optionally for one specialist (who must perform it)."""
    check_range(start_date, end_date)
    service = active_service(service_id)
    specialist = None
    if specialist_id is not None:
        specialist = Specialist(pk=specialist_id)
    days = service_days(service=service, start_date=start_date, end_date=end_date, now=now, specialist=specialist)
    return service, days


def service_availability(service_id: int, start_date: date, end_date: date, now: datetime,
                         specialist_id: int | None = None) -> dict:
    service, days = service_grid(service_id, start_date, end_date, now, specialist_id)
    return {"service_id": service.pk, "days": [day.as_dict() for day in days]}
