"""A worksheet per specialist: their appointments from today on, one row each, in the layout clinics already
keep by hand (date, full date, time, client id, client name, service). A sheet is rewritten whole whenever an
appointment of its specialist changed (or on a full run), so it always equals the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from cabinets.day_schedule import SHOWN_STATUSES
from cabinets.models import CabinetBooking
from integrations.sheets.client import SheetsGateway
from kernel.clock import clinic_zone
from kernel.scheduling import day_bounds
from specialists.models import Specialist

HEADER = ["Date", "Full date", "Time", "Client ID", "Client name", "Service"]
LAST_COLUMN = "F"
MIN_ROWS = 100
RESERVED = {"Bookings", "Schedule"}


def sheet_title(specialist: Specialist) -> str:
    """The specialist's name with their id (two specialists may share a name), without the apostrophe A1
    notation quotes with, never one of the mirror's own sheets."""
    name = specialist.name.replace("'", "’").strip()[:80] or "—"
    return f"{name} #{specialist.pk}"


def appointment_row(booking: CabinetBooking) -> list:
    start = timezone.localtime(booking.starts_at, clinic_zone())
    client_id = booking.requester.telegram_id if booking.requester_id else booking.reference
    return [f"{start:%d.%m}", f"{start:%d.%m.%Y}", f"{start:%H:%M}", str(client_id), booking.client_name,
            booking.service.name if booking.service_id else ""]


def specialist_rows(specialist_ids: Iterable[int], *, now: datetime) -> dict[int, list[list]]:
    """Each specialist's live appointments from the start of today, in time order (one query)."""
    ids = list(specialist_ids)
    rows: dict[int, list[list]] = {pk: [] for pk in ids}
    since = day_bounds(timezone.localtime(now, clinic_zone()).date(), clinic_zone())[0]
    for booking in (CabinetBooking.objects.filter(specialist_id__in=ids, status__in=SHOWN_STATUSES,
                                                  ends_at__gt=since)
                    .select_related("service", "requester").order_by("starts_at", "id")):
        rows[booking.specialist_id].append(appointment_row(booking))
    return rows


def specialist_sheets_rewrite(gateway: SheetsGateway, *, now: datetime, specialist_ids: Iterable[int] | None = None
                              ) -> int:
    """Rewrite the worksheets of these specialists (all active ones and any named, when None)."""
    people = Specialist.objects.order_by("id")
    people = people.filter(is_active=True) if specialist_ids is None else people.filter(pk__in=list(specialist_ids))
    people = list(people)
    rows = specialist_rows([p.pk for p in people], now=now)
    for person in people:
        title = sheet_title(person)
        values = [HEADER, *rows[person.pk]]
        info = gateway.ensure_sheet(title, rows=max(MIN_ROWS, len(values)), columns=len(HEADER))
        if len(values) > info.rows or len(HEADER) > info.columns:
            gateway.batch([{"updateSheetProperties": {
                "properties": {"sheetId": info.sheet_id, "gridProperties": {
                    "rowCount": max(len(values), info.rows), "columnCount": max(len(HEADER), info.columns)}},
                "fields": "gridProperties.rowCount,gridProperties.columnCount"}}])
        gateway.clear(f"'{title}'!A:{LAST_COLUMN}")
        gateway.write([{"range": f"'{title}'!A1:{LAST_COLUMN}{len(values)}", "values": values}])
    return len(people)


def touched_specialists(cabinet_booking_ids: Iterable[int]) -> set[int]:
    """The specialists of these cabinet bookings (appointments only)."""
    return set(CabinetBooking.objects.filter(pk__in=list(cabinet_booking_ids), specialist__isnull=False)
               .values_list("specialist_id", flat=True))
