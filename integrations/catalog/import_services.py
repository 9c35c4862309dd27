"""Importing the services file: specialists and services matched by their catalogue id (`catalog_id`), so a
re-import updates them in place. The file owns a specialist's hours and days off and a service's specialists,
cabinets and equipment. New hours or days off that would leave an upcoming appointment outside the
specialist's working time are refused naming those appointments, as the admin refuses them."""

from __future__ import annotations

from django.utils import timezone

from cabinets.models import Cabinet
from equipment.models import Item
from integrations.catalog.parse_services import ServicesFile
from integrations.catalog.report import CatalogError, Outcome
from integrations.catalog.rows import save_checked
from specialists.models import DayOff, Service, ServiceEquipment, Specialist, WorkingHours
from specialists.rules import Hours, Off
from specialists.services import appointments_stranded


def resolve_references(services: ServicesFile, items_by_yaml_id: dict[int, Item] | None) -> tuple[dict, dict]:
    """The cabinets (by their catalogue id) and items (by the items file's id) the services name; every id
    that matches nothing is a problem. Items are only known through the items file loaded with this one."""
    cabinet_ids = {pk for spec in services.services for pk in spec.cabinets}
    cabinets = {c.catalog_id: c for c in Cabinet.objects.filter(catalog_id__in=cabinet_ids)}
    items = items_by_yaml_id or {}
    problems = []
    for spec in services.services:
        problems += [f"{spec.where}: cabinet {pk} matches no imported cabinet; load the cabinets file first"
                     for pk in spec.cabinets if pk not in cabinets]
        problems += [f"{spec.where}: item_id {pk} is not in the items file; load it with --items in the same run"
                     for pk, _units in spec.equipment if pk not in items]
    if problems:
        raise CatalogError(services.source, problems)
    return cabinets, items


def _specialists(services: ServicesFile, outcome: Outcome) -> dict[int, Specialist]:
    now = timezone.now()
    existing = {s.catalog_id: s for s in Specialist.objects.select_for_update().filter(
        catalog_id__in=[spec.yaml_id for spec in services.specialists])}
    by_yaml_id = {}
    for spec in services.specialists:
        person = existing.get(spec.yaml_id)
        hours = [Hours(*row) for row in spec.hours]
        days_off = [Off(*pair) for pair in spec.days_off]
        changes, created = [], person is None
        if created:
            person = Specialist(catalog_id=spec.yaml_id, name=spec.name, telegram_id=spec.telegram_id,
                                is_active=spec.is_active, sort_order=spec.yaml_id)
            save_checked(person, where=spec.where, source=services.source)
            outcome.created.append(spec.name)
        else:
            for name in ("name", "telegram_id", "is_active"):
                if getattr(person, name) != getattr(spec, name):
                    changes.append(f"{name} {getattr(person, name)!r} → {getattr(spec, name)!r}")
                    setattr(person, name, getattr(spec, name))
            if set(person.hours.values_list("weekday", "start", "end")) != set(spec.hours):
                changes.append("hours")
            if set(person.days_off.values_list("from_date", "to_date")) != set(spec.days_off):
                changes.append("days off")
            if {"hours", "days off"} & set(changes):
                stranded = appointments_stranded(specialist=person, now=now, hours=hours, days_off=days_off)
                if stranded:
                    raise CatalogError(services.source, [
                        f"{spec.where}: the new hours or days off leave upcoming appointments outside "
                        f"{spec.name}'s working time (bookings: {', '.join(b.reference for b in stranded)})"])
            if changes:
                save_checked(person, where=spec.where, source=services.source)
                outcome.updated.append((spec.name, changes))
            else:
                outcome.unchanged.append(spec.name)
        if created or {"hours", "days off"} & set(changes):
            WorkingHours.objects.filter(specialist=person).delete()
            WorkingHours.objects.bulk_create([WorkingHours(specialist=person, weekday=h.weekday, start=h.start,
                                                           end=h.end) for h in hours])
            DayOff.objects.filter(specialist=person).delete()
            DayOff.objects.bulk_create([DayOff(specialist=person, from_date=o.from_date, to_date=o.to_date)
                                        for o in days_off])
        by_yaml_id[spec.yaml_id] = person
    return by_yaml_id


def import_services(services: ServicesFile, items_by_yaml_id: dict[int, Item] | None = None) -> tuple[Outcome,
                                                                                                       Outcome]:
    """(specialists, services) outcomes; raises CatalogError (the transaction rolls back) on any refusal."""
    cabinets, items = resolve_references(services, items_by_yaml_id)
    people_outcome, service_outcome = Outcome(), Outcome()
    people = _specialists(services, people_outcome)
    existing = {s.catalog_id: s for s in Service.objects.select_for_update().filter(
        catalog_id__in=[spec.yaml_id for spec in services.services])}
    for spec in services.services:
        service = existing.get(spec.yaml_id)
        values = {"name": spec.name, "category": spec.category, "duration_minutes": spec.duration_minutes,
                  "price": spec.price, "is_active": spec.is_active}
        if spec.prepayment_required is not None:
            values["prepayment_required"] = spec.prepayment_required
        created = service is None
        if created:
            service = Service(catalog_id=spec.yaml_id, sort_order=spec.yaml_id, **values)
            changes = []
        else:
            changes = [name for name, value in values.items() if getattr(service, name) != value]
            for name in changes:
                setattr(service, name, values[name])
        save_checked(service, where=spec.where, source=services.source)
        wanted_people = {people[pk].pk for pk in spec.specialists}
        wanted_cabinets = {cabinets[pk].pk for pk in spec.cabinets}
        wanted_lines = {(items[pk].pk, units) for pk, units in spec.equipment}
        if set(service.specialists.values_list("pk", flat=True)) != wanted_people:
            service.specialists.set(wanted_people)
            changes.append("specialists")
        if set(service.cabinets.values_list("pk", flat=True)) != wanted_cabinets:
            service.cabinets.set(wanted_cabinets)
            changes.append("cabinets")
        if set(service.equipment_lines.values_list("item_id", "units")) != wanted_lines:
            service.equipment_lines.all().delete()
            ServiceEquipment.objects.bulk_create([ServiceEquipment(service=service, item_id=item_id, units=units)
                                                  for item_id, units in sorted(wanted_lines)])
            changes.append("equipment")
        if created:
            service_outcome.created.append(spec.name)
        elif changes:
            service_outcome.updated.append((spec.name, changes))
        else:
            service_outcome.unchanged.append(spec.name)
    return people_outcome, service_outcome
