"""The booking page's Services tab on a phone (390×844): a client picks a kind of service, the service, any
specialist, a marked day and a time, confirms with the name and phone the form already holds, and sees a card
naming the specialist and the cabinet."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from cabinets.models import CabinetBooking
from specialists.models import Service, Specialist, WorkingHours
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
    assert "1 h · 2500.00 ₽" in page.inner_text(f"button[data-service='{ultrasound.pk}']")
    page.click(f"button[data-service='{ultrasound.pk}']")
    page.click("button[data-specialist='any']")
    day = today() + timedelta(days=2)
    page.wait_for_selector(f"#service-days button[data-date='{day.isoformat()}']:not([disabled])")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(screenshots / "booking-page-services-days.png"), full_page=True)
    page.click(f"#service-days button[data-date='{day.isoformat()}']")
    page.click("#service-times button[data-start='10:00']")
    assert "Abdominal ultrasound" in page.inner_text("#summary")
    assert page.input_value("#client-name") == "Ann"  # prefilled like the other tabs
    page.fill("#client-phone", "+79991234567")
    page.click("#confirm")
    card = page.wait_for_selector("#appointment-card")
    assert "Specialist: Vera Orlova" in card.inner_text() and "Cabinet: Ultrasound room" in card.inner_text()
    page.screenshot(path=str(screenshots / "booking-page-services-booked.png"), full_page=True)
    booking = CabinetBooking.objects.get()
    assert (booking.service, booking.specialist.name, booking.cabinet.name) == (
        ultrasound, "Vera Orlova", "Ultrasound room")
    page.click("#tab-bookings")
    page.wait_for_selector("#bookings .appointment")
    assert "Abdominal ultrasound · Vera Orlova" in page.inner_text("#bookings")
