"""Cabinet bookings, holds and schedule changes: every rule of DESIGN.md §5 and its refusal."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import translation

from cabinets.availability import cabinet_day
from cabinets.models import CabinetBooking, CabinetOccupancy, SlotHold
from cabinets.services import (
    cabinet_booking_approve,
    cabinet_booking_cancel,
    cabinet_booking_create,
    cabinet_booking_create_for_partner,
    cabinet_booking_move,
    cabinet_booking_reject,
    cabinet_bookings_complete_ended,
    cabinet_bookings_expire_undecided,
    closure_save,
    holiday_save,
    slot_hold_release,
    slot_hold_take,
    weekly_schedule_save,
)
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from tests import factories
from tests.clock import TUE, at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def book(cabinet, who, start, minutes=30, equipment=(), now=NOW, channel=Channel.BOT):
    return cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=minutes, equipment=equipment,
                                  client_name="Ольга Смирнова", client_phone="+79990001122", actor=who,
                                  channel=channel, now=now)


def refusal(call, *args, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(*args, **kwargs)
    return caught.value



def test_a_day_of_nine_to_nine_with_lunch_has_22_slots_and_none_at_lunch(cabinet):
    day = cabinet_day(cabinet=cabinet, day=TUE, now=NOW)
    starts = [s.start.astimezone(MSK).strftime("%H:%M") for s in day.slots]
    assert len(starts) == 22 and "13:00" not in starts and "13:30" not in starts
    assert day.closed_reason is None


def test_a_90_minute_booking_takes_three_consecutive_slots(cabinet, alice):
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 90)
    assert booking.ends_at == at(TUE, 11, 30) and booking.status == Status.PENDING
    day = cabinet_day(cabinet=cabinet, day=TUE, now=NOW)
    states = {s.start.astimezone(MSK).strftime("%H:%M"): s.state for s in day.slots}
    assert [states[t] for t in ("10:00", "10:30", "11:00", "11:30")] == ["taken", "taken", "taken", "free"]
    assert CabinetOccupancy.objects.filter(booking=booking).count() == 6  # 15-minute grid rows


def test_a_booking_across_lunch_is_refused_as_the_lunch_break(cabinet, alice):
    error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 12), 90)
    assert error.code == "closed" and error.details["reason"] == "lunch"
    assert str(error) == "13:00 — обеденный перерыв (13:00–14:00) в кабинете «Кабинет 1»."


def test_a_booking_across_closing_is_refused_with_the_longest_that_fits(cabinet, alice):
    error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 20), 90)
    assert error.code == "too_long" and "60" in str(error)


def test_more_than_the_maximum_number_of_slots_is_refused(cabinet, alice):
    error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 14), 210)
    assert error.code == "too_long" and "180" in str(error)


def test_a_start_off_the_slot_grid_or_an_odd_duration_is_refused(cabinet, alice):
    assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10, 15), 30).code == "not_a_slot"
    assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10), 45).code == "not_a_slot"


def test_a_start_during_lunch_is_refused_as_the_lunch_break_not_as_off_the_grid(cabinet, alice):
    error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 13, 30), 30)
    assert (error.code, error.details["reason"]) == ("closed", "lunch")
    with translation.override("en"):
        error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 13, 30), 30)
    assert str(error) == "13:30 is during the lunch break (13:00–14:00) in Кабинет 1."
    assert (error.details["lunch_start"], error.details["lunch_end"]) == ("13:00", "14:00")


def test_an_overlapping_booking_is_refused_naming_the_taken_slot(cabinet, alice, bob):
    book(cabinet, Actor.telegram(alice), at(TUE, 10), 60)
    error = refusal(book, cabinet, Actor.telegram(bob), at(TUE, 10, 30), 60)
    assert error.code == "slot_taken" and "10:30" in str(error) and error.http_status == 409
    assert book(cabinet, Actor.telegram(bob), at(TUE, 11), 60).pk  # touching is fine


def test_lead_time_is_at_least_an_hour_and_at_most_thirty_days(cabinet, alice):
    soon = NOW + timedelta(minutes=30)
    error = refusal(book, cabinet, Actor.telegram(alice), soon.replace(minute=30))
    assert error.code == "too_soon" and "60" in str(error)
    assert book(cabinet, Actor.telegram(alice), at(NOW.date(), 11)).pk
    assert refusal(book, cabinet, Actor.telegram(alice), at(NOW.date(), 9)).code == "date_in_past"
    far = NOW.date() + timedelta(days=31)
    assert refusal(book, cabinet, Actor.telegram(alice), at(far, 10)).code == "too_far_ahead"


def test_holidays_closures_and_days_off_remove_slots(alice):
    cabinet = factories.with_week(factories.CabinetFactory(), days_off=(6,))
    factories.holiday(date(2026, 12, 1), "День тестирования")
    factories.closure(cabinet, date(2026, 12, 2), time(15), time(17), reason="Дезинфекция")
    factories.closure(cabinet, date(2026, 12, 3), reason="Ремонт")
    assert cabinet_day(cabinet=cabinet, day=date(2026, 12, 1), now=NOW).closed_reason == "День тестирования"
    assert cabinet_day(cabinet=cabinet, day=date(2026, 12, 3), now=NOW).closed_reason == "Ремонт"
    assert cabinet_day(cabinet=cabinet, day=date(2026, 11, 29), now=NOW).closed_reason == "day off"
    partly = cabinet_day(cabinet=cabinet, day=date(2026, 12, 2), now=NOW)
    assert len(partly.slots) == 22 - 4
    error = refusal(book, cabinet, Actor.telegram(alice), at(date(2026, 12, 1), 10))
    assert error.code == "closed" and "День тестирования" in str(error)
    assert refusal(book, cabinet, Actor.telegram(alice), at(date(2026, 12, 2), 15)).code == "not_a_slot"


def test_inactive_cabinets_cannot_be_booked(alice):
    cabinet = factories.with_week(factories.CabinetFactory(is_active=False))
    assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10)).code == "inactive"


@override_settings(MAX_ACTIVE_BOOKINGS_PER_USER=1)
def test_the_per_user_limit_applies_to_clients_only(cabinet, alice, manager_account):
    book(cabinet, Actor.telegram(alice), at(TUE, 10))
    assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 11)).code == "limit_reached"
    book(cabinet, Actor.telegram(manager_account), at(TUE, 12))
    book(cabinet, Actor.telegram(manager_account), at(TUE, 15))


def test_a_blocked_user_can_neither_hold_nor_book(cabinet, blocked):
    assert refusal(book, cabinet, Actor.telegram(blocked), at(TUE, 10)).code == "blocked"
    assert refusal(slot_hold_take, cabinet=cabinet, starts_at=at(TUE, 10), account=blocked, now=NOW).code == "blocked"


class TestEquipmentWithACabinet:
    def test_cabinet_and_equipment_are_booked_together(self, cabinet, alice):
        item = factories.ItemFactory(quantity=1)
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        attached = booking.equipment_bookings.get()
        assert (attached.starts_at, attached.ends_at, attached.channel) == (at(TUE, 10), at(TUE, 11), Channel.CABINET)
        assert attached.status == Status.PENDING

    def test_if_the_equipment_is_not_free_neither_is_booked(self, cabinet, alice, staff):
        item = factories.ItemFactory(quantity=1)
        equipment_booking_create(item=item, start_date=TUE, client_name="Иван Петров", client_phone="89990000000",
                                 actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
        error = refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        assert error.code == "no_capacity"
        assert not CabinetBooking.objects.exists() and not CabinetOccupancy.objects.exists()
        assert EquipmentBooking.objects.count() == 1

    def test_one_unit_serves_two_cabinets_at_different_hours_but_then_not_a_whole_day(self, alice, bob, staff):
        one, two = factories.with_week(factories.CabinetFactory()), factories.with_week(factories.CabinetFactory())
        item = factories.ItemFactory(quantity=1)
        book(one, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        book(two, Actor.telegram(bob), at(TUE, 11), 60, equipment=[(item, 1)])
        error = refusal(book, two, Actor.telegram(bob), at(TUE, 10, 30), 30, equipment=[(item, 1)])
        assert error.code == "no_capacity"
        error = refusal(equipment_booking_create, item=item, start_date=TUE, client_name="Иван Петров",
                        client_phone="89990000000", actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
        assert error.code == "no_capacity" and "24.11.2026" in str(error)

    def test_items_installed_elsewhere_or_reserved_are_not_offered(self, cabinet, alice, staff):
        elsewhere = factories.ItemFactory(cabinet=factories.CabinetFactory())
        here = factories.ItemFactory(cabinet=cabinet)
        reserved = factories.ItemFactory(permanently_reserved=True)
        assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10), equipment=[(elsewhere, 1)]).code == \
            "installed_in_cabinet"
        assert refusal(book, cabinet, Actor.telegram(alice), at(TUE, 10), equipment=[(reserved, 1)]).code == "reserved"
        assert book(cabinet, Actor.telegram(alice), at(TUE, 10), equipment=[(here, 1)]).pk

    def test_cancelling_or_rejecting_the_cabinet_releases_its_equipment(self, cabinet, alice, staff):
        item = factories.ItemFactory(quantity=1)
        first = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        cabinet_booking_cancel(booking=first, actor=Actor.telegram(alice), now=NOW)
        assert first.equipment_bookings.get().status == Status.CANCELLED
        second = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        cabinet_booking_reject(booking=second, actor=Actor.staff(staff), now=NOW, reason="no nurse")
        assert second.equipment_bookings.get().status == Status.REJECTED
        third = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
        cabinet_booking_approve(booking=third, actor=Actor.staff(staff), now=NOW)
        assert third.equipment_bookings.get().status == Status.APPROVED


class TestHolds:
    def test_a_hold_blocks_others_but_not_its_holder(self, cabinet, alice, bob):
        slot_hold_take(cabinet=cabinet, starts_at=at(TUE, 10), account=alice, now=NOW, duration_minutes=60)
        error = refusal(book, cabinet, Actor.telegram(bob), at(TUE, 10, 30))
        assert error.code == "held"
        assert refusal(slot_hold_take, cabinet=cabinet, starts_at=at(TUE, 10), account=bob, now=NOW).code == "held"
        assert cabinet_day(cabinet=cabinet, day=TUE, now=NOW, holder_id=alice.pk).slot_at(at(TUE, 10)).state == "free"
        assert cabinet_day(cabinet=cabinet, day=TUE, now=NOW, holder_id=bob.pk).slot_at(at(TUE, 10)).state == "held"
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60)
        assert booking.pk and not SlotHold.objects.exists()  # the hold became the booking

    def test_a_hold_expires(self, cabinet, alice, bob):
        slot_hold_take(cabinet=cabinet, starts_at=at(TUE, 10), account=alice, now=NOW)
        later = NOW + timedelta(minutes=11)
        assert book(cabinet, Actor.telegram(bob), at(TUE, 10), now=later).pk

    def test_a_user_has_one_hold_which_can_grow_to_the_chosen_duration(self, cabinet, alice, bob):
        slot_hold_take(cabinet=cabinet, starts_at=at(TUE, 10), account=alice, now=NOW)
        slot_hold_take(cabinet=cabinet, starts_at=at(TUE, 10), account=alice, now=NOW, duration_minutes=90)
        hold = SlotHold.objects.get()
        assert hold.ends_at == at(TUE, 11, 30)
        assert refusal(book, cabinet, Actor.telegram(bob), at(TUE, 11)).code == "held"
        slot_hold_release(account=alice)
        assert book(cabinet, Actor.telegram(bob), at(TUE, 11)).pk


class TestDecisions:
    def test_stale_approve_and_reject_are_refused(self, cabinet, alice, staff, manager_account):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        stale = CabinetBooking.objects.get(pk=booking.pk)
        cabinet_booking_reject(booking=booking, actor=Actor.telegram(manager_account), now=NOW, reason="busy")
        error = refusal(cabinet_booking_approve, booking=stale, actor=Actor.staff(staff), now=NOW)
        assert error.code == "already_decided" and "@boss" in str(error)

    def test_rejecting_frees_the_slots(self, cabinet, alice, bob, staff):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60)
        cabinet_booking_reject(booking=booking, actor=Actor.staff(staff), now=NOW)
        assert book(cabinet, Actor.telegram(bob), at(TUE, 10), 60).pk

    def test_owners_cancel_before_the_start_only(self, cabinet, alice, bob):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        assert refusal(cabinet_booking_cancel, booking=booking, actor=Actor.telegram(bob), now=NOW).code == \
            "forbidden"
        assert refusal(cabinet_booking_cancel, booking=booking, actor=Actor.telegram(alice), now=at(TUE, 10, 5)).code \
            == "already_started"

    def test_undecided_bookings_are_cancelled_once_their_start_passes(self, cabinet, alice, staff):
        pending = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        approved = book(cabinet, Actor.staff(staff), at(TUE, 11))
        assert cabinet_bookings_expire_undecided(now=at(TUE, 10, 1)) == 1
        assert cabinet_bookings_complete_ended(now=at(TUE, 11, 31)) == 1
        pending.refresh_from_db()
        approved.refresh_from_db()
        assert (pending.status, pending.status_reason) == (Status.CANCELLED, "not decided in time")
        assert approved.status == Status.COMPLETED
        assert not CabinetOccupancy.objects.exists()

    def test_every_change_is_in_the_history_and_the_outbox(self, cabinet, alice, staff):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        cabinet_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
        cabinet_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW, reason="client ill")
        history = [(h.from_status, h.to_status, h.actor, h.reason) for h in booking.history.all()]
        assert history == [("", "pending", "telegram:@alice", ""), ("pending", "approved", "admin:manager", ""),
                           ("approved", "cancelled", "admin:manager", "client ill")]
        topics = list(Event.objects.filter(booking_id=booking.pk).values_list("topic", flat=True))
        assert topics == ["booking.created", "booking.approved", "booking.cancelled"]


def test_moving_a_booking_checks_the_new_time_and_takes_its_equipment_along(cabinet, alice, bob, staff):
    item = factories.ItemFactory(quantity=1)
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
    book(cabinet, Actor.telegram(bob), at(TUE, 15), 30)
    moved = cabinet_booking_move(booking=booking, actor=Actor.staff(staff), now=NOW, starts_at=at(TUE, 10, 30))
    assert moved.ends_at == at(TUE, 11, 30)  # overlaps its old time: fine
    assert moved.equipment_bookings.get().starts_at == at(TUE, 10, 30)
    assert refusal(cabinet_booking_move, booking=booking, actor=Actor.staff(staff), now=NOW,
                   starts_at=at(TUE, 14, 30)).code == "slot_taken"
    assert book(cabinet, Actor.telegram(bob), at(TUE, 10), 30).pk  # the old slot was freed



def test_moving_a_booking_writes_a_moved_history_row_for_each_of_its_equipment_bookings(cabinet, alice, staff):
    scanner, lamp = factories.ItemFactory(quantity=1), factories.ItemFactory(quantity=2)
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(scanner, 1), (lamp, 2)])
    cabinet_booking_move(booking=booking, actor=Actor.staff(staff), now=NOW, starts_at=at(TUE, 16))
    for line in booking.equipment_bookings.all():
        assert (line.starts_at, line.ends_at, line.start_date) == (at(TUE, 16), at(TUE, 17), TUE)
        history = [(h.from_status, h.to_status, h.actor, h.reason) for h in line.history.order_by("pk")]
        assert history == [("", "pending", "telegram:@alice", ""), ("pending", "pending", "admin:manager", "moved")]


def test_a_move_to_a_window_where_its_equipment_is_taken_is_refused_and_changes_nothing(cabinet, alice, bob, staff):
    scanner = factories.ItemFactory(quantity=1)
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(scanner, 1)])
    other = factories.with_week(factories.CabinetFactory())
    book(other, Actor.telegram(bob), at(TUE, 16), 60, equipment=[(scanner, 1)])
    line = booking.equipment_bookings.get()
    occupied = list(CabinetOccupancy.objects.filter(booking=booking).order_by("starts_at")
                    .values_list("starts_at", flat=True))
    history_before = (booking.history.count(), line.history.count(), Event.objects.count())

    error = refusal(cabinet_booking_move, booking=booking, actor=Actor.staff(staff), now=NOW, starts_at=at(TUE, 16))

    assert error.code == "no_capacity"
    booking.refresh_from_db()
    line.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (at(TUE, 10), at(TUE, 11))
    assert (line.starts_at, line.ends_at, line.start_date) == (at(TUE, 10), at(TUE, 11), TUE)
    assert (booking.history.count(), line.history.count(), Event.objects.count()) == history_before
    assert list(CabinetOccupancy.objects.filter(booking=booking).order_by("starts_at")
                .values_list("starts_at", flat=True)) == occupied


class TestPartner:
    def create(self, partner, cabinet, ext="crm-1", minutes=60, equipment=(), key=None):
        return cabinet_booking_create_for_partner(
            partner=partner, external_booking_id=ext, cabinet=cabinet, starts_at=at(TUE, 10), duration_minutes=minutes,
            equipment=equipment, client_name="Ольга Смирнова", client_phone="89990001122", now=NOW,
            idempotency_key=key)

    def test_replays_return_the_original_and_conflicts_are_refused(self, partner, cabinet):
        item = factories.ItemFactory(quantity=2)
        first, replayed = self.create(partner, cabinet, equipment=[(item, 1)])
        assert first.status == Status.APPROVED and not replayed
        again, replayed = self.create(partner, cabinet, equipment=[(item, 1)])
        assert replayed and again.pk == first.pk
        assert refusal(self.create, partner, cabinet, minutes=90).code == "idempotency_conflict"
        cabinet_booking_cancel(booking=first, actor=Actor.for_partner(partner), now=NOW)
        assert refusal(self.create, partner, cabinet).code == "external_id_reused"


class TestScheduleChanges:
    def test_a_holiday_on_a_booked_day_is_refused_listing_the_bookings(self, cabinet, alice, staff):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        error = refusal(holiday_save, day=TUE, name="Санитарный день", actor=Actor.staff(staff), now=NOW)
        assert error.code == "schedule_conflict" and error.details["bookings"] == [booking.pk]
        assert booking.reference in str(error)

    def test_cancel_and_notify_cancels_the_affected_bookings_then_saves(self, cabinet, alice, staff):
        booking = book(cabinet, Actor.telegram(alice), at(TUE, 10))
        holiday_save(day=TUE, name="Санитарный день", actor=Actor.staff(staff), now=NOW, cancel_affected=True)
        booking.refresh_from_db()
        assert (booking.status, booking.status_reason) == (Status.CANCELLED, "the schedule changed")
        assert Event.objects.filter(topic="booking.cancelled", booking_id=booking.pk).exists()
        assert cabinet_day(cabinet=cabinet, day=TUE, now=NOW).closed_reason == "Санитарный день"

    def test_new_hours_that_still_contain_a_booking_are_accepted(self, cabinet, alice, staff):
        book(cabinet, Actor.telegram(alice), at(TUE, 15))
        weekly_schedule_save(cabinet=cabinet, weekday=TUE.weekday(), actor=Actor.staff(staff), now=NOW,
                             opens=time(10), closes=time(18), lunch_start=time(13), lunch_end=time(14))
        error = refusal(weekly_schedule_save, cabinet=cabinet, weekday=TUE.weekday(), actor=Actor.staff(staff),
                        now=NOW, opens=time(10), closes=time(15))
        assert error.code == "schedule_conflict"
        assert refusal(weekly_schedule_save, cabinet=cabinet, weekday=TUE.weekday(), actor=Actor.staff(staff),
                       now=NOW, opens=time(18), closes=time(10)).code == "invalid"

    def test_a_partial_closure_strands_only_the_bookings_it_overlaps(self, cabinet, alice, staff):
        book(cabinet, Actor.telegram(alice), at(TUE, 10))
        closure_save(cabinet=cabinet, day=TUE, start_time=time(11), end_time=time(12), reason="Уборка",
                     actor=Actor.staff(staff), now=NOW)
        error = refusal(closure_save, cabinet=cabinet, day=TUE, start_time=time(9), end_time=time(11),
                        actor=Actor.staff(staff), now=NOW)
        assert error.code == "schedule_conflict"

    def test_clients_cannot_change_schedules(self, cabinet, alice):
        assert refusal(holiday_save, day=TUE, name="x", actor=Actor.telegram(alice), now=NOW).code == "forbidden"


@override_settings(TIME_ZONE="Europe/Berlin")
def test_on_a_dst_day_slots_and_bookings_keep_their_wall_clock_times(alice):
    """Berlin falls back on 2026-10-25: the day is 25 hours long, but 10:00 is still 10:00."""
    berlin = ZoneInfo("Europe/Berlin")
    cabinet = factories.with_week(factories.CabinetFactory())
    now = datetime(2026, 10, 24, 12, 0, tzinfo=berlin)
    day = cabinet_day(cabinet=cabinet, day=date(2026, 10, 25), now=now)
    assert len(day.slots) == 22
    assert day.slots[0].start == datetime(2026, 10, 25, 9, 0, tzinfo=berlin)
    booking = book(cabinet, Actor.telegram(alice), datetime(2026, 10, 25, 10, 0, tzinfo=berlin), 90, now=now)
    assert booking.starts_at.astimezone(berlin).hour == 10
    assert booking.ends_at.astimezone(berlin).strftime("%H:%M") == "11:30"
    assert (booking.ends_at - booking.starts_at) == timedelta(minutes=90)
    assert CabinetOccupancy.objects.filter(booking=booking).count() == 6


def test_attached_equipment_is_decided_with_its_cabinet_booking_only(cabinet, alice, staff):
    from equipment.services import equipment_booking_approve, equipment_booking_reject

    item = factories.ItemFactory(quantity=1)
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(item, 1)])
    line = booking.equipment_bookings.get()
    for decide in (equipment_booking_approve, equipment_booking_reject):
        error = refusal(decide, booking=line, actor=Actor.staff(staff), now=NOW)
        assert error.code == "forbidden" and f"в бронь кабинета C-{booking.pk};" in str(error)
        assert error.details["cabinet_booking_id"] == booking.pk
    cabinet_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    assert booking.equipment_bookings.get().status == Status.APPROVED


def test_a_move_to_another_cabinet_refuses_equipment_installed_in_the_first(cabinet, alice, staff):
    other = factories.with_week(factories.CabinetFactory())
    laser = factories.ItemFactory(cabinet=cabinet)
    booking = book(cabinet, Actor.telegram(alice), at(TUE, 10), 60, equipment=[(laser, 1)])
    error = refusal(cabinet_booking_move, booking=booking, actor=Actor.staff(staff), now=NOW, cabinet=other)
    assert error.code == "installed_in_cabinet"
    booking.refresh_from_db()
    assert booking.cabinet == cabinet


@pytest.mark.parametrize(("opens", "slot_minutes"), [(time(9, 10), 30), (time(9), 20)])
def test_schedule_times_off_the_quarter_hour_grid_are_refused(cabinet, staff, opens, slot_minutes):
    error = refusal(weekly_schedule_save, cabinet=cabinet, weekday=0, actor=Actor.staff(staff), now=NOW,
                    opens=opens, closes=time(18), slot_minutes=slot_minutes)
    assert error.code == "invalid"
