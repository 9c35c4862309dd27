"""The audit's quick row writer shows every value exactly as openpyxl's own writer does: the same workbook is
built a second time through openpyxl's plain write-only sheets (the golden copy) and compared cell by cell."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking
from integrations.audit import workbook
from integrations.audit.workbook import AuditWriter, cell_value
from kernel.channels import Actor
from tests import factories
from tests.clock import at
from tests.conftest import MSK
from tests.jobs.conftest import approved_cabinet_booking, approved_equipment_booking

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 1)
AWKWARD_TEXTS = [
    "=HYPERLINK(\"x\")", "@SUM(A1)", "-5", "+7 (999) 000-11-22", "Tom & Jerry <b>bold</b> > all",
    "  spaced  ", "two\r\nlines\tand a tab", "bell\x07inside", "смайлик 🙂", "'quoted", "\x07",
]


class OpenpyxlSheet(WriteOnlyWorksheet):
    """openpyxl's own write-only sheet, fed the values the audit shows: the golden copy."""

    def append_record(self, row, zone):
        self.append([cell_value(value, zone) for value in row])


def openpyxl_sheet(book, title):
    sheet = OpenpyxlSheet(parent=book, title=title)
    book._add_sheet(sheet)
    return sheet


@pytest.fixture
def awkward_month(cabinet, item, alice, bob, staff, now):
    """December bookings whose texts, instants and empty fields exercise every kind of cell."""
    factories.ItemFactory(name="=CMD|' /C calc'!A0", quantity=2, description="  leading & trailing  ")
    for number, text in enumerate(AWKWARD_TEXTS):
        booking = approved_equipment_booking(item=item, account=alice, staff=staff,
                                             start_date=date(2026, 12, 1 + number), now=now)
        EquipmentBooking.objects.filter(pk=booking.pk).update(
            client_name=text, comment=text, manager_comment="" if number % 2 else "  ok  ",
            decided_at=datetime(2026, 12, 1, 21, 30, 15, 987654, tzinfo=MSK) + timedelta(hours=number))
    late = approved_cabinet_booking(cabinet=cabinet, account=bob, staff=staff, starts_at=at(date(2026, 12, 20), 20),
                                    now=now)
    CabinetBooking.objects.filter(pk=late.pk).update(client_name=AWKWARD_TEXTS[0], comment=AWKWARD_TEXTS[4])
    cancelled = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                         starts_at=at(date(2026, 12, 1), 9), now=now)
    cabinet_booking_cancel(booking=cancelled, actor=Actor.staff(staff), now=now, reason="  ill & <away>\r\n")
    alice.username, alice.is_manager = "a&b<c>", True
    alice.save()


def cells(path):
    book = load_workbook(path)
    return {
        sheet.title: {
            "freeze": sheet.freeze_panes,
            "widths": {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()},
            "cells": [[(cell.value, cell.number_format, cell.font.bold) for cell in row] for row in sheet.iter_rows()],
        }
        for sheet in book.worksheets
    }


def without_empty_texts(sheets):
    """A text made only of characters XML cannot hold is written as an empty text, where openpyxl writes none."""
    return {title: {**sheet, "cells": [[(None, *cell[1:]) if cell[0] == "" else cell for cell in row]
                                       for row in sheet["cells"]]}
            for title, sheet in sheets.items()}


def test_every_cell_is_the_one_openpyxls_own_writer_makes(awkward_month, now, tmp_path, monkeypatch):
    with translation.override("en"):
        AuditWriter(month=DECEMBER, now=now).write(tmp_path / "quick.xlsx")
        monkeypatch.setattr(workbook, "streaming_sheet", openpyxl_sheet)
        AuditWriter(month=DECEMBER, now=now).write(tmp_path / "golden.xlsx")

    quick, golden = cells(tmp_path / "quick.xlsx"), cells(tmp_path / "golden.xlsx")

    assert without_empty_texts(quick) == golden
    equipment = quick["Equipment bookings"]["cells"]
    header = [value for value, _format, _bold in equipment[0]]
    by_client = {row[header.index("Client")][0]: row for row in equipment[1:]}
    assert "'=HYPERLINK(\"x\")" in by_client and "Tom & Jerry <b>bold</b> > all" in by_client
    assert "" in by_client  # "\x07": the bell is dropped, the cell kept
    assert "  spaced  " in by_client and "two\r\nlines\tand a tab" in by_client and "bellinside" in by_client
    phone_like = by_client["+7 (999) 000-11-22"]  # the fourth: decided at 00:30:15.987654 clinic time, Dec 2
    assert phone_like[header.index("Decided at")][:2] == (datetime(2026, 12, 2, 0, 30, 15), "yyyy-mm-dd h:mm:ss")
    assert phone_like[header.index("From")][0] == datetime(2026, 12, 4)
