"""Importing the cabinets file: the cabinets (matched by the file's id, then by name), their seven weekday
rows and the holidays. Deactivating a cabinet, new hours and a new holiday go through the cabinet services,
so what would strand bookings is refused naming them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from cabinets.models import Cabinet, Holiday, WeeklySchedule
from cabinets.services import cabinet_deactivate, holiday_save, weekly_schedule_save
from integrations.catalog.report import Outcome, refusal
from integrations.catalog.rows import apply_values, save_checked
from integrations.catalog.specs import CabinetsFile, CabinetSpec, Schedule
from kernel.channels import Actor
from kernel.errors import BookingError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def import_cabinets(cabinets: CabinetsFile) -> tuple[Outcome, dict[int, Cabinet]]:
    outcome = Outcome()
    by_yaml_id: dict[int, Cabinet] = {}
    names = [spec.name for spec in cabinets.cabinets]
    ids = [spec.yaml_id for spec in cabinets.cabinets]
    known = list(Cabinet.objects.select_for_update().filter(Q(name__in=names) | Q(catalog_id__in=ids)))
    by_catalog_id = {cabinet.catalog_id: cabinet for cabinet in known if cabinet.catalog_id is not None}
    by_name = {cabinet.name: cabinet for cabinet in known}
    for spec in cabinets.cabinets:
        values = {
            "number": spec.number, "address": spec.address, "description": spec.description,
            "floor": spec.floor, "capacity": spec.capacity, "is_active": spec.is_active,
            "price_per_slot": spec.price_per_slot, "prepayment_required": spec.prepayment_required,
        }
        # The file's id is the cabinet's identity, so a renamed cabinet is updated, not duplicated.
        cabinet = by_catalog_id.get(spec.yaml_id) or by_name.get(spec.name)
        created = cabinet is None
        if not created and cabinet.is_active and "is_active" in spec.given and not spec.is_active:
            # Out of service through the service: refused while the cabinet has upcoming bookings.
            try:
                cabinet_deactivate(cabinet=cabinet, actor=Actor.system(), now=timezone.now())
            except BookingError as error:
                raise refusal(cabinets.source, spec.where, error) from None
        if created:
            cabinet = Cabinet(name=spec.name, catalog_id=spec.yaml_id, sort_order=spec.yaml_id, **values)
            changes = []
        else:
            changes = apply_values(cabinet, {"name": spec.name, "catalog_id": spec.yaml_id}
                             | {name: value for name, value in values.items() if name in spec.given})
        if created or changes:
            save_checked(cabinet, where=spec.where, source=cabinets.source)
        changes += _upsert_week(cabinet, spec, cabinets)
        by_yaml_id[spec.yaml_id] = cabinet
        if created:
            outcome.created.append(spec.name)
        elif changes:
            outcome.updated.append((spec.name, changes))
        else:
            outcome.unchanged.append(spec.name)
    outcome.not_in_file = list(Cabinet.objects.exclude(name__in=names).order_by("name")
                               .values_list("name", flat=True))
    return outcome, by_yaml_id


def _day(schedule: Schedule, day_off: bool) -> dict[str, Any]:
    if day_off:
        return {"is_day_off": True, "opens": None, "closes": None, "slot_minutes": schedule.slot_minutes,
                "lunch_start": None, "lunch_end": None}
    return {"is_day_off": False, "opens": schedule.opens, "closes": schedule.closes,
            "slot_minutes": schedule.slot_minutes, "lunch_start": schedule.lunch_start,
            "lunch_end": schedule.lunch_end}


def _describe_day(row: WeeklySchedule | None) -> str:
    if row is None:
        return "none"
    if row.is_day_off:
        return "day off"
    lunch = f", lunch {row.lunch_start:%H:%M}-{row.lunch_end:%H:%M}" if row.lunch_start else ""
    return f"{row.opens:%H:%M}-{row.closes:%H:%M} by {row.slot_minutes} min{lunch}"


def _upsert_week(cabinet: Cabinet, spec: CabinetSpec, cabinets: CabinetsFile) -> list[str]:
    """Make the cabinet's seven weekday rows follow the file; describe what changed."""
    rows = {row.weekday: row for row in WeeklySchedule.objects.select_for_update().filter(cabinet=cabinet)}
    changed: dict[tuple[str, str], list[int]] = {}
    for weekday in range(7):
        wanted = _day(spec.schedule, weekday in cabinets.days_off)
        row = rows.get(weekday)
        before = _describe_day(row)
        if row is None:
            row = WeeklySchedule(cabinet=cabinet, weekday=weekday, **wanted)
            save_checked(row, where=f"{spec.where}, {WEEKDAY_NAMES[weekday]}", source=cabinets.source)
        elif not apply_values(row, wanted):
            continue
        else:
            # Changed hours go through the schedule service: hours that would strand bookings are refused.
            try:
                row = weekly_schedule_save(cabinet=cabinet, weekday=weekday, actor=Actor.system(),
                                           now=timezone.now(), **wanted)
            except BookingError as error:
                raise refusal(cabinets.source, f"{spec.where}, {WEEKDAY_NAMES[weekday]}", error) from None
        changed.setdefault((before, _describe_day(row)), []).append(weekday)
    return [
        f"schedule {_weekdays(days)}: {before} → {after}" if before != after
        else f"schedule {_weekdays(days)}: {after}"
        for (before, after), days in changed.items()
    ]


def _weekdays(days: list[int]) -> str:
    if days == list(range(7)):
        return "Mon-Sun"
    return ", ".join(WEEKDAY_NAMES[day] for day in days)


def import_holidays(cabinets: CabinetsFile) -> Outcome:
    outcome = Outcome()
    dates = [spec.date for spec in cabinets.holidays]
    existing = {holiday.date: holiday for holiday in Holiday.objects.select_for_update().filter(date__in=dates)}
    for spec in cabinets.holidays:
        holiday = existing.get(spec.date)
        label = f"{spec.date:%Y-%m-%d} {spec.name or ''}".strip()
        if holiday is None:
            # A new holiday closes every cabinet that day: refused while bookings would be stranded.
            try:
                holiday_save(day=spec.date, name=spec.name or "", actor=Actor.system(), now=timezone.now())
            except BookingError as error:
                raise refusal(cabinets.source, spec.where, error) from None
            outcome.created.append(label)
            continue
        changes = apply_values(holiday, {"name": spec.name}) if spec.name is not None else []
        if changes:
            save_checked(holiday, where=spec.where, source=cabinets.source)
            outcome.updated.append((f"{spec.date:%Y-%m-%d}", changes))
        else:
            outcome.unchanged.append(f"{holiday.date:%Y-%m-%d} {holiday.name}".strip())
    return outcome
