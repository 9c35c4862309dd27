"""Clients of the product as the fault tests drive it over loopback HTTP (a partner system and Telegram
users), and what they check afterwards in the database: every booking a client was told about exists
exactly once, every Telegram delivery went out exactly once."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.faults.fakes import FaultyBotApi
from tests.faults.servers import wait_until
from tests.integrations.telegram.conftest import TelegramUser

MSK = ZoneInfo("Europe/Moscow")
MANAGERS = (9001, 9002, 9003)


def clinic_today() -> date:
    return datetime.now(MSK).date()


@dataclass
class Answer:
    status: int
    body: dict
    attempts: int
    # Every attempt's (status, Retry-After header, error code), the repeated ones included: what the partner saw.
    seen: list[tuple[int, str | None, str | None]] = field(default_factory=list)


@dataclass
class PartnerClient:
    """A partner system that books through the API and, like a careful integration, repeats a request that
    got no answer or a 5xx with the same external id (which makes the repeat harmless)."""

    base_url: str
    key: str
    answers: list[Answer] = field(default_factory=list)

    def create(self, path: str, payload: dict, *, retry_for: float = 30.0) -> Answer:
        deadline, attempts, seen = time.monotonic() + retry_for, 0, []
        while True:
            attempts += 1
            try:
                response = httpx.post(f"{self.base_url}{path}", json=payload, timeout=20,
                                      headers={"X-API-Key": self.key})
                answer = Answer(response.status_code, response.json() if response.content else {}, attempts, seen)
                retry_after = response.headers.get("Retry-After")
            except (httpx.TransportError, ValueError) as exc:
                answer = Answer(0, {"error": exc.__class__.__name__}, attempts, seen)
                retry_after = None
            code = answer.body.get("code") if isinstance(answer.body, dict) else None
            seen.append((answer.status, retry_after, code))
            if (answer.status == 0 or answer.status == 503) and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            self.answers.append(answer)
            return answer

    def book_equipment(self, *, item_id: int, day: date, external_id: str, units: int = 1) -> Answer:
        return self.create("/api/v1/equipment-bookings", {
            "item_id": item_id, "start_date": day.isoformat(), "end_date": day.isoformat(), "units": units,
            "client_name": f"Клиент {external_id}", "client_phone": "+79991234567",
            "external_booking_id": external_id})

    def book_cabinet(self, *, cabinet_id: int, starts_at: datetime, external_id: str, minutes: int = 60) -> Answer:
        return self.create("/api/v1/cabinet-bookings", {
            "cabinet_id": cabinet_id, "starts_at": starts_at.isoformat(), "duration_minutes": minutes,
            "client_name": f"Клиент {external_id}", "client_phone": "+79991234567",
            "external_booking_id": external_id})


class _HttpClient:
    """What TelegramUser needs of Django's test client, over real HTTP to the web process."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def post(self, url: str, *, data: str, content_type: str, headers: dict):
        return httpx.post(f"{self.base_url}{url}", content=data.encode(), timeout=30,
                          headers={**headers, "Content-Type": content_type})


def telegram_user(base_url: str, api: FaultyBotApi, telegram_id: int) -> TelegramUser:
    return TelegramUser(_HttpClient(base_url), api, "equipment", telegram_id, f"User{telegram_id}", "en")


def bot_book_until_confirm(user: TelegramUser, *, item_label: str, client_name: str) -> None:
    """Walk the equipment bot's dialog up to the Confirm button: the 1st of next month, one unit."""
    user.send("/start")
    user.send("📋 Book")
    user.press(item_label)
    user.press("›")
    user.press("1")
    user.press("Single day")
    if "1" in user.labels():
        user.press("1")
    user.send(client_name)
    user.send("8 (999) 123-45-67")
    user.press("Skip")  # the birthday question
    assert "✅ Confirm" in user.labels(), user.last_text()


def next_month_first() -> date:
    today = clinic_today()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


# --- what the database says afterwards -------------------------------------------------------------


def rows(conn, sql: str, *params) -> list[tuple]:
    """Rows of a query on a psycopg connection or Django's `connection`."""
    with conn.cursor() as cursor:
        cursor.execute(sql, params or None)
        return [tuple(r) for r in cursor.fetchall()]


def bookings_by_client(conn) -> dict[str, int]:
    """client name → how many bookings of either kind carry it (each test gives every request its own)."""
    found: dict[str, int] = {}
    for table in ("equipment_equipmentbooking", "cabinets_cabinetbooking"):
        for name, count in rows(conn, f"SELECT client_name, count(*) FROM {table} GROUP BY client_name"):
            found[name] = found.get(name, 0) + count
    return found


def deliveries_unsettled(conn) -> list[tuple]:
    return rows(conn, "SELECT id, dedupe_key, status, attempts, last_error FROM integrations_delivery "
                      "WHERE status <> 'sent' ORDER BY id")


def wait_until_delivered(conn, *, timeout: float) -> None:
    wait_until(lambda: not deliveries_unsettled(conn), timeout=timeout, interval=0.3,
               what="every Telegram delivery to be sent")


def assert_each_delivery_sent_once(conn, api: FaultyBotApi) -> int:
    """Every delivery row is sent, Telegram got each exactly once (per dedupe key), and every new booking
    told each manager. Returns the number of deliveries."""
    assert deliveries_unsettled(conn) == []
    accepted = api.delivered()
    by_key = {key: accepted[(chat_id, json.loads(payload)["text"] if isinstance(payload, str) else payload["text"])]
              for key, chat_id, payload in rows(conn, "SELECT dedupe_key, chat_id, payload FROM integrations_delivery")}
    assert by_key and {key: n for key, n in by_key.items() if n != 1} == {}
    untold = rows(conn, """
        SELECT e.id, e.booking_id, array_agg(d.chat_id ORDER BY d.chat_id)
        FROM outbox_event e LEFT JOIN integrations_delivery d ON d.event_id = e.id
        WHERE e.topic = 'booking.created' GROUP BY e.id, e.booking_id
        HAVING array_agg(d.chat_id ORDER BY d.chat_id) <> %s::bigint[]""", list(MANAGERS))
    assert untold == []
    return len(by_key)
