"""The Specialists' day in Chromium: a manager opens it from the Manager panel and sees each appointment in
its specialist's column, then books a free slot of that column by phone."""

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

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def specialist(name: str) -> Specialist:
    person = Specialist.objects.create(name=name)
    for weekday in range(7):
        WorkingHours.objects.create(specialist=person, weekday=weekday, start=time(9), end=time(18))
    return person


def test_a_manager_sees_the_specialists_day_and_books_a_free_slot(admin_page, live_server, screenshots):
    factories.with_week(factories.CabinetFactory(name="Кабинет УЗИ"))
    anna, boris = specialist("Анна Смирнова"), specialist("Борис Иванов")
    service = Service.objects.create(name="УЗИ", category="Диагностика", duration_minutes=60,
                                     price=Decimal("2500.00"))
    service.specialists.set([anna, boris])
    day = timezone.localtime(timezone.now(), clinic_zone()).date() + timedelta(days=2)
    booking = appointment_create(service=service, specialist=boris, client_name="Ольга Иванова",
                                 starts_at=datetime.combine(day, time(10), tzinfo=clinic_zone()),
                                 client_phone="+79991234567", actor=Actor.system(), channel=Channel.ADMIN,
                                 now=timezone.now())

    admin_page.click("#link-specialists-day")
    admin_page.goto(f"{admin_page.url.split('?')[0]}?date={day.isoformat()}")
    cell = admin_page.wait_for_selector(f"td[data-booking='{booking.pk}']")
    assert "Ольга Иванова" in cell.inner_text() and "Кабинет УЗИ" in cell.inner_text()
    headers = admin_page.eval_on_selector_all("#specialists-day thead th[data-specialist]",
                                              "nodes => nodes.map(node => node.textContent)")
    assert headers == ["Анна Смирнова", "Борис Иванов"]
    column = admin_page.evaluate(f"document.querySelector(\"td[data-booking='{booking.pk}']\").cellIndex")
    assert column == 2  # the time, Анна, then Борис
    admin_page.screenshot(path=str(screenshots / "admin-specialists-day.png"), full_page=True)

    admin_page.click("tr[data-time='14:00'] td.free a >> nth=1")  # Борис's column
    admin_page.select_option("#id_service", str(service.pk))
    admin_page.fill("#id_client_name", "Ирина Котова")
    admin_page.fill("#id_client_phone", "+7 999 765-43-21")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector("td[data-booking]:has-text('Ирина Котова')")
    made = CabinetBooking.objects.get(client_name="Ирина Котова")
    assert made.service == service and made.specialist == boris  # the column's specialist, filled in
    assert timezone.localtime(made.starts_at, clinic_zone()).hour == 14
