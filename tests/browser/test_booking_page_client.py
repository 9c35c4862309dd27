"""The booking page as a client on a phone (390×844) meets it: a Cabinets tab that opens on a day with a
free time and fits the screen, buttons that look like buttons, references that say which booking is
which, and a form that remembers them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking, Item
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from tests import factories
from tests.browser import test_booking_page as booking_page

# The phone, the fake Bot API and the catalogue of the booking page's browser tests.
_bot_api_server, bot_api = booking_page._bot_api_server, booking_page.bot_api
phone, catalogue, manager = booking_page.phone, booking_page.catalogue, booking_page.manager
open_page, today = booking_page.open_page, booking_page.today

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THEME_BUTTON = "rgb(82, 136, 193)"  # THEME["button_color"], #5288c1
THEME_BUTTON_TEXT = "rgb(255, 255, 255)"
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


def style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"node => getComputedStyle(node).{prop}")


def book_ecg_for(account, day, name="Anna Smirnova", number="+79991234567"):
    from equipment.services import equipment_booking_create

    return equipment_booking_create(item=Item.objects.get(name="ECG machine"), start_date=day, client_name=name,
                                    client_phone=number, actor=Actor.telegram(account), channel=Channel.BOT,
                                    now=timezone.now())


def ecg_to_confirm(page, items, day):
    page.click(f"button[data-item='{items['ecg'].pk}']")
    page.click(".month button[aria-label=next]")
    page.click(f"button[data-date='{day.isoformat()}']")
    page.click("#equipment-continue")


def test_the_cabinets_tab_opens_on_the_first_day_with_a_free_time_and_fits_the_phone(phone, live_server, bot_api,
                                                                                    catalogue, screenshots):
    wide = factories.with_week(factories.CabinetFactory(name="Procedure room with a long name", number="2"),
                               slot_minutes=15)
    factories.holiday(today())  # nothing free today or tomorrow, whatever the hour the test runs
    factories.holiday(today() + timedelta(days=1))
    page = open_page(phone, live_server, tab="cabinets")
    page.wait_for_selector("#cabinet-grid button[data-start]")
    opened_on = (today() + timedelta(days=2)).isoformat()
    assert page.input_value("#day") == opened_on
    page.screenshot(path=str(screenshots / "booking-page-cabinets-phone.png"), full_page=False)
    first = page.locator(f"#cabinet-grid button[data-cabinet='{catalogue['cabinet'].pk}']").first
    box = first.bounding_box()
    assert first.inner_text() == "09:00" and 0 <= box["y"] and box["y"] + box["height"] <= 844  # seen at once
    rights = page.eval_on_selector_all("#cabinet-grid button[data-start]",
                                       "nodes => nodes.map(node => node.getBoundingClientRect().right)")
    assert len(rights) > 40 and max(rights) <= 390  # every free time of both cabinets is on screen
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.click(f"#cabinet-grid button[data-cabinet='{wide.pk}'][data-start='18:45']")
    page.wait_for_selector("#slot-options button[data-minutes]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(screenshots / "booking-page-cabinets-picked.png"), full_page=True)


def test_after_a_refusal_the_alternatives_are_buttons_and_one_tap_books(phone, live_server, bot_api, catalogue,
                                                                          screenshots):
    day = (today().replace(day=1) + timedelta(days=40)).replace(day=5)
    page = open_page(phone, live_server)
    ecg_to_confirm(page, catalogue, day)
    page.fill("#client-phone", "+79991234567")
    book_ecg_for(factories.TelegramAccountFactory(telegram_id=2002), day, name="Ben Brown")  # taken meanwhile
    page.click("#confirm")
    page.wait_for_selector("#refusal .alternative")
    page.screenshot(path=str(screenshots / "booking-page-refusal.png"), full_page=True)
    assert style(page, "#refusal", "color") == "rgb(245, 245, 245)"  # the theme's text colour, not alarm red
    alternatives = page.locator("#refusal .alternative")
    assert alternatives.count() >= 1
    assert set(alternatives.evaluate_all("nodes => nodes.map(node => node.tagName)")) == {"BUTTON"}
    assert style(page, "#refusal .alternative", "backgroundColor") == THEME_BUTTON
    assert style(page, "#refusal .alternative", "color") == THEME_BUTTON_TEXT
    alternatives.first.click()
    page.wait_for_selector("#bookings .card")
    mine = EquipmentBooking.objects.get(requester__telegram_id=1001)
    assert (mine.item, mine.start_date) != (catalogue["ecg"], day)
    assert f"Request {mine.reference} is sent" in page.inner_text("#toast")


def test_my_bookings_tell_the_kinds_apart_and_cancel_is_a_button(phone, live_server, bot_api, catalogue,
                                                                   screenshots):
    from cabinets.services import cabinet_booking_create

    ann = factories.TelegramAccountFactory(telegram_id=1001, first_name="Ann", language_code="en")
    day = today() + timedelta(days=3)
    equipment = book_ecg_for(ann, day)
    starts_at = datetime.combine(day, time(10), tzinfo=clinic_zone())
    cabinet = cabinet_booking_create(cabinet=catalogue["cabinet"], starts_at=starts_at, duration_minutes=60,
                                     client_name="Anna Smirnova", client_phone="+79991234567",
                                     actor=Actor.telegram(ann), channel=Channel.BOT, now=timezone.now())
    page = open_page(phone, live_server, tab="bookings")
    page.wait_for_selector("#bookings .card")
    page.screenshot(path=str(screenshots / "booking-page-my-bookings-kinds.png"), full_page=True)
    listed = page.inner_text("#bookings")
    assert f"E-{equipment.pk} ECG machine" in listed and f"C-{cabinet.pk} Cabinet 1" in listed
    cancel = page.locator(f"[data-booking='cabinet:{cabinet.pk}'] button[data-action=cancel]")
    assert cancel.evaluate("node => node.tagName") == "BUTTON"
    assert cancel.evaluate("node => getComputedStyle(node).borderTopColor") == THEME_BUTTON
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()
    page.wait_for_function(f"document.querySelector('#toast').innerText.includes('C-{cabinet.pk}')")
    assert f"Booking C-{cabinet.pk} is cancelled" in page.inner_text("#toast")
    assert CabinetBooking.objects.get(pk=cabinet.pk).status == "cancelled"


def test_the_form_remembers_the_last_name_and_phone(phone, live_server, bot_api, catalogue):
    ann = factories.TelegramAccountFactory(telegram_id=1001, first_name="Ann", language_code="en")
    book_ecg_for(ann, today() + timedelta(days=2), name="Anna Smirnova", number="+79991234567")
    page = open_page(phone, live_server)
    ecg_to_confirm(page, catalogue, (today().replace(day=1) + timedelta(days=40)).replace(day=7))
    assert page.input_value("#client-name") == "Anna Smirnova"
    assert page.input_value("#client-phone") == "+7 999 123-45-67"
    page.click("#confirm")
    page.wait_for_selector("#bookings .card")
    assert EquipmentBooking.objects.filter(requester=ann).count() == 2


def test_an_empty_phone_is_required(phone, live_server, bot_api, catalogue):
    page = open_page(phone, live_server)
    ecg_to_confirm(page, catalogue, (today().replace(day=1) + timedelta(days=40)).replace(day=8))
    assert page.input_value("#client-phone") == ""
    page.click("#confirm")
    page.wait_for_selector("#refusal")
    assert "The phone number is required." in page.inner_text("#refusal")
    assert not EquipmentBooking.objects.exists()
