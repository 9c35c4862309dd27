"""Writing the audit workbook. Constant memory: every sheet is streamed from a `values_list(...).iterator()`
into openpyxl's write-only mode, and the summary is accumulated on the way.

Dates and times are shown in the clinic's time zone (Excel has no zones, so they are written naive).
Text that Excel or a CSV export could run as a formula is neutralised (kernel.spreadsheets)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import SECS_PER_DAY, WINDOWS_EPOCH
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter, create_temporary_file

from accounts.models import TelegramAccount
from booking_site.private_files import private_file
from cabinets.availability import cabinets_days, clinic_zone
from cabinets.models import Cabinet, CabinetBooking, CabinetBookingStatusChange
from equipment.models import EquipmentBooking, EquipmentBookingStatusChange, Item
from kernel.bookings import Status
from kernel.clock import month_bounds, month_instants
from kernel.scheduling import date_range
from kernel.spreadsheets import safe_text

CHUNK = 1000
PROGRESS_EVERY = 5000
# Bookings that actually used their resource, for the utilisation figures.
USED = (Status.APPROVED, Status.COMPLETED, Status.NO_SHOW)  # a no-show still took its time
BOLD = Font(bold=True)

Progress = Callable[[str, int, bool], None]  # (sheet, rows so far, sheet finished)


def cell_value(value: Any, zone) -> Any:
    if isinstance(value, str):
        return safe_text(value) if value else None
    if isinstance(value, datetime):
        return timezone.localtime(value, zone).replace(tzinfo=None, microsecond=0)
    return value


_LETTERS = [get_column_letter(n) for n in range(1, 101)]
_TEXT_CACHE = 256  # distinct values remembered per column: statuses, channels, names of items, dates of a month
_FLUSH_EVERY = 500  # rows per write to the sheet's file


def _xml_text(value: str) -> str:
    """`value` as the text of an XML element, escaped as lxml escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


class StreamingSheet(WriteOnlyWorksheet):
    """openpyxl's write-only worksheet with a quicker path for rows of plain values.

    openpyxl builds a Cell object and a nest of writer contexts for every value; at a few million values that
    is most of an audit's time. Here each row becomes one string of the same cell XML openpyxl writes (inline
    strings, numbers, dates as serial numbers with a date style), written straight to the sheet's own file.
    openpyxl still writes everything around the rows (columns, frozen panes, the tail) into a small buffer,
    which is split at <sheetData> and joined around the rows when the sheet closes."""

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self._styles: dict[type, str] = {}
        self._row_idx = 0
        self._pending: list[str] = []
        self._rows_path: str | None = None
        self._rows_file = None
        self._head_size = 0
        self._caches: list[dict] = []
        self._zone = None
        epoch = parent.epoch
        self._epoch_ordinal = epoch.toordinal()
        self._windows_epoch = epoch == WINDOWS_EPOCH

    def _get_writer(self):
        if self._writer is None:
            self._writer = WorksheetWriter(self, out=BytesIO())
            self._writer.write_top()

    def _style_of(self, sample) -> str:
        kind = type(sample)
        if kind not in self._styles:
            cell = WriteOnlyCell(self, value=sample)  # registers openpyxl's default date format for the type
            self._styles[kind] = str(cell.style_id)
        return self._styles[kind]

    def _serial(self, value: date) -> str:
        """openpyxl's to_excel() of a naive datetime or a date, without its per-call checks."""
        days = value.toordinal() - self._epoch_ordinal
        if 0 < days <= 60 and self._windows_epoch:
            days -= 1
        if isinstance(value, datetime):
            seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 10**6
            return repr(days + seconds / SECS_PER_DAY)
        return repr(days + 0.0)

    def _cell(self, value: Any, style: str = "") -> str:
        """The XML of a cell after its r="…" attribute; "" for nothing to write."""
        if isinstance(value, str):
            preserve = ' xml:space="preserve"' if value != value.strip() else ""
            return f'{style} t="inlineStr"><is><t{preserve}>{_xml_text(value)}</t></is></c>'
        if isinstance(value, bool):
            return f'{style} t="b"><v>{"1" if value else "0"}</v></c>'
        if isinstance(value, int | float):
            return f'{style} t="n"><v>{value!r}</v></c>'
        if isinstance(value, date):  # datetime is a date too
            return f' t="n" s="{self._style_of(value)}"><v>{self._serial(value)}</v></c>'
        return f'{style} t="inlineStr"><is><t>{_xml_text(str(value))}</t></is></c>'

    def _record_cell(self, value: Any) -> str:
        """A database value as the audit shows it (cell_value), as cell XML."""
        value = cell_value(value, self._zone)
        return "" if value is None else self._cell(value)

    def _write_row(self, ref: str, cells: list[str]) -> None:
        self._pending.append(f'<row r="{ref}">{"".join(cells)}</row>' if cells else f'<row r="{ref}"/>')
        if len(self._pending) >= _FLUSH_EVERY:
            self._flush()

    def _start(self) -> None:
        """Open the sheet's file and write openpyxl's part of it up to and including <sheetData>."""
        self._get_writer()
        xf = self._writer.xf.send(True)
        self._rows = self._rows_context(xf)
        next(self._rows)
        xf.flush()
        head = self._writer.out.getvalue()
        self._head_size = len(head)
        self._rows_path = create_temporary_file()
        self._rows_file = open(self._rows_path, "wb")
        self._rows_file.write(head)

    def _rows_context(self, xf):
        with xf.element("sheetData"):
            try:
                while True:
                    yield
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _flush(self) -> None:
        self._rows_file.write("".join(self._pending).encode())
        self._pending.clear()

    def append(self, row) -> None:
        """A row of values as they are (no text made safe, no time zone): headers and the summary."""
        if self._rows is None:
            self._start()
        self._row_idx += 1
        ref = str(self._row_idx)
        cells = []
        for letter, value in zip(_LETTERS, row, strict=False):
            style = ""
            if isinstance(value, Cell):
                style = f' s="{value.style_id}"' if value.has_style else ""
                value = value.value
            if value is not None:
                cells.append(f'<c r="{letter}{ref}"{self._cell(value, style)}')
        self._write_row(ref, cells)

    def append_record(self, row, zone) -> None:
        """A row of database values, shown as cell_value() shows them: texts made safe, instants in the
        clinic's time zone. Repeated values of a column (statuses, item names, dates) are converted once."""
        if self._rows is None:
            self._start()
        if len(self._caches) < len(row):
            self._caches += [{} for _ in range(len(row) - len(self._caches))]
        self._zone = zone
        self._row_idx += 1
        ref = str(self._row_idx)
        cells = []
        for letter, value, cache in zip(_LETTERS, row, self._caches, strict=False):
            if value is None:
                continue
            xml = cache.get(value)
            if xml is None:
                xml = self._record_cell(value)
                if len(cache) < _TEXT_CACHE:
                    cache[value] = xml
            if xml:
                cells.append(f'<c r="{letter}{ref}"{xml}')
        self._write_row(ref, cells)

    def close(self):
        super().close()  # openpyxl writes the tail into its buffer
        if self._rows_file is None:  # no rows: openpyxl wrote the whole sheet
            path = create_temporary_file()
            Path(path).write_bytes(self._writer.out.getvalue())
        else:
            self._flush()
            self._rows_file.write(self._writer.out.getvalue()[self._head_size:])
            self._rows_file.close()
            path = self._rows_path
        self._writer.out = path  # where the workbook's writer reads the sheet from and deletes it


def streaming_sheet(workbook: Workbook, title: str) -> StreamingSheet:
    sheet = StreamingSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)
    return sheet


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # a values_list path, or None for a computed column
    width: int = 14


def reference(model, pk: int) -> str:
    """The booking's reference as every other door shows it ("E-3", "C-3")."""
    return f"{model.REFERENCE_PREFIX}-{pk}"


def equipment_in_month(month: date):
    first, last = month_bounds(month)
    return EquipmentBooking.objects.filter(start_date__lte=last, end_date__gte=first)


def cabinet_in_month(month: date, zone):
    start, end = month_instants(month, zone)
    return CabinetBooking.objects.filter(starts_at__lt=end, ends_at__gt=start)


EQUIPMENT_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Reference"), None, 10),
    Column(pgettext_lazy("audit", "Item ID"), "item_id", 8),
    Column(pgettext_lazy("audit", "Item"), "item__name", 28),
    Column(pgettext_lazy("audit", "Units"), "units", 7),
    Column(pgettext_lazy("audit", "From"), "start_date", 12),
    Column(pgettext_lazy("audit", "Until"), "end_date", 12),
    Column(pgettext_lazy("audit", "Window start"), "starts_at", 18),
    Column(pgettext_lazy("audit", "Window end"), "ends_at", 18),
    Column(pgettext_lazy("audit", "Cabinet booking"), "cabinet_booking_id", 10),
    Column(pgettext_lazy("audit", "Status"), "status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Telegram id"), "requester__telegram_id", 13),
    Column(pgettext_lazy("audit", "Telegram username"), "requester__username", 16),
    Column(pgettext_lazy("audit", "Partner"), "partner__name", 16),
    Column(pgettext_lazy("audit", "External booking id"), "external_booking_id", 18),
    Column(pgettext_lazy("audit", "Client"), "client_name", 24),
    Column(pgettext_lazy("audit", "Phone"), "client_phone", 15),
    Column(pgettext_lazy("audit", "Comment"), "comment", 30),
    Column(pgettext_lazy("audit", "Manager comment"), "manager_comment", 24),
    Column(pgettext_lazy("audit", "Reason"), "status_reason", 20),
    Column(pgettext_lazy("audit", "Decided by"), "decided_by", 18),
    Column(pgettext_lazy("audit", "Decided at"), "decided_at", 18),
    Column(pgettext_lazy("audit", "Reminder sent at"), "reminder_sent_at", 18),
    Column(pgettext_lazy("audit", "Created by (admin)"), "created_by__username", 14),
    Column(pgettext_lazy("audit", "Created at"), "created_at", 18),
    Column(pgettext_lazy("audit", "Updated at"), "updated_at", 18),
]

CABINET_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Reference"), None, 10),
    Column(pgettext_lazy("audit", "Cabinet ID"), "cabinet_id", 8),
    Column(pgettext_lazy("audit", "Cabinet"), "cabinet__name", 20),
    Column(pgettext_lazy("audit", "Starts at"), "starts_at", 18),
    Column(pgettext_lazy("audit", "Ends at"), "ends_at", 18),
    Column(pgettext_lazy("audit", "Minutes"), None, 8),
    Column(pgettext_lazy("audit", "Status"), "status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Telegram id"), "requester__telegram_id", 13),
    Column(pgettext_lazy("audit", "Telegram username"), "requester__username", 16),
    Column(pgettext_lazy("audit", "Partner"), "partner__name", 16),
    Column(pgettext_lazy("audit", "External booking id"), "external_booking_id", 18),
    Column(pgettext_lazy("audit", "Client"), "client_name", 24),
    Column(pgettext_lazy("audit", "Phone"), "client_phone", 15),
    Column(pgettext_lazy("audit", "Comment"), "comment", 30),
    Column(pgettext_lazy("audit", "Manager comment"), "manager_comment", 24),
    Column(pgettext_lazy("audit", "Reason"), "status_reason", 20),
    Column(pgettext_lazy("audit", "Decided by"), "decided_by", 18),
    Column(pgettext_lazy("audit", "Decided at"), "decided_at", 18),
    Column(pgettext_lazy("audit", "Reminder sent at"), "reminder_sent_at", 18),
    Column(pgettext_lazy("audit", "Created by (admin)"), "created_by__username", 14),
    Column(pgettext_lazy("audit", "Created at"), "created_at", 18),
    Column(pgettext_lazy("audit", "Updated at"), "updated_at", 18),
]

ITEM_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Name"), "name", 28),
    Column(pgettext_lazy("audit", "Category"), "category", 16),
    Column(pgettext_lazy("audit", "Units"), "quantity", 7),
    Column(pgettext_lazy("audit", "Active"), "is_active", 8),
    Column(pgettext_lazy("audit", "Permanently reserved"), "permanently_reserved", 10),
    Column(pgettext_lazy("audit", "Installed in cabinet"), "cabinet__name", 16),
    Column(pgettext_lazy("audit", "Order"), "sort_order", 7),
    Column(pgettext_lazy("audit", "Description"), "description", 40),
]

CABINET_LIST_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Name"), "name", 20),
    Column(pgettext_lazy("audit", "Number"), "number", 8),
    Column(pgettext_lazy("audit", "Floor"), "floor", 7),
    Column(pgettext_lazy("audit", "Capacity (people)"), "capacity", 9),
    Column(pgettext_lazy("audit", "Address"), "address", 24),
    Column(pgettext_lazy("audit", "Active"), "is_active", 8),
    Column(pgettext_lazy("audit", "Description"), "description", 40),
]

ACCOUNT_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Telegram id"), "telegram_id", 13),
    Column(pgettext_lazy("audit", "Username"), "username", 16),
    Column(pgettext_lazy("audit", "First name"), "first_name", 14),
    Column(pgettext_lazy("audit", "Last name"), "last_name", 14),
    Column(pgettext_lazy("audit", "Language"), "language_code", 8),
    Column(pgettext_lazy("audit", "Phone"), "phone", 15),
    Column(pgettext_lazy("audit", "Manager"), "is_manager", 9),
    Column(pgettext_lazy("audit", "Blocked"), "is_blocked", 9),
    Column(pgettext_lazy("audit", "Block reason"), "blocked_reason", 20),
    Column(pgettext_lazy("audit", "Blocked at"), "blocked_at", 18),
    Column(pgettext_lazy("audit", "Reminders on"), "reminders_enabled", 9),
    Column(pgettext_lazy("audit", "First seen"), "created_at", 18),
    Column(pgettext_lazy("audit", "Last seen"), "last_seen_at", 18),
]

HISTORY_COLUMNS = [
    Column(pgettext_lazy("audit", "Booking type"), None, 11),
    Column(pgettext_lazy("audit", "Booking ID"), "booking_id", 9),
    Column(pgettext_lazy("audit", "At"), "at", 18),
    Column(pgettext_lazy("audit", "From"), "from_status", 11),
    Column(pgettext_lazy("audit", "To"), "to_status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Actor"), "actor", 22),
    Column(pgettext_lazy("audit", "Reason"), "reason", 30),
]


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
        query = equipment_in_month(self.month).order_by("start_date", "id").values_list(*fields)
        for row in query.iterator(chunk_size=CHUNK):
            item_id, units, start, end, window, status = row[1], row[3], row[4], row[5], row[6], row[9]
            self.by_status[("equipment", status)] += 1
            self.bookings_per_item[item_id] += 1
            if status in USED and window is None:
                days = (min(end, last) - max(start, first)).days + 1
                self.unit_days[item_id] += units * days
            yield (row[0], reference(EquipmentBooking, row[0]), *row[1:])

    def _cabinet_rows(self):
        start, end = month_instants(self.month, self.zone)
        fields = [c.field for c in CABINET_COLUMNS if c.field]
        query = cabinet_in_month(self.month, self.zone).order_by("starts_at", "id").values_list(*fields)
        for row in query.iterator(chunk_size=CHUNK):
            cabinet_id, starts_at, ends_at, status = row[1], row[3], row[4], row[5]
            minutes = int((ends_at - starts_at).total_seconds() // 60)
            self.by_status[("cabinet", status)] += 1
            self.bookings_per_cabinet[cabinet_id] += 1
            if status in USED:
                inside = min(ends_at, end) - max(starts_at, start)
                self.cabinet_minutes[cabinet_id] += max(0, int(inside.total_seconds() // 60))
            yield (row[0], reference(CabinetBooking, row[0]), *row[1:5], minutes, *row[5:])

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
        grid = cabinets_days(cabinets=cabinets, start_date=first, end_date=last, now=self.now)
        for cabinet in cabinets:
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
        self._summary(summary)
        with private_file(path) as handle:  # 0600 before the first byte: it holds names and phones
            self.workbook.save(handle)
        return dict(self.row_counts)

