"""What a manager does in the admin, end to end in Chromium."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    today = timezone.localtime(timezone.now(), clinic_zone()).date()
    return datetime.combine(today + timedelta(days=1), time(hour, minute), tzinfo=clinic_zone())


@pytest.fixture
def cabinet(transactional_db):
    return factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"))


@pytest.fixture
def item(transactional_db):
    return factories.ItemFactory(name="Портативный УЗИ", quantity=2)


@pytest.fixture
def client_account(transactional_db):
    return factories.TelegramAccountFactory(username="olga", first_name="Ольга", telegram_id=777001)


def pending(cabinet, account, hour, name):
    return cabinet_booking_create(cabinet=cabinet, starts_at=tomorrow_at(hour), duration_minutes=60,
                                  client_name=name, client_phone="+79991234567", actor=Actor.telegram(account),
                                  channel=Channel.BOT, now=timezone.now())


def run_action(page, live_server, path, booking_id, action):
    page.goto(f"{live_server.url}{path}")
    page.check(f"input[name=_selected_action][value='{booking_id}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_a_manager_logs_in_and_sees_the_manager_panel(admin_page):
    assert admin_page.is_visible("#link-day-schedule")
    assert admin_page.is_visible("#link-occupancy")
    assert admin_page.is_visible("#link-statistics")


def test_a_manager_approves_a_pending_booking_from_the_list(admin_page, live_server, cabinet, client_account):
    booking = pending(cabinet, client_account, 10, "Ольга Иванова")

    run_action(admin_page, live_server, "/admin/cabinets/cabinetbooking/", booking.pk, "approve_selected")

    admin_page.wait_for_selector(".messagelist .success")
    assert f"C-{booking.pk}" in admin_page.inner_text(".messagelist")
    booking.refresh_from_db()
    assert booking.status == Status.APPROVED


def test_a_manager_rejects_a_booking_with_a_reason(admin_page, live_server, cabinet, client_account):
    booking = pending(cabinet, client_account, 11, "Пётр Сидоров")

    run_action(admin_page, live_server, "/admin/cabinets/cabinetbooking/", booking.pk, "reject_selected")
    admin_page.fill("textarea[name=reason]", "Кабинет занят под проверку")
    admin_page.click("#reason-form input[type=submit]")

    admin_page.wait_for_selector(".messagelist .success")
    booking.refresh_from_db()
    assert booking.status == Status.REJECTED and booking.status_reason == "Кабинет занят под проверку"


def test_a_phone_booking_with_equipment_appears_on_the_day_schedule_and_a_conflict_is_a_form_error(
        admin_page, live_server, cabinet, item, screenshots):
    day = tomorrow_at(0).date().isoformat()
    admin_page.goto(f"{live_server.url}/admin/cabinets/cabinetbooking/day/?date={day}")
    # Start from a free slot on the schedule: cabinet, date and time are filled in.
    admin_page.click(f"tr[data-cabinet='{cabinet.pk}'] td.free a[href*='start_time=10:00']")
    assert admin_page.input_value("#id_start_time") == "10:00"
    admin_page.select_option("#id_duration_minutes", "90")
    admin_page.fill("#id_client_name", "Нина Орлова")
    admin_page.fill("#id_client_phone", "+7 916 555-44-33")
    admin_page.select_option("#id_equipment-0-item", str(item.pk))
    admin_page.fill("#id_equipment-0-units", "1")
    admin_page.click("input[name=_save]")

    admin_page.wait_for_selector("#day-schedule")
    block = admin_page.locator(".booking-block", has_text="Нина Орлова")
    assert block.count() == 1 and "Портативный УЗИ ×1" in block.inner_text()
    booking = CabinetBooking.objects.get()
    assert booking.status == Status.APPROVED and booking.duration_minutes == 90
    assert EquipmentBooking.objects.get().cabinet_booking == booking
    admin_page.screenshot(path=str(screenshots / "day-schedule.png"), full_page=True)

    # The same cabinet half an hour later overlaps: the service refuses and the form says why.
    admin_page.goto(f"{live_server.url}/admin/cabinets/cabinetbooking/add/?cabinet={cabinet.pk}&day={day}"
                    "&start_time=10:30")
    admin_page.fill("#id_client_name", "Вера Лебедева")
    admin_page.fill("#id_client_phone", "+7 916 555-00-11")
    admin_page.click("input[name=_save]")

    refusal = admin_page.wait_for_selector("#booking-refusal")
    assert "10:30" in refusal.inner_text()
    assert CabinetBooking.objects.count() == 1


def test_a_manager_opens_the_equipment_occupancy_month(admin_page, live_server, item, screenshots):
    factories.ItemFactory(name="Кардиограф", quantity=1)
    from equipment.services import equipment_booking_create

    equipment_booking_create(item=item, start_date=tomorrow_at(0).date(), end_date=tomorrow_at(0).date()
                             + timedelta(days=2), units=1, client_name="Анна Белова", client_phone="+79990001122",
                             actor=Actor.system(), channel=Channel.ADMIN, now=timezone.now())

    admin_page.click("#link-occupancy")

    admin_page.wait_for_selector("#occupancy-grid")
    row = admin_page.locator("#occupancy-grid tr", has_text="Портативный УЗИ")
    assert "1/2" in row.inner_text() and "0/2" in row.inner_text()
    admin_page.screenshot(path=str(screenshots / "occupancy.png"), full_page=True)
    row.locator("td.partial a").first.click()
    admin_page.wait_for_selector("#result_list")
    assert "Анна Белова" in admin_page.inner_text("#result_list")


def test_a_manager_blocks_a_telegram_account(admin_page, live_server, client_account):
    run_action(admin_page, live_server, "/admin/accounts/telegramaccount/", client_account.pk, "block_selected")
    admin_page.fill("textarea[name=reason]", "Спам")
    admin_page.click("#reason-form input[type=submit]")

    admin_page.wait_for_selector(".messagelist .success")
    account = TelegramAccount.objects.get(pk=client_account.pk)
    assert account.is_blocked and account.blocked_reason == "Спам"
