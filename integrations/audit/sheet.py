"""The audit workbook's streamed sheet: rows of plain values written straight to the sheet's file as the cell
XML openpyxl itself writes, in constant memory. Dates and times are shown in the clinic's time zone (Excel has
no zones, so they are written naive); text that Excel or a CSV export could run as a formula is neutralised
(kernel.spreadsheets)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.compat.strings import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import SECS_PER_DAY, WINDOWS_EPOCH
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter, create_temporary_file

from kernel.spreadsheets import safe_text


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
        if isinstance(value, Decimal):  # money: the digits openpyxl writes for it
            return f'{style} t="n"><v>{safe_string(value)}</v></c>'
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


