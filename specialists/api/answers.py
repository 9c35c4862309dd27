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
from kernel.api import local_hhmm
from kernel.errors import BookingError
from specialists.availability import ServiceGrid, check_range, service_with_lines
from specialists.models import Service, ServiceEquipment, Specialist
from specialists.rules import not_a_performer


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
            "currency": settings.CURRENCY,
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


def active_service(service_id: int, specialist_id: int | None = None) -> Service:
    """The service with its equipment lines read along (see service_with_lines); 404 when missing or off. With
    `specialist_id`, 404 when there is no such active specialist and 400 when they do not perform the service."""
    service = service_with_lines(service_id, specialist_id=specialist_id)
    if service is None or not service.is_active:
        raise BookingError("not_found", _("Service not found."), service_id=service_id)
    if specialist_id is not None:
        name, performs = service.asked_specialist
        if name is None:
            raise BookingError("not_found", _("Specialist not found."), specialist_id=specialist_id)
        if not performs:
            raise not_a_performer(name, service.name)
    return service


def service_grid(service_id: int, start_date: date, end_date: date, now: datetime,
                 specialist_id: int | None = None) -> ServiceGrid:
    """The services grid of the service over the range (at most MAX_DAYS days), optionally one specialist's."""
    check_range(start_date, end_date)
    service = active_service(service_id, specialist_id)
    return ServiceGrid(service=service, start_date=start_date, end_date=end_date, now=now,
                       specialist_ids=None if specialist_id is None else [specialist_id])


def service_availability(service_id: int, start_date: date, end_date: date, now: datetime,
                         specialist_id: int | None = None) -> dict:
    """Each day's free times with the specialists free at each, or why the day has none (the REST answer)."""
    grid = service_grid(service_id, start_date, end_date, now, specialist_id)
    return {"service_id": grid.service.pk, "days": [day.as_dict() for day in grid.days()]}


def service_slots(service_id: int, day: date, now: datetime, specialist_id: int | None = None) -> dict:
    """One day's free times, one row per free specialist, with the cabinet the appointment would get (the
    first allowed one free for the whole length) and the end: the gRPC answer, from the same grid."""
    grid = service_grid(service_id, day, day, now, specialist_id)
    [found] = grid.days()
    rows = []
    for slot in found.slots:
        cabinet_id = grid.first_free_cabinet_id(day, slot.starts_at.timestamp())
        rows.extend({"start": local_hhmm(slot.starts_at), "end": local_hhmm(slot.starts_at + grid.duration),
                     "specialist_id": pk, "cabinet_id": cabinet_id} for pk in slot.specialist_ids)
    return {"service_id": grid.service.pk, "date": day.isoformat(), "reason": found.reason, "slots": rows}
