"""Turnaround days and maintenance windows: units resting after a booking or out of service are not free,
for every channel, and a window that would strand bookings is refused unless the manager cancels them."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from equipment.availability import equipment_grid, items_free_in_window
from equipment.maintenance import maintenance_window_delete, maintenance_window_save
from equipment.models import MaintenanceWindow
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_move
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from tests import factories
from tests.conftest import MSK, NOW

pytestmark = pytest.mark.django_db
DEC = [date(2026, 11, 30)] + [date(2026, 12, d) for d in range(1, 32)]  # DEC[1] is 1 December


def book(item, who, start, end=None, units=1):
    return equipment_booking_create(item=item, start_date=start, end_date=end, units=units, client_name="Иван Петров",
                                    client_phone="+7 999 123-45-67", actor=who, channel=Channel.BOT, now=NOW)


def refusal(call, *args, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def laser():
    return factories.ItemFactory(name="Лазер", quantity=1, turnaround_days=1)


def out_of_service(item, staff, start, end, units=1, **extra):
    return maintenance_window_save(item=item, units=units, start_date=start, end_date=end, reason="Калибровка",
                                   actor=Actor.staff(staff), now=NOW, **extra)


# --- Turnaround ---------------------------------------------------------------------------------------


def test_turnaround_blocks_the_day_after_a_return(laser, alice, bob):
    book(laser, Actor.telegram(alice), DEC[1], DEC[2])
    grid = equipment_grid(items=[laser], start_date=DEC[1], end_date=DEC[4])
    assert [(grid.peak(laser.pk, d), grid.blocked(laser.pk, d), grid.reason(laser.pk, d)) for d in DEC[1:5]] == [
        (1, 0, "booked"), (1, 0, "booked"), (0, 1, "turnaround"), (0, 0, None)]
    error = refusal(book, laser, Actor.telegram(bob), DEC[3])
    assert error.code == "no_capacity" and error.details["full_days"] == ["2026-12-03"]
    assert book(laser, Actor.telegram(bob), DEC[4]).status == Status.PENDING


def test_a_new_booking_must_leave_its_own_turnaround_before_the_next_booking(laser, alice, bob):
    book(laser, Actor.telegram(alice), DEC[5])
    with translation.override("en"):
        error = refusal(book, laser, Actor.telegram(bob), DEC[3], DEC[4])
        assert "needs 1 day after each booking to get ready" in str(error.message)
    assert error.code == "no_capacity" and error.details["turnaround_days"] == 1
    assert error.details["full_days"] == ["2026-12-05"]
    with translation.override("ru"):
        assert "нужен 1 день на подготовку" in str(refusal(book, laser, Actor.telegram(bob), DEC[3], DEC[4]))
    assert book(laser, Actor.telegram(bob), DEC[2], DEC[3]).end_date == DEC[3]  # rests on the 4th


def test_turnaround_needs_only_as_many_units_as_were_booked(alice, bob):
    pair = factories.ItemFactory(name="Пара", quantity=2, turnaround_days=2)
    book(pair, Actor.telegram(alice), DEC[1])
    assert book(pair, Actor.telegram(bob), DEC[2]).units == 1  # the second unit is free while the first rests
    grid = equipment_grid(items=[pair], start_date=DEC[2], end_date=DEC[5])
    assert [grid.free(pair.pk, d) for d in DEC[2:6]] == [0, 0, 1, 2]  # both rest on the 3rd


def test_a_cancelled_booking_frees_its_turnaround_and_a_move_ignores_its_own(laser, alice, staff):
    first = book(laser, Actor.telegram(alice), DEC[1])
    equipment_booking_move(booking=first, actor=Actor.staff(staff), now=NOW, start_date=DEC[2])
    assert equipment_grid(items=[laser], start_date=DEC[3], end_date=DEC[3]).blocked(laser.pk, DEC[3]) == 1
    equipment_booking_cancel(booking=first, actor=Actor.staff(staff), now=NOW)
    assert equipment_grid(items=[laser], start_date=DEC[3], end_date=DEC[3]).free(laser.pk, DEC[3]) == 1


def test_a_cabinet_window_the_day_after_a_return_sees_the_unit_resting(laser, alice):
    from datetime import datetime

    book(laser, Actor.telegram(alice), DEC[1])
    window = datetime(2026, 12, 2, 10, tzinfo=MSK), datetime(2026, 12, 2, 11, tzinfo=MSK)
    assert items_free_in_window(items=[laser], starts_at=window[0], ends_at=window[1]) == {laser.pk: 0}
    later = datetime(2026, 12, 3, 10, tzinfo=MSK), datetime(2026, 12, 3, 11, tzinfo=MSK)
    assert items_free_in_window(items=[laser], starts_at=later[0], ends_at=later[1]) == {laser.pk: 1}


# --- Maintenance windows ---------------------------------------------------------------------------------


def test_a_maintenance_window_takes_units_out_of_service_for_everyone(staff, alice):
    pair = factories.ItemFactory(name="Пара", quantity=2)
    out_of_service(pair, staff, DEC[10], DEC[12])
    grid = equipment_grid(items=[pair], start_date=DEC[9], end_date=DEC[13])
    assert [grid.blocked(pair.pk, d) for d in DEC[9:14]] == [0, 1, 1, 1, 0]
    book(pair, Actor.telegram(alice), DEC[11])
    error = refusal(book, pair, Actor.telegram(alice), DEC[11])
    assert error.code == "no_capacity" and error.details["full_days"] == ["2026-12-11"]
    assert equipment_grid(items=[pair], start_date=DEC[11], end_date=DEC[11]).reason(pair.pk, DEC[11]) == (
        "maintenance")


def test_a_window_that_strands_bookings_is_refused_listing_them(laser, staff, alice):
    booking = book(laser, Actor.telegram(alice), DEC[11])
    error = refusal(out_of_service, laser, staff, DEC[10], DEC[12])
    assert error.code == "schedule_conflict" and error.details["bookings"] == [booking.pk]
    assert f"E-{booking.pk} 11.12.2026" in str(error.message)
    assert not MaintenanceWindow.objects.exists()
    booking.refresh_from_db()
    assert booking.status == Status.PENDING


def test_cancel_and_notify_cancels_as_few_bookings_as_needed_the_newest_first(staff, alice, bob):
    pair = factories.ItemFactory(name="Пара", quantity=2)
    older = book(pair, Actor.telegram(alice), DEC[11])
    newer = book(pair, Actor.telegram(bob), DEC[11], DEC[12])
    elsewhere = book(pair, Actor.telegram(bob), DEC[20])
    window = out_of_service(pair, staff, DEC[10], DEC[12], cancel_affected=True)
    assert window.created_by == staff and window.reason == "Калибровка"
    for booking in (older, newer, elsewhere):
        booking.refresh_from_db()
    assert (older.status, newer.status, elsewhere.status) == (Status.PENDING, Status.CANCELLED, Status.PENDING)
    assert newer.status_reason == "the equipment is out of service: Калибровка"
    assert Event.objects.filter(topic=Event.Topic.CANCELLED, booking_id=newer.pk).exists()


def test_a_window_counts_turnaround_and_spares_bookings_that_still_fit(staff, alice):
    pair = factories.ItemFactory(name="Пара", quantity=2, turnaround_days=1)
    resting = book(pair, Actor.telegram(alice), DEC[9])  # rests on the 10th
    out_of_service(pair, staff, DEC[10], DEC[10])  # the other unit: fits
    error = refusal(out_of_service, pair, staff, DEC[10], DEC[10])
    assert error.details["bookings"] == [resting.pk]


def test_a_window_in_the_past_or_over_the_quantity_or_without_a_reason_is_refused(laser, staff, alice):
    assert refusal(out_of_service, laser, staff, DEC[10], DEC[10], units=2).code == "invalid"
    assert refusal(out_of_service, laser, staff, DEC[12], DEC[10]).code == "bad_range"
    assert refusal(maintenance_window_save, item=laser, units=1, start_date=DEC[1], end_date=DEC[1], reason=" ",
                   actor=Actor.staff(staff), now=NOW).code == "invalid"
    assert refusal(maintenance_window_save, item=laser, units=1, start_date=DEC[1], end_date=DEC[1], reason="x",
                   actor=Actor.telegram(alice), now=NOW).code == "forbidden"
    # Days already past strand nothing: only today onwards is checked.
    book(laser, Actor.telegram(alice), NOW.date() + timedelta(days=1))
    assert out_of_service(laser, staff, NOW.date() - timedelta(days=5), NOW.date()).pk


def test_editing_a_window_does_not_count_it_twice_and_deleting_it_frees_the_units(laser, staff):
    window = out_of_service(laser, staff, DEC[10], DEC[12])
    window = maintenance_window_save(item=laser, units=1, start_date=DEC[10], end_date=DEC[14], reason="Дольше",
                                     actor=Actor.staff(staff), now=NOW, window=window)
    assert MaintenanceWindow.objects.get().end_date == DEC[14]
    maintenance_window_delete(window=window, actor=Actor.staff(staff))
    assert equipment_grid(items=[laser], start_date=DEC[12], end_date=DEC[12]).free(laser.pk, DEC[12]) == 1


def test_the_grid_reads_bookings_and_maintenance_in_one_query_whatever_their_number(
        staff, alice, django_assert_max_num_queries):
    many = factories.ItemFactory(name="Много", quantity=100, turnaround_days=2)
    for day in range(1, 21):
        book(many, Actor.staff(staff), DEC[day], units=2)
        out_of_service(many, staff, DEC[day], DEC[day])
    with django_assert_max_num_queries(1):
        grid = equipment_grid(items=[many], start_date=DEC[1], end_date=DEC[31])
    assert grid.peak(many.pk, DEC[5]) == 2 and grid.blocked(many.pk, DEC[5]) == 1 + 4


def test_a_longer_turnaround_that_would_collide_with_bookings_is_refused(laser, staff, alice, bob):
    from equipment.turnaround import item_turnaround_check

    book(laser, Actor.telegram(alice), DEC[1])
    book(laser, Actor.telegram(bob), DEC[3])  # one free day between: turnaround 1 fits
    error = refusal(item_turnaround_check, item=laser, turnaround_days=2, quantity=1, actor=Actor.staff(staff),
                    now=NOW)
    assert error.code == "no_capacity" and error.details["full_days"] == ["2026-12-03"]
    item_turnaround_check(item=laser, turnaround_days=2, quantity=2, actor=Actor.staff(staff), now=NOW)
    item_turnaround_check(item=laser, turnaround_days=0, quantity=1, actor=Actor.staff(staff), now=NOW)
