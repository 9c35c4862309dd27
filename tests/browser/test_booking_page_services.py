"""The booking page's Services tab on a phone (390×844): a client picks a kind of service, the service, any
specialist, a marked day and a time, confirms with the name and phone the form already holds, and sees a card
naming the specialist and the cabinet."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cabinets.models import CabinetBooking
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from specialists.models import Service, Specialist, WorkingHours
from specialists.services import appointment_create
from tests import factories
from tests.browser import test_booking_page as booking_page

_bot_api_server, bot_api = booking_page._bot_api_server, booking_page.bot_api
phone, open_page, today = booking_page.phone, booking_page.open_page, booking_page.today

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def ultrasound(transactional_db):
    cabinet = factories.with_week(factories.CabinetFactory(name="Ultrasound room", number="3"))
    vera = Specialist.objects.create(name="Vera Orlova")
    for weekday in range(7):
        WorkingHours.objects.create(specialist=vera, weekday=weekday, start=time(9), end=time(18))
    service = Service.objects.create(name="Abdominal ultrasound", category="Diagnostics", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([vera])
    service.cabinets.set([cabinet])
    return service


def test_a_client_books_a_service_with_any_specialist_on_a_phone(phone, live_server, bot_api, ultrasound,
                                                                 screenshots):
    page = open_page(phone, live_server, tab="services")
    page.click("button[data-category='Diagnostics']")
    assert "1 h · 2,500\u00a0₽" in page.inner_text(f"button[data-service='{ultrasound.pk}']")
    page.click(f"button[data-service='{ultrasound.pk}']")
    page.click("button[data-specialist='any']")
    day = today() + timedelta(days=2)
    page.wait_for_selector(f"#service-days button[data-date='{day.isoformat()}']:not([disabled])")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(screenshots / "booking-page-services-days.png"), full_page=True)
    page.click(f"#service-days button[data-date='{day.isoformat()}']")
    page.click("#service-times button[data-start='10:00']")
    assert "Abdominal ultrasound" in page.inner_text("#summary")
    assert "total 2,500\u00a0₽" in page.wait_for_selector("#price-lines").inner_text()  # what it will cost
    assert page.input_value("#client-name") == "Ann"  # prefilled like the other tabs
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")
    card = page.wait_for_selector("#appointment-card")
    assert "Specialist: Vera Orlova" in card.inner_text() and "Cabinet: Ultrasound room" in card.inner_text()
    assert "total 2,500\u00a0₽" in card.inner_text()
    page.screenshot(path=str(screenshots / "booking-page-services-booked.png"), full_page=True)
    booking = CabinetBooking.objects.get()
    assert (booking.service, booking.specialist.name, booking.cabinet.name) == (
        ultrasound, "Vera Orlova", "Ultrasound room")
    page.click("#tab-bookings")
    page.wait_for_selector("#bookings .appointment")
    assert "Abdominal ultrasound · Vera Orlova" in page.inner_text("#bookings")
    assert "total 2,500\u00a0₽" in page.inner_text("#bookings .price")


def test_a_time_taken_meanwhile_offers_alternatives_and_one_tap_books_it(phone, live_server, bot_api, ultrasound,
                                                                         screenshots):
    page = open_page(phone, live_server, tab="services")
    page.click("button[data-category='Diagnostics']")
    page.click(f"button[data-service='{ultrasound.pk}']")
    page.click("button[data-specialist='any']")
    day = today() + timedelta(days=2)
    page.click(f"#service-days button[data-date='{day.isoformat()}']")
    page.click("#service-times button[data-start='10:00']")
    page.fill("#client-phone", "+79991234567")
    vera = ultrasound.specialists.get()
    starts_at = datetime.combine(day, time(10), tzinfo=clinic_zone())
    appointment_create(service=ultrasound, specialist=vera, starts_at=starts_at, client_name="Ivan Petrov",
                       client_phone="+79990000001", actor=Actor.system(), channel=Channel.ADMIN, now=timezone.now())
    page.click("#confirm")
    refusal = page.wait_for_selector("#refusal")
    assert "You could book instead:" in refusal.inner_text()
    assert not page.query_selector("#waitlist-join")  # services have no waitlist
    offers = [button.inner_text() for button in page.query_selector_all("#refusal button.alternative")]
    assert offers[:2] == [f"{day:%d.%m.%Y} 09:00 · Vera Orlova", f"{day:%d.%m.%Y} 11:00 · Vera Orlova"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(screenshots / "booking-page-services-alternatives.png"), full_page=True)
    page.click(f"#refusal button.alternative:has-text('{day:%d.%m.%Y} 11:00')")
    card = page.wait_for_selector("#appointment-card")
    assert "Specialist: Vera Orlova" in card.inner_text()
    mine = CabinetBooking.objects.exclude(client_name="Ivan Petrov").get()
    assert (mine.specialist, mine.starts_at) == (vera, starts_at + timedelta(hours=1))
