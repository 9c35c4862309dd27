"""The booking page and the JSON it reads. Thin like every interface: parse, call the apps' calculators and
services, render. Availability is open to anyone who opens the page (the bots show it to anyone too);
everything personal, and every write, needs initData signed by one of the bots: a Telegram account then
acts exactly as in the bots (blocklist, per-user limit, approval, notifications)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import TelegramAccount
from accounts.services import telegram_account_upsert
from booking_site.channels import Actor, Channel
from booking_site.contacts import format_phone
from booking_site.errors import BookingError
from booking_site.scheduling import add_months, date_range
from booking_site.waitlist.models import Wait
from booking_site.waitlist.services import wait_cancel, wait_decline, wait_position
from cabinets import rules as cabinet_rules
from cabinets import services as cabinet_services
from cabinets import waitlist as cabinet_waitlist
from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking
from equipment import rules as equipment_rules
from equipment import services as equipment_services
from equipment import waitlist as equipment_waitlist
from equipment.availability import (
    bookable_items_for_clients,
    equipment_grid,
    items_free_in_window,
    offered_with_cabinet,
)
from equipment.models import EquipmentBooking, Item
from integrations import texts
from integrations.addresses import bot_token
from integrations.prefill import last_client
from integrations.webapp.initdata import MAX_AGE, WRITE_MAX_AGE, InitDataError, WebAppUser, init_data_validate
from integrations.webapp.page import page_context

logger = logging.getLogger(__name__)

INIT_DATA_HEADER = "X-Telegram-Init-Data"
MAX_BODY_BYTES = 16 * 1024
MAX_ID = 2**63 - 1  # the ids in paths fit the database's bigint
READS = frozenset({"GET", "HEAD", "OPTIONS"})
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_FIRST_YEAR, _LAST_YEAR = 2000, 2999  # dates and times asked for: also clear of datetime's limits


# --- Plumbing --------------------------------------------------------------------------------------------


def _error(exc: BookingError) -> JsonResponse:
    return JsonResponse({"error": str(exc.message), "code": exc.code, "details": exc.details},
                        status=exc.http_status)


def _language(request: HttpRequest, user: WebAppUser | None) -> str:
    if user is not None and user.language_code:
        return "en" if user.language_code.lower().startswith("en") else "ru"
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _signed_user(request: HttpRequest, now: datetime) -> WebAppUser | None:
    """The user behind the request's initData: at most a day old for reading, an hour for any write."""
    raw = request.headers.get(INIT_DATA_HEADER, "")
    if not raw:
        return None
    bots = [(name, bot_token(name)) for name in ("equipment", "cabinet")]
    max_age = MAX_AGE if request.method in READS else WRITE_MAX_AGE
    try:
        return init_data_validate(raw, bots=bots, now=now, max_age=max_age)
    except InitDataError as exc:
        logger.info("mini app: initData refused (%s)", exc)
        raise BookingError("unauthorized", _("Your Telegram session could not be verified. Open the page "
                                             "from the bot again.")) from exc


def _path_ids(kwargs: dict) -> None:
    """Ids in the path are whole numbers of any length: beyond the database's range they are a 400."""
    for field, value in kwargs.items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise _out_of_range(field)


def endpoint(*, signed: bool) -> Callable:
    """JSON in, JSON out, in the user's language; a domain refusal becomes its 4xx answer. With
    `signed`, the view gets the Telegram account behind a valid initData (401 without one)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            now = timezone.now()
            try:
                user = _signed_user(request, now)
            except BookingError as exc:
                if signed:
                    return _error(exc)
                user = None  # availability is open: an unverifiable session only reads it
            with translation.override(_language(request, user)):
                try:
                    if signed and user is None:
                        raise BookingError("unauthorized", _("Open this page from the Telegram bot to book."))
                    _path_ids(kwargs)
                    account = None
                    if user is not None:
                        account = telegram_account_upsert(
                            telegram_id=user.telegram_id, now=now, username=user.username,
                            first_name=user.first_name, last_name=user.last_name,
                            language_code=user.language_code)
                    return view(request, *args, account=account, now=now, **kwargs)
                except BookingError as exc:
                    return _error(exc)

        return csrf_exempt(never_cache(wrapper))  # identity is the signed header, never a cookie

    return decorate


def _body(request: HttpRequest) -> dict:
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise BookingError("invalid", _("The request is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BookingError("invalid", _("The request is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise BookingError("invalid", _("The request is not valid JSON."))
    return data


def _int(value: Any, field: str, *, minimum: int = 1, maximum: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BookingError("invalid", _("%(field)s must be a whole number.") % {"field": field}, field=field)
    try:
        number = int(value)
    except ValueError as exc:
        raise BookingError("invalid", _("%(field)s must be a whole number.") % {"field": field},
                           field=field) from exc
    if number < minimum or number > maximum:
        raise BookingError("invalid", _("%(field)s is out of range.") % {"field": field}, field=field)
    return number


def _out_of_range(field: str) -> BookingError:
    return BookingError("invalid", _("%(field)s is out of range.") % {"field": field}, field=field)


def _date(value: Any, field: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise BookingError("invalid", _("%(field)s must be a date as YYYY-MM-DD.") % {"field": field},
                           field=field) from exc
    if not _FIRST_YEAR <= parsed.year <= _LAST_YEAR:
        raise _out_of_range(field)
    return parsed


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        if not _MONTH.fullmatch(value):
            raise ValueError(value)
        first = date(int(value[:4]), int(value[5:]), 1)
    except ValueError as exc:
        raise BookingError("invalid", _("month must be YYYY-MM."), field="month") from exc
    if not _FIRST_YEAR <= first.year <= _LAST_YEAR:
        raise _out_of_range("month")
    return first


def _instant(value: Any, field: str) -> datetime:
    try:  # well-formed but impossible (month 13, an offset of 99 hours) is a ValueError
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BookingError("invalid", _("%(field)s must be a date and time.") % {"field": field}, field=field)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=clinic_zone())
    if not _FIRST_YEAR <= parsed.year <= _LAST_YEAR:  # also keeps window arithmetic clear of datetime's limits
        raise _out_of_range(field)
    return parsed


def _text(data: dict, field: str) -> str:
    """A text field of the request: absent or null is empty; anything but a string is a 400. Lengths are the
    services' (clean_client_name, normalize_phone, clean_comment)."""
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BookingError("invalid", _("%(field)s must be text.") % {"field": field}, field=field)
    if len(value) > MAX_BODY_BYTES:
        raise _out_of_range(field)
    return value


def _today(now: datetime) -> date:
    return timezone.localtime(now, clinic_zone()).date()


def _item(item_id: int) -> Item:
    item = Item.objects.filter(bookable_items_for_clients(), pk=item_id).first()
    if item is None:
        raise BookingError("not_found", _("This equipment is no longer available."))
    return item


def _cabinet(cabinet_id: int) -> Cabinet:
    cabinet = Cabinet.objects.filter(is_active=True, pk=cabinet_id).first()
    if cabinet is None:
        raise BookingError("not_found", _("This cabinet is no longer available."))
    return cabinet


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment, clinic_zone()).strftime("%H:%M")


RULES = {"equipment": equipment_rules, "cabinet": cabinet_rules}


def _cancellable(kind: str, booking, account: TelegramAccount, now: datetime) -> bool:
    """The resource's cancel rule, as in the bots: a manager any time, the owner until the start."""
    return RULES[kind].can_cancel(booking=booking, actor=Actor.telegram(account), now=now)


def _booking_json(kind: str, booking, now: datetime, account: TelegramAccount) -> dict:
    if kind == "equipment":
        title = booking.item.name + (f" × {booking.units}" if booking.units > 1 else "")
        when = texts.dates_text(booking.start_date, booking.end_date)
        extra: list[str] = []
    else:
        title = booking.cabinet.name
        when = texts.window_text(booking.starts_at, booking.ends_at)
        extra = [line.item.name + (f" × {line.units}" if line.units > 1 else "")
                 for line in booking.equipment_bookings.all()]
    return {"kind": kind, "id": booking.pk, "reference": booking.reference, "title": title, "when": when,
            "equipment": extra, "status": booking.status, "status_label": str(texts.status_label(booking.status)),
            "cancellable": _cancellable(kind, booking, account, now)}


# --- The page --------------------------------------------------------------------------------------------


@require_GET
def page(request: HttpRequest):
    """The page itself. Its language is the one asked for (`?lang=`, set by the script from initData),
    else the browser's."""
    lang = request.GET.get("lang")
    language = lang if lang in ("ru", "en") else _language(request, None)
    with translation.override(language):
        return render(request, "webapp/index.html", page_context(request, language=language))


# --- Availability (open) ----------------------------------------------------------------------------------


@require_GET
@endpoint(signed=False)
def catalogue(request: HttpRequest, *, account, now: datetime):
    today = _today(now)
    items = Item.objects.filter(bookable_items_for_clients()).order_by("category", "sort_order", "name", "id")
    categories: dict[str, list[dict]] = {}
    for item in items:
        categories.setdefault(item.category or _("Other"), []).append(
            {"id": item.pk, "name": item.name, "description": item.description, "quantity": item.quantity})
    cabinets = Cabinet.objects.filter(is_active=True).order_by("number", "name", "id")
    return JsonResponse({
        "today": today.isoformat(),
        "equipment_last_day": (today + timedelta(days=settings.EQUIPMENT_MAX_ADVANCE_DAYS)).isoformat(),
        "cabinet_last_day": (today + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)).isoformat(),
        "max_range_days": settings.EQUIPMENT_MAX_RANGE_DAYS,
        "categories": [{"name": name, "items": entries} for name, entries in categories.items()],
        "cabinets": [{"id": c.pk, "name": c.name, "number": c.number, "floor": c.floor} for c in cabinets],
    })


@require_GET
@endpoint(signed=False)
def equipment_month(request: HttpRequest, item_id: int, *, account, now: datetime):
    """Free units of one item on every day of a month, and whether the day can start or end a booking."""
    item = _item(item_id)
    first = _month(request.GET.get("month"), _today(now))
    last = date(*add_months(first.year, first.month, 1), 1) - timedelta(days=1)
    grid = equipment_grid(items=[item], start_date=first, end_date=last)
    days = []
    for day in date_range(first, last):
        try:
            equipment_services.check_dates(start_date=day, end_date=day, now=now)
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
    day = _date(request.GET.get("date"), "date")
    today = _today(now)
    last_day = today + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)
    if not today <= day <= last_day:
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
    cabinet = _cabinet(cabinet_id)
    starts_at = _instant(request.GET.get("starts_at"), "starts_at")
    minutes = _int(request.GET.get("duration_minutes"), "duration_minutes", maximum=24 * 60)
    items = list(Item.objects.filter(offered_with_cabinet(cabinet.pk)).order_by("sort_order", "name", "id"))
    free = items_free_in_window(items=items, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes))
    return JsonResponse({"items": [{"id": item.pk, "name": item.name, "free": free[item.pk]} for item in items]})


# --- The signed-in user -----------------------------------------------------------------------------------


def _my_bookings(account: TelegramAccount, now: datetime) -> list[dict]:
    equipment = equipment_services.upcoming_for_requester(account=account, now=now)[:20]
    cabinets = cabinet_services.upcoming_for_requester(account=account, now=now)[:20]
    return ([_booking_json("equipment", b, now, account) for b in equipment]
            + [_booking_json("cabinet", b, now, account) for b in cabinets])


@require_GET
@endpoint(signed=True)
def me(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    name, phone = " ".join(part for part in (account.first_name, account.last_name) if part), account.phone
    last = last_client(account)
    if last is not None:  # the form starts with what they gave last time
        name, phone = last.name, format_phone(last.phone)
    waits = equipment_waitlist.waits_for(account=account) + cabinet_waitlist.waits_for(account=account)
    return JsonResponse({"user": {"name": name, "phone": phone, "language": account.language,
                                  "is_blocked": account.is_blocked},
                         "bookings": _my_bookings(account, now), "waits": [_wait_json(w) for w in waits]})


def _request(data: dict) -> tuple[str, dict]:
    """The resource and its fields from a booking (or waitlist) request of the page."""
    kind = data.get("kind")
    if kind == "equipment":
        item = _item(_int(data.get("item_id"), "item_id"))
        start = _date(data.get("start_date"), "start_date")
        end = _date(data["end_date"], "end_date") if data.get("end_date") else start
        return kind, {"item": item, "start_date": start, "end_date": end,
                      "units": _int(data.get("units", 1), "units")}
    if kind == "cabinet":
        return kind, {"cabinet": _cabinet(_int(data.get("cabinet_id"), "cabinet_id")),
                      "starts_at": _instant(data.get("starts_at"), "starts_at"),
                      "duration_minutes": _int(data.get("duration_minutes"), "duration_minutes",
                                                  maximum=24 * 60)}
    raise BookingError("invalid", _("kind must be equipment or cabinet."), field="kind")


def _equipment_lines(data: dict) -> list[tuple[Item, int]]:
    lines = data.get("equipment") or []
    if not isinstance(lines, list) or len(lines) > 20:
        raise BookingError("invalid", _("equipment must be a list."), field="equipment")
    equipment = []
    for line in lines:
        if not isinstance(line, dict):
            raise BookingError("invalid", _("equipment must be a list."), field="equipment")
        item = Item.objects.filter(pk=_int(line.get("item_id"), "item_id")).first()
        if item is None:
            raise BookingError("not_found", _("This equipment is no longer available."))
        equipment.append((item, _int(line.get("units", 1), "units")))
    return equipment


def _client(data: dict, account: TelegramAccount, now: datetime) -> dict:
    return {"client_name": _text(data, "client_name"), "client_phone": _text(data, "client_phone"),
            "comment": _text(data, "comment"), "actor": Actor.telegram(account), "channel": Channel.WEBAPP,
            "now": now}


def _cabinet_booking(booking_id: int) -> CabinetBooking:
    return CabinetBooking.objects.select_related("cabinet").prefetch_related("equipment_bookings__item").get(
        pk=booking_id)


@require_POST
@endpoint(signed=True)
def book(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    data = _body(request)
    equipment = _equipment_lines(data) if data.get("kind") == "cabinet" else []
    kind, fields = _request(data)
    if kind == "equipment":
        booking = equipment_services.equipment_booking_create(**fields, **_client(data, account, now))
    else:
        booking = _cabinet_booking(cabinet_services.cabinet_booking_create(
            **fields, equipment=equipment, **_client(data, account, now)).pk)
    return JsonResponse({"booking": _booking_json(kind, booking, now, account)}, status=201)


# --- The waitlist ----------------------------------------------------------------------------------------


def _wait_json(wait: Wait) -> dict:
    if wait.item_id:
        title = wait.item.name + (f" × {wait.units}" if wait.units > 1 else "")
        when = texts.dates_text(wait.start_date, wait.end_date)
    else:
        title, when = wait.cabinet.name, texts.window_text(wait.starts_at, wait.ends_at)
    expires = (timezone.localtime(wait.offer_expires_at, clinic_zone()).isoformat()
               if wait.status == Wait.Status.OFFERED and wait.offer_expires_at else None)
    return {"id": wait.pk, "kind": wait.resource_type, "title": title, "when": when, "status": wait.status,
            "status_label": str(wait.get_status_display()), "position": wait_position(wait),
            "offer_expires_at": expires}


def _own_wait(account: TelegramAccount, wait_id: int) -> Wait:
    wait = Wait.objects.select_related("item", "cabinet").filter(pk=wait_id, requester=account).first()
    if wait is None:
        raise BookingError("not_found", _("This waitlist entry does not exist."))
    return wait


@require_POST
@endpoint(signed=True)
def waitlist_join(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    """Wait for exactly the request that was refused for capacity."""
    data = _body(request)
    kind, fields = _request(data)
    join = equipment_waitlist.equipment_wait_join if kind == "equipment" else cabinet_waitlist.cabinet_wait_join
    wait = join(**fields, **_client(data, account, now))
    return JsonResponse({"wait": _wait_json(_own_wait(account, wait.pk))}, status=201)


@require_POST
@endpoint(signed=True)
def waitlist_action(request: HttpRequest, wait_id: int, action: str, *, account: TelegramAccount,
                    now: datetime):
    """Leave the waitlist, or answer an offer: book it, or pass it on."""
    wait, actor = _own_wait(account, wait_id), Actor.telegram(account)
    if action == "accept":
        if wait.resource_type == "equipment":
            booking = equipment_waitlist.equipment_wait_accept(wait=wait, actor=actor, now=now)
            booking = EquipmentBooking.objects.select_related("item").get(pk=booking.pk)
        else:
            booking = _cabinet_booking(cabinet_waitlist.cabinet_wait_accept(wait=wait, actor=actor, now=now).pk)
        return JsonResponse({"booking": _booking_json(wait.resource_type, booking, now, account)}, status=201)
    if action == "decline":
        wait = wait_decline(wait=wait, actor=actor, now=now)
    elif action == "leave":
        wait = wait_cancel(wait=wait, actor=actor, now=now)
    else:
        raise BookingError("not_found")
    return JsonResponse({"wait": _wait_json(_own_wait(account, wait.pk))})


@require_POST
@endpoint(signed=True)
def cancel(request: HttpRequest, kind: str, booking_id: int, *, account: TelegramAccount, now: datetime):
    if kind not in ("equipment", "cabinet"):
        raise BookingError("not_found", _("Booking not found."))
    actor = Actor.telegram(account)
    if kind == "equipment":
        booking = EquipmentBooking.objects.select_related("item").filter(pk=booking_id, requester=account).first()
        if booking is None:
            raise BookingError("not_found", _("Booking not found."))
        RULES[kind].check_cancellable(booking=booking, actor=actor, now=now)
        booking = equipment_services.equipment_booking_cancel(booking=booking, actor=actor, now=now,
                                                              channel=Channel.WEBAPP)
    else:
        booking = CabinetBooking.objects.filter(pk=booking_id, requester=account).first()
        if booking is None:
            raise BookingError("not_found", _("Booking not found."))
        RULES[kind].check_cancellable(booking=booking, actor=actor, now=now)
        cabinet_services.cabinet_booking_cancel(booking=booking, actor=actor, now=now, channel=Channel.WEBAPP)
        booking = _cabinet_booking(booking_id)
    return JsonResponse({"booking": _booking_json(kind, booking, now, account)})
