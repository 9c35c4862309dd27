"""Writing the audit workbook. Constant memory: every sheet is streamed from a `values_list(...).iterator()`
into openpyxl's write-only mode (integrations.audit.sheet), and the summary is accumulated on the way. The
sheets' columns and the month's bookings are integrations.audit.columns; each booking's row ends with its stored
price, and the daily totals are the month's revenue per clinic day (specialists.revenue says what counts). The
money sheets (payments, refunds, wallet movements, the reconciliation) are integrations.audit.money.

Dates and times are shown in the clinic's time zone (Excel has no zones, so they are written naive).
Text that Excel or a CSV export could run as a formula is neutralised (kernel.spreadsheets)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import TelegramAccount
from booking_site.private_files import private_file
from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking, CabinetBookingStatusChange
from equipment.models import EquipmentBooking, EquipmentBookingStatusChange, Item
from integrations.audit.columns import (
    ACCOUNT_COLUMNS,
    CABINET_COLUMNS,
    CABINET_LIST_COLUMNS,
    DAILY_COLUMNS,
    EQUIPMENT_COLUMNS,
    HISTORY_COLUMNS,
    ITEM_COLUMNS,
    PRICE_EXTRAS,
    Column,
    cabinet_in_month,
    equipment_in_month,
    reference,
    with_prices,
)
from integrations.audit.money import (
    PAYMENT_COLUMNS,
    RECONCILIATION_COLUMNS,
    REFUND_COLUMNS,
    WALLET_COLUMNS,
    payment_rows,
    reconciliation_rows,
    refund_rows,
    wallet_rows,
)
from integrations.audit.sheet import cell_value, streaming_sheet
from kernel.bookings import Status
from kernel.clock import month_bounds, month_instants
from kernel.pricing.labels import label_text
from kernel.scheduling import date_range
from kernel.spreadsheets import safe_text
from specialists.revenue import revenue

CHUNK = 1000
PROGRESS_EVERY = 5000
# Bookings that actually used their resource, for the utilisation figures.
USED = (Status.APPROVED, Status.COMPLETED, Status.NO_SHOW)  # a no-show still took its time
BOLD = Font(bold=True)

Progress = Callable[[str, int, bool], None]  # (sheet, rows so far, sheet finished)


def discount_text(label: str | None, params) -> str | None:
    """A stored discount's words in the workbook's language ("birthday discount −12 %"); none without one."""
    return label_text(label, params or {}) if label else None


class AuditWriter:
    """Writes one month's workbook to `path`; `row_counts` tells how many data rows each sheet got."""

    def __init__(self, *, month: date, now: datetime, progress: Progress | None = None):
        self.month = month.replace(day=1)
        self.now = now
        self.zone = clinic_zone()
        self.progress = progress or (lambda sheet, rows, done: None)
        self.workbook = Workbook(write_only=True)
        self.row_counts: dict[str, int] = {}
        self.unit_days: dict[int, int] = defaultdict(int)
        self.cabinet_minutes: dict[int, int] = defaultdict(int)
        self.by_status: dict[tuple[str, str], int] = defaultdict(int)
        self.bookings_per_item: dict[int, int] = defaultdict(int)
        self.bookings_per_cabinet: dict[int, int] = defaultdict(int)

    # --- plumbing ---

    def _header(self, sheet, headers: Iterable[str]) -> None:
        cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.font = BOLD
            cells.append(cell)
        sheet.append(cells)

    def _stream(self, key: str, title: str, columns: list[Column], rows: Iterable[Iterable[Any]]) -> int:
        sheet = streaming_sheet(self.workbook, title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        self._header(sheet, (column.header for column in columns))
        zone, count = self.zone, 0
        for row in rows:
            sheet.append_record(row, zone)
            count += 1
            if count % PROGRESS_EVERY == 0:
                self.progress(title, count, False)
        self.progress(title, count, True)
        self.row_counts[key] = count
        return count

    # --- sheets ---

    def _equipment_rows(self):
        first, last = month_bounds(self.month)
        fields = [c.field for c in EQUIPMENT_COLUMNS if c.field]
        query = (with_prices(equipment_in_month(self.month), "equipment").order_by("start_date", "id")
                 .values_list(*fields, *PRICE_EXTRAS))
        for row in query.iterator(chunk_size=CHUNK):
            item_id, units, start, end, window, status = row[1], row[3], row[4], row[5], row[6], row[9]
            self.by_status[("equipment", status)] += 1
            self.bookings_per_item[item_id] += 1
            if status in USED and window is None:
                days = (min(end, last) - max(start, first)).days + 1
                self.unit_days[item_id] += units * days
            yield (row[0], reference(EquipmentBooking, row[0]), *row[1:-2], discount_text(*row[-2:]))

    def _cabinet_rows(self):
        start, end = month_instants(self.month, self.zone)
        fields = [c.field for c in CABINET_COLUMNS if c.field]
        query = (with_prices(cabinet_in_month(self.month, self.zone), "cabinet").order_by("starts_at", "id")
                 .values_list(*fields, *PRICE_EXTRAS))
        for row in query.iterator(chunk_size=CHUNK):
            cabinet_id, starts_at, ends_at, status = row[1], row[3], row[4], row[5]
            minutes = int((ends_at - starts_at).total_seconds() // 60)
            self.by_status[("cabinet", status)] += 1
            self.bookings_per_cabinet[cabinet_id] += 1
            if status in USED:
                inside = min(ends_at, end) - max(starts_at, start)
                self.cabinet_minutes[cabinet_id] += max(0, int(inside.total_seconds() // 60))
            yield (row[0], reference(CabinetBooking, row[0]), *row[1:5], minutes, *row[5:-2],
                   discount_text(*row[-2:]))

    def _daily_rows(self):
        """The month's revenue per clinic day, then the month's."""
        first, last = month_bounds(self.month)
        report = revenue(start=first, end=last)
        for day, money in [*report.days, (pgettext("audit", "Total"), report.total)]:
            yield (day, money.bookings, money.base, money.discounts, money.changes, money.total)

    def _history_rows(self):
        equipment_ids = equipment_in_month(self.month).values("pk")
        cabinet_ids = cabinet_in_month(self.month, self.zone).values("pk")
        fields = [c.field for c in HISTORY_COLUMNS if c.field]
        for kind, model, ids in (("equipment", EquipmentBookingStatusChange, equipment_ids),
                                 ("cabinet", CabinetBookingStatusChange, cabinet_ids)):
            query = model.objects.filter(booking__in=ids).order_by("booking_id", "at", "id").values_list(*fields)
            for row in query.iterator(chunk_size=CHUNK):
                yield (kind, *row)

    def _summary(self, sheet) -> None:
        first, last = month_bounds(self.month)
        days = (last - first).days + 1
        zone = self.zone
        sheet.column_dimensions["A"].width = 30
        for letter in "BCDEF":
            sheet.column_dimensions[letter].width = 16
        title = pgettext("audit", "Audit of %(month)s") % {"month": f"{self.month:%m.%Y}"}
        self._header(sheet, [title, pgettext("audit", "Made at")])
        sheet.append([f"{first:%d.%m.%Y} – {last:%d.%m.%Y}", cell_value(self.now, zone)])
        sheet.append([])
        self._header(sheet, [pgettext("audit", "Booking type"), pgettext("audit", "Status"),
                             pgettext("audit", "Bookings")])
        for (kind, status), count in sorted(self.by_status.items()):
            sheet.append([kind, status, count])
        sheet.append([])
        self._header(sheet, [pgettext("audit", "Item"), pgettext("audit", "Units"), pgettext("audit", "Bookings"),
                             pgettext("audit", "Booked unit-days"), pgettext("audit", "Unit-days"),
                             pgettext("audit", "Utilisation, %")])
        for item_id, name, quantity in Item.objects.order_by("sort_order", "id").values_list("id", "name", "quantity"):
            capacity = quantity * days
            used = self.unit_days.get(item_id, 0)
            sheet.append([safe_text(name), quantity, self.bookings_per_item.get(item_id, 0), used, capacity,
                          round(100 * used / capacity, 1) if capacity else None])
        sheet.append([])
        self._header(sheet, [pgettext("audit", "Cabinet"), pgettext("audit", "Bookings"),
                             pgettext("audit", "Booked hours"), pgettext("audit", "Open hours"),
                             pgettext("audit", "Utilisation, %")])
        cabinets = list(Cabinet.objects.order_by("sort_order", "id"))
        for cabinet in cabinets:
            # One cabinet's month at a time: the grid holds its occupants, and all cabinets' at once were the
            # audit's peak of memory.
            grid = cabinets_days(cabinets=[cabinet], start_date=first, end_date=last, now=self.now)
            open_minutes = sum(slot.minutes for day in date_range(first, last)
                               for slot in grid[cabinet.pk][day].grid)
            used = self.cabinet_minutes.get(cabinet.pk, 0)
            sheet.append([safe_text(cabinet.name), self.bookings_per_cabinet.get(cabinet.pk, 0),
                          round(used / 60, 1), round(open_minutes / 60, 1),
                          round(100 * used / open_minutes, 1) if open_minutes else None])

    def write(self, path: Path) -> dict[str, int]:
        summary = streaming_sheet(self.workbook, pgettext("audit", "Summary"))
        self._stream("equipment_bookings", pgettext("audit", "Equipment bookings"), EQUIPMENT_COLUMNS,
                     self._equipment_rows())
        self._stream("cabinet_bookings", pgettext("audit", "Cabinet bookings"), CABINET_COLUMNS,
                     self._cabinet_rows())
        self._stream("daily_totals", pgettext("audit", "Daily totals"), DAILY_COLUMNS, self._daily_rows())
        self._stream("items", pgettext("audit", "Items"), ITEM_COLUMNS,
                     Item.objects.order_by("sort_order", "id").values_list(*[c.field for c in ITEM_COLUMNS])
                     .iterator(chunk_size=CHUNK))
        self._stream("cabinets", pgettext("audit", "Cabinets"), CABINET_LIST_COLUMNS,
                     Cabinet.objects.order_by("sort_order", "id")
                     .values_list(*[c.field for c in CABINET_LIST_COLUMNS]).iterator(chunk_size=CHUNK))
        self._stream("telegram_accounts", pgettext("audit", "Telegram accounts"), ACCOUNT_COLUMNS,
                     TelegramAccount.objects.order_by("id").values_list(*[c.field for c in ACCOUNT_COLUMNS])
                     .iterator(chunk_size=CHUNK))
        self._stream("status_history", pgettext("audit", "Status history"), HISTORY_COLUMNS, self._history_rows())
        self._stream("payments", pgettext("audit", "Payments"), PAYMENT_COLUMNS, payment_rows(self.month, self.zone))
        self._stream("refunds", pgettext("audit", "Refunds"), REFUND_COLUMNS, refund_rows(self.month, self.zone))
        self._stream("wallet", pgettext("audit", "Wallet"), WALLET_COLUMNS, wallet_rows(self.month, self.zone))
        self._stream("reconciliation", pgettext("audit", "Reconciliation"), RECONCILIATION_COLUMNS,
                     reconciliation_rows(self.month))
        self._summary(summary)
        with private_file(path) as handle:  # 0600 before the first byte: it holds names and phones
            self.workbook.save(handle)
        return dict(self.row_counts)

