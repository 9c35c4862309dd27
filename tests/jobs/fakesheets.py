"""A small in-memory Google Sheets API behind `responses`: the calls gspread makes for the mirror (metadata,
values get / batchUpdate / clear, spreadsheet batchUpdate with addSheet, updateSheetProperties and
updateCells). It refuses writes outside a sheet's grid like Google does, and can be told to fail the next
requests with 429 or 500."""

from __future__ import annotations

import json
import re
from collections import deque
from urllib.parse import unquote, urlparse

import responses

BASE = "https://sheets.googleapis.com/v4/spreadsheets"
_A1 = re.compile(r"^(?:'?(?P<sheet>[^'!]+)'?!)?(?P<c1>[A-Z]+)(?P<r1>\d*)(?::(?P<c2>[A-Z]+)(?P<r2>\d*))?$")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class FakeSheets:
    def __init__(self, spreadsheet_id: str = "sheet-1"):
        self.id = spreadsheet_id
        self.sheets: dict[str, dict] = {}
        self.faults: deque[int] = deque()
        self.requests: list[tuple[str, str, int]] = []  # (method, kind, status)
        self._next_id = 100

    # --- inspection ---

    def values(self, title: str) -> list[list]:
        sheet = self.sheets[title]
        if not sheet["cells"]:
            return []
        rows = max(r for r, _c in sheet["cells"]) + 1
        out = []
        for r in range(rows):
            cols = [c for (rr, c) in sheet["cells"] if rr == r]
            width = max(cols) + 1 if cols else 0
            out.append([sheet["cells"].get((r, c), "") for c in range(width)])
        return out

    @property
    def writes(self) -> list[tuple[str, str, int]]:
        return [r for r in self.requests if r[0] == "POST"]

    def fail_next(self, *statuses: int) -> None:
        self.faults.extend(statuses)

    # --- plumbing ---

    def install(self, mock: responses.RequestsMock) -> FakeSheets:
        prefix = re.escape(f"{BASE}/{self.id}")
        mock.add_callback(responses.GET, re.compile(prefix + r"(\?.*)?$"), callback=self._wrap("metadata", self._meta))
        mock.add_callback(responses.GET, re.compile(prefix + r"/values/.*"), callback=self._wrap("get", self._get))
        mock.add_callback(responses.POST, re.compile(prefix + r"/values:batchUpdate"),
                          callback=self._wrap("values", self._values_update))
        mock.add_callback(responses.POST, re.compile(prefix + r"/values/.*:clear"),
                          callback=self._wrap("clear", self._clear))
        mock.add_callback(responses.POST, re.compile(prefix + r":batchUpdate"),
                          callback=self._wrap("batch", self._batch))
        return self

    def _wrap(self, kind, handler):
        def callback(request):
            if self.faults:
                status = self.faults.popleft()
                self.requests.append((request.method, kind, status))
                headers = {"Retry-After": "1"} if status == 429 else {}
                error = {"error": {"code": status, "message": "fault injected", "status": "UNAVAILABLE"}}
                return status, headers, json.dumps(error)
            try:
                status, body = handler(request)
            except ValueError as exc:
                status, body = 400, {"error": {"code": 400, "message": str(exc), "status": "INVALID_ARGUMENT"}}
            self.requests.append((request.method, kind, status))
            return status, {"Content-Type": "application/json"}, json.dumps(body)
        return callback

    def _props(self, title):
        sheet = self.sheets[title]
        return {"sheetId": sheet["id"], "title": title, "index": list(self.sheets).index(title),
                "gridProperties": {"rowCount": sheet["rows"], "columnCount": sheet["cols"]}}

    def _by_id(self, sheet_id):
        return next(title for title, sheet in self.sheets.items() if sheet["id"] == sheet_id)

    def _meta(self, request):
        return 200, {"spreadsheetId": self.id, "properties": {"title": "Clinic"},
                     "sheets": [{"properties": self._props(title)} for title in self.sheets]}

    def _range(self, a1):
        match = _A1.match(unquote(a1))
        if not match:
            raise ValueError(f"bad range {a1}")
        title = match.group("sheet")
        if title not in self.sheets:
            raise ValueError(f"Unable to parse range: {a1}")
        c1 = column_index(match.group("c1"))
        r1 = int(match.group("r1")) - 1 if match.group("r1") else 0
        c2 = column_index(match.group("c2")) if match.group("c2") else c1
        r2 = int(match.group("r2")) - 1 if match.group("r2") else None
        return title, r1, c1, r2, c2

    def _get(self, request):
        a1 = urlparse(request.url).path.split("/values/", 1)[1]
        title, r1, c1, r2, c2 = self._range(a1)
        rows = self.values(title)
        out = [row[c1:c2 + 1] for row in rows[r1:(r2 + 1 if r2 is not None else None)]]
        while out and not any(out[-1]):
            out.pop()
        return 200, {"range": unquote(a1), "majorDimension": "ROWS", "values": [r for r in out]}

    def _write(self, title, r1, c1, values):
        sheet = self.sheets[title]
        for dr, row in enumerate(values):
            for dc, value in enumerate(row):
                r, c = r1 + dr, c1 + dc
                if r >= sheet["rows"] or c >= sheet["cols"]:
                    raise ValueError(f"Range ({title}!R{r + 1}C{c + 1}) exceeds grid limits")
                if value in ("", None):
                    sheet["cells"].pop((r, c), None)
                else:
                    sheet["cells"][(r, c)] = value

    def _values_update(self, request):
        body = json.loads(request.body)
        for data in body["data"]:  # validate all first: a batch is applied atomically
            title, r1, c1, _r2, _c2 = self._range(data["range"])
            sheet = self.sheets[title]
            if r1 + len(data["values"]) > sheet["rows"]:
                raise ValueError(f"Range ({data['range']}) exceeds grid limits")
        for data in body["data"]:
            title, r1, c1, _r2, _c2 = self._range(data["range"])
            self._write(title, r1, c1, [[v if isinstance(v, str) else str(v) for v in row] for row in data["values"]])
        return 200, {"spreadsheetId": self.id, "totalUpdatedRows": sum(len(d["values"]) for d in body["data"])}

    def _clear(self, request):
        a1 = urlparse(request.url).path.split("/values/", 1)[1].removesuffix(":clear")
        title, _r1, c1, _r2, c2 = self._range(a1)
        sheet = self.sheets[title]
        sheet["cells"] = {k: v for k, v in sheet["cells"].items() if not c1 <= k[1] <= c2}
        return 200, {"spreadsheetId": self.id, "clearedRange": unquote(a1)}

    def _batch(self, request):
        replies = []
        for item in json.loads(request.body)["requests"]:
            if "addSheet" in item:
                props = item["addSheet"]["properties"]
                grid = props.get("gridProperties", {})
                self._next_id += 1
                self.sheets[props["title"]] = {"id": self._next_id, "rows": grid.get("rowCount", 1000),
                                               "cols": grid.get("columnCount", 26), "cells": {}, "colours": {}}
                replies.append({"addSheet": {"properties": self._props(props["title"])}})
            elif "updateSheetProperties" in item:
                props = item["updateSheetProperties"]["properties"]
                sheet = self.sheets[self._by_id(props["sheetId"])]
                grid = props.get("gridProperties", {})
                sheet["rows"] = grid.get("rowCount", sheet["rows"])
                sheet["cols"] = grid.get("columnCount", sheet["cols"])
                sheet["cells"] = {k: v for k, v in sheet["cells"].items()
                                  if k[0] < sheet["rows"] and k[1] < sheet["cols"]}
                replies.append({})
            elif "updateCells" in item:
                update = item["updateCells"]
                title = self._by_id(update["start"]["sheetId"])
                r0, c0 = update["start"].get("rowIndex", 0), update["start"].get("columnIndex", 0)
                values = [[next(iter(cell["userEnteredValue"].values())) for cell in row["values"]]
                          for row in update["rows"]]
                self._write(title, r0, c0, values)
                for dr, row in enumerate(update["rows"]):
                    for dc, cell in enumerate(row["values"]):
                        colour = cell.get("userEnteredFormat", {}).get("backgroundColor")
                        self.sheets[title]["colours"][(r0 + dr, c0 + dc)] = colour
                replies.append({})
            else:
                raise ValueError(f"unsupported request {list(item)}")
        return 200, {"spreadsheetId": self.id, "replies": replies}
