"""Names typed by managers or clients never become live formulas in a workbook the project writes: the monthly
audit and the admin's attendance export show them as text."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from equipment.services import equipment_booking_create
from integrations.audit.services import audit_export
from kernel.channels import Actor, Channel
from kernel.spreadsheets import safe_text
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(1)", "\t=1+1", "\r=2+2"]
# What a reader of the workbook sees: the formula-like ones behind an apostrophe, the plain numbers as text.
SHOWN = ["'=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "'@SUM(1)", "'\t=1+1", "'\r=2+2"]


@pytest.fixture
def hostile_catalogue(db):
    items = [factories.ItemFactory(name=name, quantity=5) for name in HOSTILE]
    cabinets = [factories.with_week(factories.CabinetFactory(name=name)) for name in HOSTILE]
    return items, cabinets


def formulas(workbook: bytes) -> list[str]:
    """Every formula element in the sheets of an .xlsx."""
    with zipfile.ZipFile(BytesIO(workbook)) as package:
        return [found for name in package.namelist() if name.startswith("xl/worksheets/")
                for found in re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", package.read(name).decode())]


def texts(workbook: bytes) -> set[str]:
    book = load_workbook(BytesIO(workbook))
    values = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    values.add(cell.value)
    return values


def test_the_one_escaping_function_keeps_plain_numbers_and_guards_the_rest():
    assert [safe_text(name) for name in HOSTILE] == SHOWN
    assert safe_text("+7 999 123-45-67") == "+7 999 123-45-67" and safe_text("Кабинет 1") == "Кабинет 1"


def test_the_attendance_export_writes_hostile_item_and_cabinet_names_as_text(admin_client, hostile_catalogue):
    response = admin_client.get(reverse("admin:clinic_period_statistics"),
                                {"date_from": "2026-11-23", "date_to": "2026-11-29", "format": "xlsx"})

    assert response.status_code == 200
    assert formulas(response.content) == []
    assert set(SHOWN) <= texts(response.content)


def test_the_audit_writes_hostile_item_cabinet_and_client_names_as_text(hostile_catalogue, now, alice):
    items, _cabinets = hostile_catalogue
    # A client's name needs two letters: the same tricks, spelled with letters.
    clients = ['=HYPERLINK("http://x","y")', "+Ivan", "-Anna", "@SUM(ab)", "\t=Ab+Cd", "\r=Ef+Gh"]
    for item, name in zip(items, clients, strict=True):
        equipment_booking_create(item=item, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3), units=1,
                                 client_name=name, client_phone="+79990001122", actor=Actor.telegram(alice),
                                 channel=Channel.BOT, now=now)

    export = audit_export(month=date(2026, 12, 1), now=now)
    with open(export.file.path, "rb") as handle:
        content = handle.read()

    assert formulas(content) == []
    shown = texts(content)
    assert set(SHOWN) <= shown
    # Clients' names are cleaned of tabs and line breaks on the way in; what is left is guarded all the same.
    assert {"'+Ivan", "'-Anna", "'@SUM(ab)", "'=Ab+Cd", "'=Ef+Gh"} <= shown
