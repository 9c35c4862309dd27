"""A new clinic manager's first hour in the admin, on a 1400×900 screen: titles that say which booking,
the manager's pages one click away from anywhere, nothing cut off at the right edge."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_create
from integrations.models import AuditExport
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
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


def test_the_reject_page_names_the_booking_by_reference_cabinet_time_and_client(small_screen, live_server,
                                                                                bookings, screenshots):
    booking = bookings[0]
    small_screen.goto(f"{live_server.url}/admin/cabinets/cabinetbooking/")
    small_screen.check(f"input[name=_selected_action][value='{booking.pk}']")
    small_screen.select_option("select[name=action]", "reject_selected")
    small_screen.click("button[name=index]")

    small_screen.wait_for_selector("#reason-form")
    small_screen.screenshot(path=str(screenshots / "admin-1400-reject-page.png"))
    listed = small_screen.inner_text("#reason-form li")
    assert listed.startswith(f"C-{booking.pk} · Кабинет №1 · ")
    assert "11:00–12:00 · Мария П." in listed and f"#{booking.pk}" not in listed


def test_the_manager_panel_in_the_sidebar_leads_from_a_booking_to_the_occupancy(small_screen, live_server,
                                                                                bookings, screenshots):
    small_screen.goto(f"{live_server.url}/admin/equipment/equipmentbooking/{bookings[1].pk}/change/")
    small_screen.screenshot(path=str(screenshots / "admin-1400-equipment-booking.png"))
    assert f"E-{bookings[1].pk} · " in small_screen.inner_text("h2")
    assert f"E-{bookings[1].pk} · " in small_screen.title()

    small_screen.click("#nav-sidebar .app-manager_panel a:has-text('Занятость оборудования')")

    small_screen.wait_for_selector("#occupancy-grid")


def test_view_site_opens_the_booking_page(small_screen, live_server):
    small_screen.click("#user-tools a[href='/app/']")

    small_screen.wait_for_load_state()
    assert small_screen.url == f"{live_server.url}/app/"
    assert "Page not found" not in small_screen.content()


def test_a_past_date_and_a_bad_phone_are_shown_together(small_screen, live_server, item, screenshots):
    yesterday = tomorrow() - timedelta(days=2)
    small_screen.goto(f"{live_server.url}/admin/equipment/equipmentbooking/add/")
    small_screen.select_option("#id_item", str(item.pk))
    small_screen.fill("#id_start_date", yesterday.isoformat())
    small_screen.fill("#id_client_name", "Мария Петрова")
    small_screen.fill("#id_client_phone", "12-34")
    small_screen.click("input[name=_save]")

    small_screen.wait_for_selector(".errorlist")
    small_screen.screenshot(path=str(screenshots / "admin-1400-form-errors.png"), full_page=True)
    assert small_screen.locator(".field-start_date .errorlist").count() == 1
    assert small_screen.locator(".field-client_phone .errorlist").count() == 1
    assert "(3 единицы)" in small_screen.inner_text("#id_item")


def test_an_administrator_exports_a_months_audit_and_downloads_it(browser, live_server, bookings, screenshots):
    get_user_model().objects.create_superuser("director", password=PASSWORD)
    context = browser.new_context(locale="ru-RU", viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/integrations/auditexport/")
    page.fill("#id_username", "director")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    month = f"{tomorrow():%Y-%m}"

    page.fill("#audit-month", month)
    page.click("#audit-export-now input[type=submit]")

    page.wait_for_selector("#audit-download")
    page.screenshot(path=str(screenshots / "admin-1400-audit-export.png"))
    with page.expect_download() as download:
        page.click("#audit-download")
    assert download.value.suggested_filename == f"audit-{month}.xlsx"
    assert AuditExport.objects.filter(month=tomorrow().replace(day=1)).exists()
    context.close()
