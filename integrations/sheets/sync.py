"""Keeping the Google spreadsheet equal to the database.

A worksheet per specialist (integrations/sheets/specialists.py) lists their appointments from today on.

"Bookings": one row per booking (equipment and cabinet), keyed by column A ("equipment-12", "cabinet-5"),
one column layout for every write, ending with the total the booking stored (kernel.pricing; empty for none).
"Schedule": active items × the next days, each cell "free/total" units, green when all free, yellow when partly
used, red when full.

Incremental runs read the outbox after the last applied event (a JobCursor), upsert the changed bookings in
one values:batchUpdate and redraw the schedule in one batchUpdate; the cursor moves only when Google
accepted everything, so a failed run is simply repeated. `full=True` rewrites both sheets from the database."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cabinets.models import CabinetBooking
from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking, Item
from integrations.joblock import job_lock
from integrations.models import JobCursor
from integrations.prices import stored_total
from integrations.sheets.client import SheetsGateway
from integrations.sheets.specialists import specialist_sheets_rewrite, touched_specialists
from kernel.clock import clinic_zone
from kernel.outbox.models import Event
from kernel.scheduling import date_range

logger = logging.getLogger(__name__)

BOOKINGS, SCHEDULE = "Bookings", "Schedule"
CURSOR = "sheets"
HEADER = ["Key", "Type", "ID", "Resource", "Units", "Start", "End", "Status", "Channel", "Client", "Phone",
          "Partner", "External ID", "Comment", "Created", "Updated", "Total"]
LAST_COLUMN = "Q"  # the 17th column: HEADER's width
EVENTS_PER_RUN = 5000
ROWS_PER_REQUEST = 2000
SCHEDULE_DAYS = 31
GREEN = {"red": 0.85, "green": 0.94, "blue": 0.83}
YELLOW = {"red": 1.0, "green": 0.95, "blue": 0.7}
RED = {"red": 0.96, "green": 0.78, "blue": 0.76}


def booking_key(resource_type: str, booking_id: int) -> str:
    return f"{resource_type}-{booking_id}"


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value, clinic_zone()):%Y-%m-%d %H:%M}" if value else ""


def _total(booking) -> str:
    """The stored total as a decimal string (the query annotated it as `price_total`)."""
    total = getattr(booking, "price_total", None)
    return "" if total is None else str(total)


def equipment_row(booking: EquipmentBooking) -> list:
    start = _when(booking.starts_at) if booking.starts_at else f"{booking.start_date:%Y-%m-%d}"
    end = _when(booking.ends_at) if booking.ends_at else f"{booking.end_date:%Y-%m-%d}"
    return [booking_key("equipment", booking.pk), "equipment", booking.pk, booking.item.name, booking.units, start,
            end, booking.status, booking.channel, booking.client_name, booking.client_phone,
            booking.partner.name if booking.partner_id else "", booking.external_booking_id or "", booking.comment,
            _when(booking.created_at), _when(booking.updated_at), _total(booking)]


def cabinet_row(booking: CabinetBooking) -> list:
    return [booking_key("cabinet", booking.pk), "cabinet", booking.pk, booking.cabinet.name, "",
            _when(booking.starts_at), _when(booking.ends_at), booking.status, booking.channel, booking.client_name,
            booking.client_phone, booking.partner.name if booking.partner_id else "",
            booking.external_booking_id or "", booking.comment, _when(booking.created_at), _when(booking.updated_at),
            _total(booking)]


def _rows_for(keys: Iterable[tuple[str, int]]) -> dict[str, list]:
    wanted: dict[str, set[int]] = {"equipment": set(), "cabinet": set()}
    for resource_type, booking_id in keys:
        if resource_type in wanted and booking_id:
            wanted[resource_type].add(booking_id)
    rows = {}
    for booking in _equipment().filter(pk__in=wanted["equipment"]):
        rows[booking_key("equipment", booking.pk)] = equipment_row(booking)
    for booking in _cabinets().filter(pk__in=wanted["cabinet"]):
        rows[booking_key("cabinet", booking.pk)] = cabinet_row(booking)
    return rows


def _equipment():
    return EquipmentBooking.objects.select_related("item", "partner").annotate(price_total=stored_total("equipment"))


def _cabinets():
    return CabinetBooking.objects.select_related("cabinet", "partner").annotate(price_total=stored_total("cabinet"))


def _all_rows():
    for booking in _equipment().order_by("id").iterator(2000):
        yield equipment_row(booking)
    for booking in _cabinets().order_by("id").iterator(2000):
        yield cabinet_row(booking)


def _range(first_row: int, last_row: int) -> str:
    return f"'{BOOKINGS}'!A{first_row}:{LAST_COLUMN}{last_row}"


def _grow(gateway: SheetsGateway, title: str, info, rows: int, columns: int | None = None) -> None:
    """Make the sheet's grid at least `rows` high (Google refuses writes outside the grid)."""
    columns = columns or info.columns
    if rows > info.rows or columns > info.columns:
        gateway.batch([{"updateSheetProperties": {
            "properties": {"sheetId": info.sheet_id, "gridProperties": {
                "rowCount": max(rows, info.rows), "columnCount": max(columns, info.columns)}},
            "fields": "gridProperties.rowCount,gridProperties.columnCount"}}])
        info.rows, info.columns = max(rows, info.rows), max(columns, info.columns)


def bookings_upsert(gateway: SheetsGateway, rows: dict[str, list]) -> int:
    """Overwrite the rows of known keys, append the others: one write request for the whole batch."""
    info = gateway.ensure_sheet(BOOKINGS, rows=1000, columns=len(HEADER))
    keys = gateway.column(BOOKINGS)
    data = []
    if not keys or keys[0] != HEADER[0]:
        data.append({"range": _range(1, 1), "values": [HEADER]})
        keys = [HEADER[0], *keys[1:]]
    position = {key: index + 1 for index, key in enumerate(keys) if key}
    appended = []
    for key in sorted(rows, key=lambda k: (k.split("-")[0], int(k.split("-")[1]))):
        if key in position:
            data.append({"range": _range(position[key], position[key]), "values": [rows[key]]})
        else:
            appended.append(rows[key])
    if appended:
        first = len(keys) + 1
        data.append({"range": _range(first, first + len(appended) - 1), "values": appended})
    _grow(gateway, BOOKINGS, info, len(keys) + len(appended), len(HEADER))
    gateway.write(data)
    return len(rows)


def bookings_rewrite(gateway: SheetsGateway) -> int:
    info = gateway.ensure_sheet(BOOKINGS, rows=1000, columns=len(HEADER))
    gateway.clear(f"'{BOOKINGS}'!A:{LAST_COLUMN}")
    rows = [HEADER]
    written = 0
    next_row = 1
    for row in _all_rows():
        rows.append(row)
        if len(rows) >= ROWS_PER_REQUEST:
            _grow(gateway, BOOKINGS, info, next_row + len(rows) - 1, len(HEADER))
            gateway.write([{"range": _range(next_row, next_row + len(rows) - 1), "values": rows}])
            next_row, written, rows = next_row + len(rows), written + len(rows), []
    if rows:
        _grow(gateway, BOOKINGS, info, next_row + len(rows) - 1, len(HEADER))
        gateway.write([{"range": _range(next_row, next_row + len(rows) - 1), "values": rows}])
        written += len(rows)
    return written - 1  # without the header


def _cell(value, colour=None, bold=False) -> dict:
    cell = {"userEnteredValue": {"numberValue": value} if isinstance(value, int | float) and not isinstance(
        value, bool) else {"stringValue": str(value)}}
    fmt = {}
    if colour:
        fmt["backgroundColor"] = colour
    if bold:
        fmt["textFormat"] = {"bold": True}
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def schedule_rewrite(gateway: SheetsGateway, *, now: datetime) -> int:
    """Items × days, free/total, colour-coded: one request for values and colours together."""
    today = timezone.localtime(now, clinic_zone()).date()
    last = today + timedelta(days=SCHEDULE_DAYS - 1)
    items = list(Item.objects.filter(is_active=True).order_by("sort_order", "id"))
    grid = equipment_grid(items=items, start_date=today, end_date=last)
    days = list(date_range(today, last))
    rows = [{"values": [_cell("Item (units)", bold=True)] + [_cell(f"{d:%d.%m}", bold=True) for d in days]}]
    for item in items:
        cells = [_cell(f"{item.name} ({grid.total(item.pk)})", bold=True)]
        for day in days:
            free, total = grid.free(item.pk, day), grid.total(item.pk)
            colour = GREEN if free >= total else (RED if free <= 0 else YELLOW)
            cells.append(_cell(f"{free}/{total}", colour))
        rows.append({"values": cells})
    info = gateway.ensure_sheet(SCHEDULE, rows=len(rows), columns=len(days) + 1)
    gateway.batch([
        {"updateSheetProperties": {"properties": {"sheetId": info.sheet_id, "gridProperties": {
            "rowCount": len(rows), "columnCount": len(days) + 1, "frozenRowCount": 1, "frozenColumnCount": 1}},
            "fields": "gridProperties.rowCount,gridProperties.columnCount,"
                      "gridProperties.frozenRowCount,gridProperties.frozenColumnCount"}},
        {"updateCells": {"start": {"sheetId": info.sheet_id, "rowIndex": 0, "columnIndex": 0}, "rows": rows,
                         "fields": "userEnteredValue,userEnteredFormat.backgroundColor,userEnteredFormat.textFormat"}},
    ])
    return len(items)


def _cursor() -> JobCursor:
    cursor, _created = JobCursor.objects.get_or_create(name=CURSOR)
    return cursor


def sheets_sync(*, now: datetime, full: bool = False, gateway: SheetsGateway | None = None) -> dict:
    """Apply outbox events since the last run (or everything, with full=True). Off without credentials."""
    if gateway is None:
        if not settings.GOOGLE_SHEETS_ENABLED:
            return {"enabled": False}
        gateway = SheetsGateway.from_settings()
    with job_lock("sheets", seconds=300) as acquired:
        if not acquired:
            return {"locked": True}
        return _sync(gateway, now=now, full=full)


LATE_COMMIT_WINDOW = timedelta(minutes=5)


def _sync(gateway: SheetsGateway, *, now: datetime, full: bool) -> dict:
    cursor = _cursor()
    if full:
        last_event = Event.objects.aggregate(last=Max("pk"))["last"] or 0
        written = bookings_rewrite(gateway)
        items = schedule_rewrite(gateway, now=now)
        specialists = specialist_sheets_rewrite(gateway, now=now)
        _advance(cursor, last_event, now)
        return {"bookings": written, "items": items, "specialists": specialists, "events": None}
    events = list(Event.objects.filter(pk__gt=cursor.position).order_by("pk")
                  .values_list("pk", "resource_type", "booking_id")[:EVENTS_PER_RUN])
    # Ids are handed out at insert, not at commit: a transaction that commits late can leave an event below the
    # cursor. Events of the last few minutes are applied again (upserts by booking id are idempotent).
    late = list(Event.objects.filter(pk__lte=cursor.position, created_at__gte=now - LATE_COMMIT_WINDOW)
                .values_list("pk", "resource_type", "booking_id"))
    if not events and not late:
        return {"bookings": 0, "items": 0, "events": 0}
    touched = [(kind, booking_id) for _pk, kind, booking_id in [*late, *events]]
    written = bookings_upsert(gateway, _rows_for(touched))
    items = schedule_rewrite(gateway, now=now)
    people = touched_specialists(booking_id for kind, booking_id in touched if kind == "cabinet")
    specialists = specialist_sheets_rewrite(gateway, now=now, specialist_ids=people) if people else 0
    if events:
        _advance(cursor, events[-1][0], now)
    logger.info("sheets: %s events applied, %s booking rows written", len(events), written)
    return {"bookings": written, "items": items, "specialists": specialists, "events": len(events)}


def _advance(cursor: JobCursor, position: int, now: datetime) -> None:
    with transaction.atomic():
        JobCursor.objects.filter(pk=cursor.pk).update(position=position, updated_at=now)
