"""No-shows and confirmations in the admin, the rules of the no-show status and limit, and the attendance
report with its .xlsx export."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cabinets.attendance import cabinet_booking_confirm_attendance, cabinet_booking_mark_no_show
from cabinets.models import CabinetBooking
from cabinets.services import (
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_create_for_partner,
    cabinet_bookings_complete_ended,
)
from equipment.attendance import equipment_booking_mark_no_show
from equipment.services import equipment_booking_approve, equipment_booking_create, equipment_booking_create_for_partner
from kernel.attendance import no_shows_count
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from tests.clock import at
from tests.conftest import NOW
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 11, 25)



@pytest.fixture
def holter(db):
    return ItemFactory(name="Холтер", quantity=2)


@pytest.fixture
def approved_visit(cabinet, alice, staff):
    def make(day=WEDNESDAY, hour=11, minutes=60, account=None, phone="+7 999 123-45-67"):
        booking = cabinet_booking_create(
            cabinet=cabinet, starts_at=at(day, hour), duration_minutes=minutes, client_name="Ольга Иванова",
            client_phone=phone, actor=Actor.telegram(account or alice), channel=Channel.BOT, now=NOW)
        return cabinet_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    return make


# --- The rules ---------------------------------------------------------------------------------------


def test_a_no_show_is_refused_before_the_start_and_allowed_after(approved_visit, staff):
    booking = approved_visit()
    with pytest.raises(BookingError) as refused:
        cabinet_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 10, 59))
    assert refused.value.code == "not_started"
    booking = cabinet_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 11, 5))
    assert booking.status == Status.NO_SHOW
    change = booking.history.latest("at")
    assert (change.from_status, change.to_status, change.actor) == ("approved", "no_show", "admin:manager")
    assert Event.objects.filter(topic=Event.Topic.NO_SHOW, booking_id=booking.pk).count() == 1


def test_a_completed_booking_can_still_be_marked_and_releases_nothing(approved_visit, staff):
    booking = approved_visit()
    cabinet_bookings_complete_ended(now=at(WEDNESDAY, 12, 30))
    booking.refresh_from_db()
    assert booking.status == Status.COMPLETED
    booking = cabinet_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 18))
    assert booking.status == Status.NO_SHOW
    # A no-show is terminal: nothing moves it on.
    with pytest.raises(BookingError) as refused:
        cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 18))
    assert refused.value.code == "bad_transition"


def test_only_managers_mark_no_shows_and_only_approved_or_completed_bookings(approved_visit, alice, staff):
    booking = approved_visit()
    with pytest.raises(BookingError) as refused:
        cabinet_booking_mark_no_show(booking=booking, actor=Actor.telegram(alice), now=at(WEDNESDAY, 12))
    assert refused.value.code == "forbidden"
    cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW)
    with pytest.raises(BookingError) as refused:
        cabinet_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 12))
    assert refused.value.code == "bad_transition"


def test_only_the_client_confirms_and_only_before_the_start(approved_visit, alice, bob):
    booking = approved_visit()
    with pytest.raises(BookingError):
        cabinet_booking_confirm_attendance(booking=booking, actor=Actor.telegram(bob), now=NOW)
    with pytest.raises(BookingError) as late:
        cabinet_booking_confirm_attendance(booking=booking, actor=Actor.telegram(alice), now=at(WEDNESDAY, 11))
    assert late.value.code == "already_started"
    booking = cabinet_booking_confirm_attendance(booking=booking, actor=Actor.telegram(alice), now=NOW)
    assert booking.client_confirmed_at == NOW


def test_the_no_show_limit_makes_automatic_approval_wait_for_a_manager(
        approved_visit, staff, partner, cabinet, holter, settings):
    def partner_booking(external_id, hour):
        booking, _replayed = cabinet_booking_create_for_partner(
            partner=partner, external_booking_id=external_id, cabinet=cabinet, starts_at=at(date(2026, 11, 27), hour),
            duration_minutes=30, client_name="Ольга Иванова", client_phone="+7 999 123-45-67", now=NOW)
        return booking

    for hour in (11, 15):
        cabinet_booking_mark_no_show(booking=approved_visit(hour=hour), actor=Actor.staff(staff),
                                     now=at(WEDNESDAY, 18))
    assert no_shows_count(client_phone="+79991234567", now=at(WEDNESDAY, 18)) == 2

    settings.NO_SHOW_LIMIT = 0
    assert partner_booking("crm-1", 10).status == Status.APPROVED
    settings.NO_SHOW_LIMIT = 3
    assert partner_booking("crm-2", 11).status == Status.APPROVED
    settings.NO_SHOW_LIMIT = 2
    assert partner_booking("crm-3", 12).status == Status.PENDING
    equipment, _replayed = equipment_booking_create_for_partner(
        partner=partner, external_booking_id="crm-4", item=holter, start_date=date(2026, 11, 30),
        client_name="Ольга Иванова", client_phone="8 (999) 123-45-67", now=NOW)
    assert equipment.status == Status.PENDING
    # Another client is not affected; and no-shows older than 90 days no longer count.
    other, _replayed = equipment_booking_create_for_partner(
        partner=partner, external_booking_id="crm-5", item=holter, start_date=date(2026, 11, 30),
        client_name="Иван Петров", client_phone="+7 912 000-11-22", now=NOW)
    assert other.status == Status.APPROVED
    assert no_shows_count(client_phone="+79991234567", now=at(WEDNESDAY, 18) + timedelta(days=91)) == 0


def test_an_equipment_no_show_counts_from_the_day_start(holter, alice, staff, settings):
    settings.EQUIPMENT_DAY_STARTS = "09:00"
    booking = equipment_booking_create(item=holter, start_date=WEDNESDAY, client_name="Пётр Сидоров",
                                       client_phone="+7 912 000-11-22", actor=Actor.telegram(alice),
                                       channel=Channel.BOT, now=NOW)
    equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    with pytest.raises(BookingError):
        equipment_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 8, 59))
    booking = equipment_booking_mark_no_show(booking=booking, actor=Actor.staff(staff), now=at(WEDNESDAY, 9))
    assert booking.status == Status.NO_SHOW


# --- The admin ---------------------------------------------------------------------------------------


def test_the_admin_marks_no_shows_after_the_start_only(manager_client, approved_visit, time_machine):
    started, later = approved_visit(hour=9), approved_visit(hour=18)
    time_machine.move_to(at(WEDNESDAY, 9, 30), tick=False)
    response = manager_client.post(reverse("admin:cabinets_cabinetbooking_changelist"),
                                   {"action": "no_show_selected", "_selected_action": [started.pk, later.pk]},
                                   follow=True)
    page = response.content.decode()
    # The admin speaks Russian by default.
    assert f"Отмечена неявка: C-{started.pk}." in page
    assert f"Бронь C-{later.pk} не изменена" in page and "Бронь C-" + f"{later.pk} ещё не началась" in page
    assert f"#{later.pk}" not in page
    assert CabinetBooking.objects.get(pk=started.pk).status == Status.NO_SHOW
    assert CabinetBooking.objects.get(pk=later.pk).status == Status.APPROVED


def test_the_admin_shows_the_clients_confirmation(manager_client, approved_visit, alice, time_machine):
    booking = approved_visit()
    cabinet_booking_confirm_attendance(booking=booking, actor=Actor.telegram(alice), now=NOW)
    listing = manager_client.get(reverse("admin:cabinets_cabinetbooking_changelist")).content.decode()
    assert "✔ 23.11.2026 10:00" in listing
    schedule = manager_client.get(reverse("admin:cabinets_day_schedule"), {"date": "2026-11-25"}).content.decode()
    assert "клиент подтвердил 23.11 10:00" in schedule
    change = manager_client.get(reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])).content.decode()
    assert "Отметить неявку" not in change  # offered only once the visit has started
    time_machine.move_to(booking.starts_at, tick=False)
    change = manager_client.get(reverse("admin:cabinets_cabinetbooking_change", args=[booking.pk])).content.decode()
    assert "Отметить неявку" in change


# --- The attendance report ---------------------------------------------------------------------------


@pytest.fixture
def a_week(approved_visit, cabinet, holter, alice, staff):
    """Wednesday: one confirmed visit, one no-show, one cancelled; and a two-day Holter booking."""
    confirmed = approved_visit(hour=9)
    cabinet_booking_confirm_attendance(booking=confirmed, actor=Actor.telegram(alice), now=NOW)
    cabinet_booking_mark_no_show(booking=approved_visit(hour=11), actor=Actor.staff(staff), now=at(WEDNESDAY, 12))
    cabinet_booking_cancel(booking=approved_visit(hour=15), actor=Actor.staff(staff), now=NOW)
    holter_booking = equipment_booking_create(item=holter, start_date=WEDNESDAY, end_date=date(2026, 11, 26),
                                              client_name="Пётр Сидоров", client_phone="+7 912 000-11-22",
                                              actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    equipment_booking_approve(booking=holter_booking, actor=Actor.staff(staff), now=NOW)


def test_the_report_counts_bookings_cancellations_no_shows_and_confirmations(manager_client, a_week):
    response = manager_client.get(reverse("admin:clinic_period_statistics"),
                                  {"date_from": "2026-11-23", "date_to": "2026-11-29"})
    report = response.context["report"]
    [cabinet] = report.cabinets
    assert (cabinet.bookings, cabinet.held, cabinet.cancelled, cabinet.no_shows, cabinet.confirmed) == (3, 2, 1, 1, 1)
    assert cabinet.confirmation_rate == 50
    # 2 held hours of a week open 09:00–21:00 with an hour for lunch: 120 of 7 × 11 × 60 minutes.
    assert cabinet.used == 120 and cabinet.capacity == 7 * 11 * 60 and cabinet.utilisation == 3
    [item] = report.items
    assert (item.bookings, item.held, item.used, item.capacity, item.utilisation) == (1, 1, 2, 14, 14)
    assert 'id="stats-cabinets"' in response.content.decode()


def test_the_report_downloads_as_xlsx(manager_client, a_week):
    response = manager_client.get(reverse("admin:clinic_period_statistics"),
                                  {"date_from": "2026-11-23", "date_to": "2026-11-29", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    cabinets = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert cabinets[0][:2] == ("Период", "23.11.2026 – 29.11.2026")
    assert cabinets[1][:2] == ("Кабинет", "Брони")
    assert cabinets[2][:7] == ("Кабинет 1", 3, 2, 1, 0, 1, 1)
    equipment = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert equipment[2][0] == "Холтер" and equipment[-1][1] == 1


def test_the_report_refuses_a_bad_period_clearly(manager_client, a_week):
    response = manager_client.get(reverse("admin:clinic_period_statistics"),
                                  {"date_from": "2026-11-29", "date_to": "2026-11-23"})
    assert response.status_code == 200
    assert "Конец не может быть раньше начала" in response.content.decode()
    assert manager_client.get(reverse("admin:clinic_period_statistics"),
                              {"date_from": "nonsense"}).status_code == 200


def test_the_report_takes_a_bounded_number_of_queries(manager_client, approved_visit, django_assert_max_num_queries):
    approved_visit()
    url = reverse("admin:clinic_period_statistics")
    with django_assert_max_num_queries(30) as few:
        manager_client.get(url, {"date_from": "2026-11-23", "date_to": "2026-11-29"})
    for hour in (9, 10, 15, 16, 17, 18):
        approved_visit(hour=hour, day=date(2026, 11, 26))
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(url, {"date_from": "2026-11-23", "date_to": "2026-11-29", "format": "xlsx"})
