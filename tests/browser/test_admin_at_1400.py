"""A new clinic manager's first hour in the admin, on a 1400×900 screen: titles that say which booking,
the manager's pages one click away from anywhere, nothing cut off at the right edge."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from booking_site.channels import Actor, Channel
from cabinets.availability import clinic_zone
from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from tests import factories
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WIDTH, HEIGHT = 1400, 900


@pytest.fixture
def small_screen(browser, live_server, manager_user):
    """The manager logged in on a 1400×900 window."""
    context = browser.new_context(locale="ru-RU", viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "maria")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#manager-panel")
    yield page
    context.close()


def tomorrow() -> date:
    return timezone.localtime(timezone.now(), clinic_zone()).date() + timedelta(days=1)


@pytest.fixture
def cabinet(transactional_db):
    return factories.with_week(factories.CabinetFactory(name="Кабинет №1"), opens=time(8), closes=time(22))


@pytest.fixture
def item(transactional_db):
    return factories.ItemFactory(name="Портативный аппарат УЗИ с длинным названием", quantity=3)


@pytest.fixture
def bookings(cabinet, item):
    """A cabinet booking at 11:00 tomorrow with one unit of the item, and two units of it for three days."""
    cabinet_booking = cabinet_booking_create(
        cabinet=cabinet, starts_at=datetime.combine(tomorrow(), time(11), tzinfo=clinic_zone()),
        duration_minutes=60, client_name="Мария Петрова", client_phone="+7 916 555-44-33",
        comment="Первичный приём", actor=Actor.system(), channel=Channel.ADMIN, now=timezone.now(),
        equipment=[(item, 1)])
    equipment_booking = equipment_booking_create(
        item=item, start_date=tomorrow(), end_date=tomorrow() + timedelta(days=2), units=2,
        client_name="Мария Петрова", client_phone="+7 916 555-44-33", actor=Actor.system(),
        channel=Channel.ADMIN, now=timezone.now())
    return cabinet_booking, equipment_booking


def right_edge(page, selector: str) -> float:
    box = page.locator(selector).last.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["x"] + box["width"]


def visible_right_edge(page) -> float:
    """Where the list stops being seen: its box (it scrolls past that), left of the filters, in the window."""
    box = page.locator("#changelist .results").bounding_box()
    return min(box["x"] + box["width"], WIDTH)


def test_the_cabinet_booking_list_shows_every_column_within_the_screen(small_screen, live_server, bookings,
                                                                       screenshots):
    small_screen.goto(f"{live_server.url}/admin/cabinets/cabinetbooking/")

    small_screen.wait_for_selector("#result_list")
    small_screen.screenshot(path=str(screenshots / "admin-1400-cabinet-bookings.png"))
    assert right_edge(small_screen, "#result_list td.field-created") <= visible_right_edge(small_screen)
    assert right_edge(small_screen, "#result_list th.column-created") <= visible_right_edge(small_screen)
    reference = bookings[0].reference
    assert small_screen.locator("#result_list th.field-reference", has_text=reference).count() == 1


def test_the_equipment_booking_list_shows_every_column_within_the_screen(small_screen, live_server, bookings,
                                                                         screenshots):
    small_screen.goto(f"{live_server.url}/admin/equipment/equipmentbooking/")

    small_screen.wait_for_selector("#result_list")
    small_screen.screenshot(path=str(screenshots / "admin-1400-equipment-bookings.png"))
    assert right_edge(small_screen, "#result_list td.field-created") <= visible_right_edge(small_screen)
    assert right_edge(small_screen, "#result_list td.field-channel") <= visible_right_edge(small_screen)


def test_the_day_schedule_shows_the_evening_slots_within_the_screen(small_screen, live_server, bookings,
                                                                    screenshots):
    small_screen.goto(f"{live_server.url}/admin/cabinets/cabinetbooking/day/?date={tomorrow().isoformat()}")

    small_screen.wait_for_selector("#day-schedule")
    small_screen.screenshot(path=str(screenshots / "admin-1400-day-schedule.png"), full_page=True)
    assert small_screen.locator("#day-schedule thead th").last.get_attribute("title") == "21:30"
    assert right_edge(small_screen, "#day-schedule thead th") <= WIDTH
    assert right_edge(small_screen, "#day-schedule tbody tr td") <= WIDTH


def test_the_occupancy_month_shows_the_last_day_within_the_screen(small_screen, live_server, bookings,
                                                                  screenshots):
    small_screen.goto(f"{live_server.url}/admin/equipment/equipmentbooking/occupancy/?month=2026-12")

    small_screen.wait_for_selector("#occupancy-grid")
    small_screen.screenshot(path=str(screenshots / "admin-1400-occupancy.png"), full_page=True)
    assert "31" in small_screen.locator("#occupancy-grid thead th").last.inner_text()
    assert right_edge(small_screen, "#occupancy-grid thead th") <= WIDTH
    assert right_edge(small_screen, "#occupancy-grid tbody tr td") <= WIDTH
