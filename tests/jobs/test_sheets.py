"""The Google Sheets mirror equals the database, after bursts of changes and after Google's 429s and 500s; each
row ends with the total its booking stored."""

from datetime import date
from decimal import Decimal

import gspread
import pytest
import requests
import responses
from django.core.management import call_command

from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_cancel
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from integrations.sheets.client import SheetsGateway, SheetsUnavailable, WriteLimiter
from integrations.sheets.sync import GREEN, RED, YELLOW, sheets_sync
from kernel.channels import Actor, Channel
from kernel.pricing.services import booking_price
from tests.clock import at
from tests.jobs.conftest import approved_cabinet_booking, approved_equipment_booking
from tests.jobs.fakesheets import FakeSheets

pytestmark = pytest.mark.django_db


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


def burst(item, cabinet, alice, staff, now, partner):
    """Creates, approvals and cancellations of both kinds, as they happen in a busy hour."""
    made = [approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 24 + n),
                                       now=now) for n in range(4)]
    made += [approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                      starts_at=at(date(2026, 11, 25), 10 + n), now=now) for n in range(3)]
    made.append(equipment_booking_create(item=item, start_date=date(2026, 11, 24), units=2, client_name="Пётр",
                                         client_phone="+79990001111", actor=Actor.for_partner(partner),
                                         channel=Channel.API, now=now, external_booking_id="crm-1"))
    equipment_booking_cancel(booking=made[0], actor=Actor.staff(staff), now=now)
    cabinet_booking_cancel(booking=made[4], actor=Actor.staff(staff), now=now)
    return made


def sheet_rows(google):
    rows = google.values("Bookings")
    header = rows[0]
    return {row[0]: dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in rows[1:]}


def assert_equals_database(google):
    rows = sheet_rows(google)
    expected = {f"equipment-{b.pk}": b for b in EquipmentBooking.objects.select_related("item")}
    expected |= {f"cabinet-{b.pk}": b for b in CabinetBooking.objects.select_related("cabinet")}
    assert set(rows) == set(expected)
    for key, booking in expected.items():
        row = rows[key]
        assert row["Status"] == booking.status and row["ID"] == str(booking.pk)
        assert row["Client"] == booking.client_name and row["Phone"] == booking.client_phone
        assert row["Resource"] == (booking.item.name if key.startswith("equipment") else booking.cabinet.name)
        assert row["External ID"] == (booking.external_booking_id or "")
        price = booking_price(resource_type=key.split("-")[0], booking_id=booking.pk)
        assert row["Total"] == (str(price.total) if price is not None and price.lines else "")


def test_the_bookings_sheet_equals_the_database_after_a_burst_of_changes(
        gateway, google, item, cabinet, alice, staff, now, partner):
    burst(item, cabinet, alice, staff, now, partner)

    sheets_sync(now=now, gateway=gateway)

    assert_equals_database(google)
    assert len(google.writes) <= 5  # batched: a handful of requests, not one per change


def test_later_changes_update_rows_in_place(gateway, google, item, cabinet, alice, staff, now, partner):
    made = burst(item, cabinet, alice, staff, now, partner)
    sheets_sync(now=now, gateway=gateway)
    rows_before = len(google.values("Bookings"))

    equipment_booking_cancel(booking=made[1], actor=Actor.staff(staff), now=now)
    sheets_sync(now=now, gateway=gateway)

    assert len(google.values("Bookings")) == rows_before
    assert sheet_rows(google)[f"equipment-{made[1].pk}"]["Status"] == "cancelled"
    assert_equals_database(google)


def test_429_and_500_are_retried_with_backoff_and_the_sheet_still_equals_the_database(
        gateway, google, pauses, item, cabinet, alice, staff, now, partner):
    burst(item, cabinet, alice, staff, now, partner)
    google.fail_next(429, 500, 500, 429)

    sheets_sync(now=now, gateway=gateway)

    assert_equals_database(google)
    assert [status for _m, _k, status in google.requests[:4]] == [429, 500, 500, 429]
    assert pauses[:4] == [1.0, 2.0, 4.0, 1.0]  # Retry-After honoured, exponential otherwise


def test_a_run_that_google_keeps_failing_is_repeated_by_the_next_one(
        gateway, google, item, cabinet, alice, staff, now, partner):
    burst(item, cabinet, alice, staff, now, partner)
    sheets_sync(now=now, gateway=gateway)
    approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 12, 1), now=now)
    google.fail_next(*[503] * 6)  # every attempt of the run

    with pytest.raises(SheetsUnavailable):
        sheets_sync(now=now, gateway=gateway)
    sheets_sync(now=now, gateway=gateway)

    assert_equals_database(google)


def test_each_row_ends_with_the_total_its_booking_stored(gateway, google, item, cabinet, alice, staff, now):
    item.price_per_day = Decimal("1250.50")
    item.save(update_fields=["price_per_day"])
    priced = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 24),
                                        end_date=date(2026, 11, 25), units=2, now=now)
    unpriced = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                        starts_at=at(date(2026, 11, 25), 10), now=now)

    sheets_sync(now=now, gateway=gateway)

    rows = sheet_rows(google)
    assert google.values("Bookings")[0][-1] == "Total"
    assert rows[f"equipment-{priced.pk}"]["Total"] == "5002.00"  # 2 units × 2 days × 1 250,50
    assert rows[f"cabinet-{unpriced.pk}"]["Total"] == ""  # nothing in it has a price
    assert_equals_database(google)


def test_the_schedule_is_an_items_by_days_grid_coloured_by_use(gateway, google, item, alice, staff, now):
    approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 24), units=1,
                               now=now)
    approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 25), units=3,
                               now=now)

    sheets_sync(now=now, gateway=gateway, full=True)

    grid = google.values("Schedule")
    assert grid[0][:4] == ["Item (units)", "23.11", "24.11", "25.11"]
    assert grid[1][:4] == [f"{item.name} (3)", "3/3", "2/3", "0/3"]
    colours = google.sheets["Schedule"]["colours"]
    assert [colours[(1, c)] for c in (1, 2, 3)] == [GREEN, YELLOW, RED]


def test_full_rewrites_everything_with_one_layout(gateway, google, item, cabinet, alice, staff, now, partner):
    burst(item, cabinet, alice, staff, now, partner)
    sheets_sync(now=now, gateway=gateway)
    incremental = google.values("Bookings")

    sheets_sync(now=now, gateway=gateway, full=True)

    assert sorted(google.values("Bookings")) == sorted(incremental)


def test_writes_stay_under_google_s_per_minute_quota():
    clock, granted = [0.0], []

    def sleep(seconds):
        clock[0] += seconds

    limiter = WriteLimiter(per_minute=50, clock=lambda: clock[0], sleep=sleep)
    for _ in range(200):
        limiter.acquire()
        granted.append(clock[0])
        clock[0] += 0.1

    assert max(sum(1 for t in granted if start <= t < start + 60) for start in granted) <= 50


def test_without_credentials_the_command_says_so_and_succeeds(db, settings, capsys):
    settings.GOOGLE_SHEETS_ENABLED = False

    call_command("sync_sheets", "--full")

    assert "not configured" in capsys.readouterr().out
    assert sheets_sync(now=None) == {"enabled": False}


def test_a_change_whose_event_commits_after_a_newer_one_still_reaches_the_sheet(
        gateway, google, item, alice, staff, now):
    """On PostgreSQL an event id is handed out at insert, so a slow transaction can commit a lower id after the
    sync already passed a higher one. Here the first booking's events are hidden until after a sync."""
    from kernel.outbox.models import Event

    late = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 24), now=now)
    hidden = list(Event.objects.filter(booking_id=late.pk).values())
    Event.objects.filter(booking_id=late.pk).delete()
    early = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 25),
                                       now=now)
    sheets_sync(now=now, gateway=gateway)
    Event.objects.bulk_create([Event(**row) for row in hidden])  # the slow transaction commits now

    sheets_sync(now=now, gateway=gateway)

    assert {f"equipment-{late.pk}", f"equipment-{early.pk}"} <= set(sheet_rows(google))
