"""What is free, open to anyone who opens the page (the bots show it to anyone too): the catalogue, an item's
month, every cabinet's day, and the equipment free with a cabinet's window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cabinets import rules as cabinet_rules
from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet
from equipment import rules as equipment_rules
from equipment.availability import (
    bookable_items_for_clients,
    equipment_grid,
    items_free_in_window,
    offered_with_cabinet,
)
from equipment.models import Item
from integrations import texts
from integrations.webapp.page import page_context
from integrations.webapp.shapes import DayQuery, MonthQuery, WindowQuery, parse
from integrations.webapp.views.plumbing import endpoint, language_of, today
from kernel.errors import BookingError
from kernel.scheduling import add_months, date_range


def item_for_clients(item_id: int) -> Item:
    item = Item.objects.filter(bookable_items_for_clients(), pk=item_id).first()
    if item is None:
        raise BookingError("not_found", _("This equipment is no longer available."))
    return item


def active_cabinet(cabinet_id: int) -> Cabinet:
    cabinet = Cabinet.objects.filter(is_active=True, pk=cabinet_id).first()
    if cabinet is None:
        raise BookingError("not_found", _("This cabinet is no longer available."))
    return cabinet


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment, clinic_zone()).strftime("%H:%M")


@require_GET
def page(request: HttpRequest):
    """The page itself. Its language is the one asked for (`?lang=`, set by the script from initData),
    else the browser's."""
    lang = request.GET.get("lang")
    language = lang if lang in ("ru", "en") else language_of(request, None)
    with translation.override(language):
        return render(request, "webapp/index.html", page_context(request, language=language))


@require_GET
@endpoint(signed=False)
def catalogue(request: HttpRequest, *, account, now: datetime):
    first_day = today(now)
    items = Item.objects.filter(bookable_items_for_clients()).order_by("category", "sort_order", "name", "id")
    categories: dict[str, list[dict]] = {}
    for item in items:
        categories.setdefault(item.category or _("Other"), []).append(
            {"id": item.pk, "name": item.name, "description": item.description, "quantity": item.quantity})
    cabinets = Cabinet.objects.filter(is_active=True).order_by("number", "name", "id")
    return JsonResponse({
        "today": first_day.isoformat(),
        "equipment_last_day": equipment_rules.last_bookable_day(now).isoformat(),
        "cabinet_last_day": cabinet_rules.last_bookable_day(now).isoformat(),
        "max_range_days": equipment_rules.max_range_days(),
        "categories": [{"name": name, "items": entries} for name, entries in categories.items()],
        "cabinets": [{"id": c.pk, "name": c.name, "number": c.number, "floor": c.floor} for c in cabinets],
    })


@require_GET
@endpoint(signed=False)
def equipment_month(request: HttpRequest, item_id: int, *, account, now: datetime):
    """Free units of one item on every day of a month, and whether the day can start or end a booking."""
    item = item_for_clients(item_id)
    query = parse(MonthQuery, {"month": request.GET["month"]} if request.GET.get("month") else {})
    first = query.get("month") or today(now).replace(day=1)
    last = date(*add_months(first.year, first.month, 1), 1) - timedelta(days=1)
    grid = equipment_grid(items=[item], start_date=first, end_date=last)
    days = []
    for day in date_range(first, last):
        try:
            equipment_rules.check_dates(start_date=day, end_date=day, now=now)
            state = "free" if grid.free(item.pk, day) >= 1 else "full"
        except BookingError as exc:
            state = "past" if exc.code == "date_in_past" else "too_far"
        days.append({"date": day.isoformat(), "free": grid.free(item.pk, day), "state": state})
    return JsonResponse({"item": {"id": item.pk, "name": item.name, "quantity": item.quantity},
                         "month": first.strftime("%Y-%m"), "days": days})


@require_GET
@endpoint(signed=False)
def cabinets_day(request: HttpRequest, *, account, now: datetime):
    """Every active cabinet's slots on one day: free, taken, held, past…, with the durations that fit.
    With `first_free=1`, the first day from `date` on with a free slot in any cabinet (else `date` itself)."""
    day = parse(DayQuery, {"date": request.GET.get("date")})["date"]
    first_day = today(now)
    last_day = cabinet_rules.last_bookable_day(now)
    if not first_day <= day <= last_day:
        raise BookingError("too_far_ahead", _("Choose a day between today and %(day)s.") % {
            "day": texts.day_text(last_day)})
    cabinets = list(Cabinet.objects.filter(is_active=True).order_by("number", "name", "id")
                    .prefetch_related("schedules"))
    holder_id = account.pk if account else None
    if request.GET.get("first_free") == "1":
        day, found = _first_free_day(cabinets, day, last_day, now=now, holder_id=holder_id)
    else:
        found = cabinets_days(cabinets=cabinets, start_date=day, end_date=day, now=now, holder_id=holder_id)
    rows = []
    for cabinet in cabinets:
        cabinet_day = found[cabinet.pk][day]
        rows.append({"id": cabinet.pk, "name": cabinet.name, "closed_reason": cabinet_day.closed_reason,
                     "slots": [{"start": _hhmm(slot.start), "starts_at": timezone.localtime(
                         slot.start, clinic_zone()).isoformat(), "state": slot.state,
                         "durations": slot.durations} for slot in cabinet_day.slots]})
    return JsonResponse({"date": day.isoformat(), "cabinets": rows})


def _first_free_day(cabinets: list[Cabinet], start: date, last_day: date, *, now: datetime, holder_id):
    """The first day from `start` with a free slot in any cabinet, a week of days per lookup; `start` when
    none is free up to `last_day`. Returns the day and the lookup that covers it."""
    week_start, first = start, None
    while week_start <= last_day:
        week_end = min(week_start + timedelta(days=6), last_day)
        found = cabinets_days(cabinets=cabinets, start_date=week_start, end_date=week_end, now=now,
                              holder_id=holder_id)
        first = first or found
        for day in date_range(week_start, week_end):
            if any(slot.state == "free" for cabinet in cabinets for slot in found[cabinet.pk][day].slots):
                return day, found
        week_start = week_end + timedelta(days=1)
    return start, first if first is not None else cabinets_days(
        cabinets=cabinets, start_date=start, end_date=start, now=now, holder_id=holder_id)


@require_GET
@endpoint(signed=False)
def cabinet_equipment(request: HttpRequest, cabinet_id: int, *, account, now: datetime):
    """Equipment offered with this cabinet and its free units in the chosen window."""
    cabinet = active_cabinet(cabinet_id)
    window = parse(WindowQuery, {"starts_at": request.GET.get("starts_at"),
                                 "duration_minutes": request.GET.get("duration_minutes")})
    starts_at = window["starts_at"]
    items = list(Item.objects.filter(offered_with_cabinet(cabinet.pk)).order_by("sort_order", "name", "id"))
    free = items_free_in_window(items=items, starts_at=starts_at,
                                ends_at=starts_at + timedelta(minutes=window["duration_minutes"]))
    return JsonResponse({"items": [{"id": item.pk, "name": item.name, "free": free[item.pk]} for item in items]})
