"""Google Sheets answers 429, then keeps answering 500 for whole runs of the mirror, then is back, while a
partner books through the API. The mirror runs here as the worker runs it (`sheets_sync`), against the
fake Sheets API; the gateway's pauses are recorded instead of slept, so the test takes no wall time.

Guards the mirror's cursor: it moves only after Google accepted a run, so a failed run is repeated whole.
Seen failing by hand: with the cursor moved before the writes, the bookings of the failed runs never
reached the sheet."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import gspread
import pytest
import requests
import responses
from django.db import connection

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.sheets.client import MAX_ATTEMPTS, SheetsGateway, SheetsUnavailable, WriteLimiter
from integrations.sheets.sync import sheets_sync
from tests import factories
from tests.conftest import MSK, NOW
from tests.faults.clients import MANAGERS, assert_each_delivery_sent_once, rows
from tests.faults.invariants import assert_invariants
from tests.jobs.fakesheets import FakeSheets

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def google():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeSheets().install(mock)


@pytest.fixture
def pauses():
    return []


@pytest.fixture
def gateway(google, pauses):
    client = gspread.Client(auth=None, session=requests.Session())
    return SheetsGateway(client, google.id, sleep=pauses.append, limiter=WriteLimiter(sleep=pauses.append))


@pytest.fixture
def telegram(bot_api, settings):
    settings.TELEGRAM_API_URL = bot_api.url
    settings.EQUIPMENT_BOT_TOKEN, settings.CABINET_BOT_TOKEN = "1111:equipment-token", "2222:cabinet-token"
    settings.MANAGERS = list(MANAGERS)
    return bot_api


def test_bookings_made_while_google_sheets_fails_all_reach_the_sheet_once_it_is_back(
        client, time_machine, telegram, google, gateway, pauses):
    item = factories.ItemFactory(name="Аппарат УЗИ", quantity=2)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 3"))
    _partner, key = factories.partner_with_key(name="ClinicCRM", rate_limit=1000)
    statuses = []

    def book(n: int):
        day = date(2026, 11, 25)
        equipment = client.post("/api/v1/equipment-bookings", content_type="application/json",
                                headers={"X-API-Key": key}, data={
                                    "item_id": item.pk, "start_date": day.isoformat(), "end_date": day.isoformat(),
                                    "units": 1, "client_name": f"Клиент eq-{n}", "client_phone": "+79991234567",
                                    "external_booking_id": f"eq-{n}"})
        cabinet_booking = client.post("/api/v1/cabinet-bookings", content_type="application/json",
                                      headers={"X-API-Key": key}, data={
                                          "cabinet_id": cabinet.pk,
                                          "starts_at": datetime.combine(day, time(10 + n % 3), MSK).isoformat(),
                                          "duration_minutes": 60, "client_name": f"Клиент cab-{n}",
                                          "client_phone": "+79991234567", "external_booking_id": f"cab-{n}"})
        statuses.extend([equipment.status_code, cabinet_booking.status_code])

    def ten_minutes_later() -> datetime:  # the outage outlasts the mirror's window for late commits
        moment = NOW + timedelta(minutes=10 * next(steps))
        time_machine.move_to(moment, tick=False)
        return moment

    steps = itertools.count()
    ten_minutes_later()
    book(0)
    sheets_sync(now=ten_minutes_later(), gateway=gateway)
    book(1)
    google.fail_next(429, *[500] * (MAX_ATTEMPTS - 1))  # a whole run: its first call gets no answer
    with pytest.raises(SheetsUnavailable):
        sheets_sync(now=ten_minutes_later(), gateway=gateway)
    book(2)
    google.fail_next(*[500] * MAX_ATTEMPTS)
    with pytest.raises(SheetsUnavailable):
        sheets_sync(now=ten_minutes_later(), gateway=gateway)
    book(3)  # the same slot as book(0): refused

    sheets_sync(now=ten_minutes_later(), gateway=gateway)

    assert statuses == [201, 201, 201, 201, 409, 201, 409, 409]  # two units; slots 10, 11, 12, then 10 again
    assert pauses[:MAX_ATTEMPTS - 1] == [1.0, 2.0, 4.0, 8.0, 16.0]  # Retry-After honoured, then backoff
    sheet = google.values("Bookings")
    keys = [row[0] for row in sheet[1:]]
    expected = [f"equipment-{pk}" for pk in EquipmentBooking.objects.values_list("pk", flat=True)]
    expected += [f"cabinet-{pk}" for pk in CabinetBooking.objects.values_list("pk", flat=True)]
    assert sorted(keys) == sorted(expected) and len(keys) == 5  # each booking once, none missing
    assert rows(connection, "SELECT count(*) FROM integrations_delivery") == [(5 * len(MANAGERS),)]
    assert assert_each_delivery_sent_once(connection, telegram) == 5 * len(MANAGERS)
    assert_invariants(connection.cursor())
