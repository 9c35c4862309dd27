"""The booking page as a Telegram Mini App, in Chromium at a phone's size: the test opens it the way
Telegram does (signed initData and theme in the #fragment) and books through it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from kernel.channels import Channel
from kernel.clock import clinic_zone
from tests import factories
from tests.integrations.telegram import conftest as telegram
from tests.integrations.webapp.signed import init_data

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

_bot_api_server = telegram._bot_api_server
bot_api = telegram.bot_api
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
THEME = {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "button_color": "#5288c1",
         "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c", "link_color": "#6ab3f3"}


def today() -> date:
    return timezone.localtime(timezone.now(), clinic_zone()).date()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-US", **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def catalogue(transactional_db):
    return {"uzi": factories.ItemFactory(name="Portable ultrasound", category="Diagnostics", quantity=3),
            "ecg": factories.ItemFactory(name="ECG machine", category="Diagnostics", quantity=1),
            "cabinet": factories.with_week(factories.CabinetFactory(name="Cabinet 1", number="1"))}


@pytest.fixture
def manager(transactional_db):
    return factories.TelegramAccountFactory(telegram_id=9001, username="boss", first_name="Maria",
                                            is_manager=True, language_code="en")


def open_page(page, live_server, *, telegram_id=1001, first_name="Ann", language="en", auth_date=None,
              token=None, tab=None):
    signed = init_data(telegram_id=telegram_id, first_name=first_name, language=language,
                       auth_date=auth_date or timezone.now(), token=token)
    fragment = f"tgWebAppData={quote(signed)}&tgWebAppVersion=7.10&tgWebAppPlatform=android" \
               f"&tgWebAppThemeParams={quote(json.dumps(THEME))}"
    page.goto(f"{live_server.url}/app/{'?tab=' + tab if tab else ''}#{fragment}")
    page.wait_for_selector("[data-tab][aria-selected=true]")
    return page


def test_a_client_books_equipment_for_a_range_of_days(phone, live_server, bot_api, catalogue, manager, screenshots):
    page = open_page(phone, live_server)
    assert page.inner_text("#tab-equipment") == "Equipment"  # English, as the user's Telegram is
    page.click(f"button[data-item='{catalogue['uzi'].pk}']")
    page.click(".month button[aria-label=next]")
    first = (today().replace(day=1) + timedelta(days=40)).replace(day=10)
    page.wait_for_selector(f"button[data-date='{first.isoformat()}']")
    page.click(f"button[data-date='{first.isoformat()}']")
    page.click(f"button[data-date='{(first + timedelta(days=2)).isoformat()}']")
    page.select_option("#units", "2")
    page.screenshot(path=str(screenshots / "booking-page-equipment.png"), full_page=True)
    page.click("#equipment-continue")
    assert "Portable ultrasound × 2" in page.inner_text("#summary")
    page.fill("#client-phone", "+7 999 123-45-67")
    page.fill("#client-email", "ann@example.com")
    page.fill("#client-birthday", "1990-05-17")  # a new client is asked once
    page.click("#confirm")
    page.wait_for_selector("#bookings .card")
    booking = EquipmentBooking.objects.get()
    assert (booking.start_date, booking.end_date, booking.units) == (first, first + timedelta(days=2), 2)
    assert (booking.channel, booking.requester.telegram_id, booking.client_name) == (Channel.WEBAPP, 1001, "Ann")
    assert (booking.client.birthday, booking.client.email) == (date(1990, 5, 17), "ann@example.com")
    assert f"Request {booking.reference} is sent" in page.inner_text("#toast")
    assert f"{booking.reference} Portable ultrasound × 2" in page.inner_text("#bookings")
    page.screenshot(path=str(screenshots / "booking-page-my-bookings.png"), full_page=True)
    announced = bot_api.of("sendMessage", chat_id=9001)
    assert len(announced) == 1 and booking.reference in announced[0].text


def test_a_client_books_a_cabinet_with_equipment(phone, live_server, bot_api, catalogue, manager, screenshots):
    page = open_page(phone, live_server, tab="cabinets")
    page.wait_for_selector("#cabinet-grid")
    tomorrow = today() + timedelta(days=1)
    # Today's grid has a 10:00 too: wait for tomorrow's before choosing.
    with page.expect_response(lambda response: f"cabinets/day?date={tomorrow.isoformat()}" in response.url):
        page.fill("#day", tomorrow.isoformat())
    page.wait_for_selector(f"#cabinet-grid button[data-cabinet='{catalogue['cabinet'].pk}'][data-start='10:00']")
    page.click(f"#cabinet-grid button[data-cabinet='{catalogue['cabinet'].pk}'][data-start='10:00']")
    page.click("button[data-minutes='60']")
    page.wait_for_selector(f"#slot-options input[data-item='{catalogue['ecg'].pk}']")
    page.screenshot(path=str(screenshots / "booking-page-cabinets.png"), full_page=True)
    page.check(f"#slot-options input[data-item='{catalogue['ecg'].pk}']")
    page.click("#cabinet-continue")
    assert "ECG machine" in page.inner_text("#summary")
    page.fill("#client-name", "Ann Smith")
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")
    page.wait_for_selector("#bookings .card")
    booking = CabinetBooking.objects.get()
    starts = datetime.combine(tomorrow, datetime.min.time().replace(hour=10), tzinfo=clinic_zone())
    assert (booking.starts_at, booking.ends_at - booking.starts_at) == (starts, timedelta(hours=1))
    assert [e.item.name for e in booking.equipment_bookings.all()] == ["ECG machine"]
    assert booking.channel == Channel.WEBAPP
    assert len(bot_api.of("sendMessage", chat_id=9001)) == 1


def test_the_booking_is_visible_to_a_manager_in_the_admin(phone, live_server, bot_api, catalogue, admin_page):
    page = open_page(phone, live_server)
    page.click(f"button[data-item='{catalogue['ecg'].pk}']")
    day = today() + timedelta(days=1)
    if day.month != today().month:
        page.click(".month button[aria-label=next]")
    page.click(f"button[data-date='{day.isoformat()}']")
    page.click("#equipment-continue")
    page.fill("#client-name", "Olga Ivanova")
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")
    page.wait_for_selector("#bookings .card")
    booking = EquipmentBooking.objects.get()
    admin_page.goto(f"{live_server.url}/admin/equipment/equipmentbooking/")
    row = admin_page.inner_text("#result_list")
    assert str(booking.pk) in row and "Olga Ivanova" in row and "ECG machine" in row


@pytest.mark.parametrize("signing", ["forged", "stale"])
def test_forged_or_stale_initdata_is_refused(phone, live_server, bot_api, catalogue, signing):
    kwargs = {"token": "1111:forged-token"} if signing == "forged" else {
        "auth_date": timezone.now() - timedelta(hours=25)}
    page = open_page(phone, live_server, **kwargs)
    page.wait_for_selector("#banner.error")
    assert "could not be verified" in page.inner_text("#banner")
    page.click(f"button[data-item='{catalogue['ecg'].pk}']")
    page.click(".month button[aria-label=next]")
    first = (today().replace(day=1) + timedelta(days=40)).replace(day=5)
    page.click(f"button[data-date='{first.isoformat()}']")
    page.click("#equipment-continue")
    page.click("#confirm")
    page.wait_for_selector("#refusal")
    assert "could not be verified" in page.inner_text("#refusal")
    assert not EquipmentBooking.objects.exists()


def test_a_blocked_user_is_refused(phone, live_server, bot_api, catalogue):
    factories.TelegramAccountFactory(telegram_id=6666, is_blocked=True, language_code="en")
    page = open_page(phone, live_server, telegram_id=6666, first_name="Spam")
    page.wait_for_selector("#banner.error")
    assert "not available for your account" in page.inner_text("#banner")
    page.click(f"button[data-item='{catalogue['ecg'].pk}']")
    page.click(".month button[aria-label=next]")
    first = (today().replace(day=1) + timedelta(days=40)).replace(day=5)
    page.click(f"button[data-date='{first.isoformat()}']")
    page.click("#equipment-continue")
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")
    page.wait_for_selector("#refusal")
    assert "blocked" in page.inner_text("#refusal")
    assert not EquipmentBooking.objects.exists()


def test_without_initdata_the_page_shows_availability_only(phone, live_server, catalogue, settings, screenshots):
    settings.EQUIPMENT_BOT_USERNAME = "clinic_equipment_bot"
    phone.goto(f"{live_server.url}/app/")
    phone.wait_for_selector("#banner:not([hidden])")
    assert phone.get_attribute("#banner a", "href") == "https://t.me/clinic_equipment_bot"
    assert phone.is_hidden("#tab-bookings")
    phone.click(f"button[data-item='{catalogue['uzi'].pk}']")
    phone.wait_for_selector("#calendar button.free")
    phone.screenshot(path=str(screenshots / "booking-page-read-only.png"), full_page=True)


def test_a_full_day_is_refused_with_alternatives_and_one_tap_books_one(phone, live_server, bot_api, catalogue):
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor

    day = (today().replace(day=1) + timedelta(days=40)).replace(day=5)
    page = open_page(phone, live_server)
    page.click(f"button[data-item='{catalogue['ecg'].pk}']")
    page.click(".month button[aria-label=next]")
    page.click(f"button[data-date='{day.isoformat()}']")
    page.click("#equipment-continue")
    page.fill("#client-phone", "+79991234567")
    # Someone else takes the only unit while Ann is filling in the form.
    equipment_booking_create(item=catalogue["ecg"], start_date=day, client_name="Ben Brown",
                             client_phone="+79990000000", actor=Actor.staff(factories.StaffUserFactory()),
                             channel=Channel.ADMIN, now=timezone.now())
    page.click("#confirm")
    page.wait_for_selector("#refusal .alternative")
    assert "ECG machine" in page.inner_text("#refusal")
    first = page.locator("#refusal .alternative").first
    first.click()
    page.wait_for_selector("#bookings .card")  # one tap booked it: no second Confirm
    mine = EquipmentBooking.objects.get(requester__telegram_id=1001)
    assert mine.start_date != day or mine.item != catalogue["ecg"]


def test_a_refused_client_joins_the_waitlist_from_the_page(phone, live_server, bot_api, catalogue):
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor
    from kernel.waitlist.models import Wait

    day = (today().replace(day=1) + timedelta(days=40)).replace(day=6)
    page = open_page(phone, live_server)
    page.click(f"button[data-item='{catalogue['ecg'].pk}']")
    page.click(".month button[aria-label=next]")
    page.click(f"button[data-date='{day.isoformat()}']")
    page.click("#equipment-continue")
    page.fill("#client-phone", "+79991234567")
    equipment_booking_create(item=catalogue["ecg"], start_date=day, client_name="Ben Brown",
                             client_phone="+79990000000", actor=Actor.staff(factories.StaffUserFactory()),
                             channel=Channel.ADMIN, now=timezone.now())
    page.click("#confirm")
    page.click("#waitlist-join")
    page.wait_for_selector("#waits .card")
    assert "ECG machine" in page.inner_text("#waits")
    wait = Wait.objects.get()
    assert (wait.requester.telegram_id, wait.start_date, wait.status) == (1001, day, Wait.Status.WAITING)
    page.click(f"#waits [data-wait='{wait.pk}'] [data-action=leave]")
    page.wait_for_function("!document.querySelector('#waits')")
    assert Wait.objects.get().status == Wait.Status.CANCELLED
