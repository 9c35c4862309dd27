"""A small gateway over gspread: the few calls the mirror makes, each retried on 429 and 5xx with
exponential backoff (Retry-After honoured), and writes paced to stay under Google's 60 per minute."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gspread
import requests
from django.conf import settings
from gspread.exceptions import APIError

from kernel import metrics

logger = logging.getLogger(__name__)

WRITES_PER_MINUTE = 50  # Google allows 60 per minute per user; keep a margin
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_ATTEMPTS = 6
BASE_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 32.0


class SheetsUnavailable(Exception):
    """Google kept failing after every retry; the caller tries again on its next run."""


class WriteLimiter:
    """A sliding window over the last minute's write requests, shared by the process."""

    def __init__(self, per_minute: int = WRITES_PER_MINUTE, *, clock=time.monotonic, sleep=time.sleep):
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self.clock()
            while self._times and now - self._times[0] >= 60:
                self._times.popleft()
            if len(self._times) >= self.per_minute:
                wait = 60 - (now - self._times[0])
                self.sleep(max(0.0, wait))
                self._times.popleft()
            self._times.append(self.clock())


_limiter = WriteLimiter()


@dataclass
class SheetInfo:
    sheet_id: int
    rows: int
    columns: int


class SheetsGateway:
    def __init__(self, client: gspread.Client, spreadsheet_id: str, *,
                 sleep: Callable[[float], None] = time.sleep, limiter: WriteLimiter | None = None):
        self.client, self.spreadsheet_id = client, spreadsheet_id
        self.sleep = sleep
        self.limiter = limiter or _limiter
        self._spreadsheet: gspread.Spreadsheet | None = None

    @classmethod
    def from_settings(cls) -> SheetsGateway:
        client = gspread.service_account(filename=settings.GOOGLE_CREDENTIALS_FILE)
        return cls(client, settings.GOOGLE_SPREADSHEET_ID)

    # --- retries ---

    def _call(self, fn: Callable[[], Any], *, write: bool) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if write:
                self.limiter.acquire()
            try:
                result = fn()
            except APIError as exc:
                status = exc.response.status_code
                if status not in RETRY_STATUSES:
                    metrics.SHEETS_WRITES.labels("error").inc()
                    raise
                retry_after = _retry_after(exc.response)
            except requests.RequestException as exc:
                status, retry_after = exc.__class__.__name__, None
            else:
                metrics.SHEETS_WRITES.labels("ok").inc()
                return result
            metrics.SHEETS_WRITES.labels("retry").inc()
            if attempt == MAX_ATTEMPTS:
                break
            delay = retry_after if retry_after is not None else min(MAX_DELAY_SECONDS,
                                                                   BASE_DELAY_SECONDS * 2 ** (attempt - 1))
            logger.warning("Google Sheets answered %s; retrying in %.1f s (attempt %s)", status, delay, attempt)
            self.sleep(delay)
        raise SheetsUnavailable(f"Google Sheets kept failing ({status})")

    @property
    def spreadsheet(self) -> gspread.Spreadsheet:
        if self._spreadsheet is None:
            self._spreadsheet = self._call(lambda: self.client.open_by_key(self.spreadsheet_id), write=False)
        return self._spreadsheet

    # --- the calls the mirror makes ---

    def sheets(self) -> dict[str, SheetInfo]:
        metadata = self._call(lambda: self.spreadsheet.fetch_sheet_metadata(), write=False)
        found = {}
        for sheet in metadata.get("sheets", []):
            props = sheet["properties"]
            grid = props.get("gridProperties", {})
            found[props["title"]] = SheetInfo(props["sheetId"], grid.get("rowCount", 0), grid.get("columnCount", 0))
        return found

    def ensure_sheet(self, title: str, *, rows: int, columns: int) -> SheetInfo:
        existing = self.sheets().get(title)
        if existing is not None:
            return existing
        reply = self.batch([{"addSheet": {"properties": {
            "title": title, "gridProperties": {"rowCount": rows, "columnCount": columns}}}}])
        props = reply["replies"][0]["addSheet"]["properties"]
        return SheetInfo(props["sheetId"], rows, columns)

    def column(self, title: str, column: str = "A") -> list[str]:
        body = self._call(lambda: self.spreadsheet.values_get(f"'{title}'!{column}:{column}"), write=False)
        return [row[0] if row else "" for row in body.get("values", [])]

    def write(self, data: list[dict]) -> None:
        if data:
            body = {"valueInputOption": "RAW", "data": data}
            self._call(lambda: self.spreadsheet.values_batch_update(body), write=True)

    def clear(self, a1: str) -> None:
        self._call(lambda: self.spreadsheet.values_clear(a1), write=True)

    def batch(self, requests_: list[dict]) -> dict:
        return self._call(lambda: self.spreadsheet.batch_update({"requests": requests_}), write=True)


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
