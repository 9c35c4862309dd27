"""Text for spreadsheet cells. Every .xlsx the project writes passes its texts through `safe_text`, so a name a
client or a manager typed (an item called `=HYPERLINK(…)`) is shown, never run as a formula: by Excel, by
LibreOffice, or by a CSV saved from the workbook."""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().-]+$")  # a phone number or a signed number cannot run anything


def safe_text(value: str) -> str:
    """`value` without the characters XML cannot hold, with a leading apostrophe when a spreadsheet could
    read it as a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_row(values) -> list[Any]:
    """A row for `sheet.append`: its texts made safe, other values as they are."""
    return [safe_text(value) if isinstance(value, str) else value for value in values]
