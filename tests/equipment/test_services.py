"""Equipment bookings: every rule of DESIGN.md §5 for whole days and its refusal, with time frozen."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from equipment.availability import equipment_grid
from equipment.services import (
    equipment_booking_approve,
    equipment_booking_cancel,
    equipment_booking_create,
    equipment_booking_create_for_partner,
    equipment_booking_move,
    equipment_booking_reject,
    equipment_bookings_complete_ended,
    equipment_bookings_expire_undecided,
)
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
TUE, WED, THU, FRI = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)


def book(item, who, start=TUE, end=None, units=1, now=NOW, **extra):
    return equipment_booking_create(item=item, start_date=start, end_date=end, units=units, client_name="Иван Петров",
                                    client_phone="+7 999 123-45-67", actor=who, channel=Channel.BOT, now=now, **extra)


def refusal(call, *args, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def pair():
    return factories.ItemFactory(name="Accent", quantity=2)


def test_a_client_request_is_pending_and_recorded_with_history_and_an_event(pair, alice):
    booking = book(pair, Actor.telegram(alice))
    assert booking.status == Status.PENDING
    assert booking.requester == alice and booking.channel == Channel.BOT
    assert booking.client_phone == "+79991234567"
    assert [(h.from_status, h.to_status) for h in booking.history.all()] == [("", "pending")]
    assert Event.objects.get().topic == Event.Topic.CREATED


def test_a_manager_booking_is_approved_at_once(pair, staff):
    booking = book(pair, Actor.staff(staff))
    assert booking.status == Status.APPROVED and booking.decided_by == "admin:manager"


def test_a_quantity_two_item_refuses_a_third_overlapping_booking_and_frees_a_unit_on_cancel(pair, alice, bob, staff):
    first = book(pair, Actor.telegram(alice), TUE, WED)
    book(pair, Actor.telegram(bob), WED, THU)
    error = refusal(book, pair, Actor.staff(staff), WED)
    assert error.code == "no_capacity"
    assert "25.11.2026" in str(error)
    assert book(pair, Actor.staff(staff), TUE).status == Status.APPROVED  # Tuesday still has a unit
    equipment_booking_cancel(booking=first, actor=Actor.telegram(alice), now=NOW, reason="plans changed")
    assert book(pair, Actor.staff(staff), WED).pk


def test_a_range_is_refused_naming_exactly_the_full_days(alice, bob):
    item = factories.ItemFactory(quantity=1)
    book(item, Actor.telegram(alice), WED)
    book(item, Actor.telegram(alice), FRI)
    error = refusal(book, item, Actor.telegram(bob), TUE, FRI)
    assert error.code == "no_capacity"
    assert error.details["full_days"] == ["2026-11-25", "2026-11-27"]
    assert "25.11.2026" in str(error) and "27.11.2026" in str(error) and "26.11.2026" not in str(error)


def test_more_units_than_the_item_has_are_refused_saying_how_many_exist(pair, alice):
    error = refusal(book, pair, Actor.telegram(alice), units=3)
    assert error.code == "no_capacity" and "2" in str(error)


def test_units_must_be_a_positive_whole_number(pair, alice):
    assert refusal(book, pair, Actor.telegram(alice), units=0).code == "invalid"
    assert refusal(book, pair, Actor.telegram(alice), units=True).code == "invalid"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (date(2026, 11, 22), None, "date_in_past"),
        (WED, TUE, "bad_range"),
        (NOW.date() + timedelta(days=366), None, "too_far_ahead"),
        (TUE, TUE + timedelta(days=31), "range_too_long"),
    ],
)
def test_dates_are_checked_in_clinic_time(pair, alice, start, end, code):
    assert refusal(book, pair, Actor.telegram(alice), start, end).code == code


def test_today_is_bookable_and_a_31_day_range_is_the_longest(pair, alice):
    assert book(pair, Actor.telegram(alice), NOW.date()).pk
    assert book(pair, Actor.telegram(alice), TUE, TUE + timedelta(days=30)).pk


def test_today_is_the_clinics_today_not_utcs(pair, alice):
    # 00:30 in Moscow on the 24th is still the 23rd in UTC: the 24th must count as today.
    just_after_midnight = datetime(2026, 11, 24, 0, 30, tzinfo=MSK)
    assert book(pair, Actor.telegram(alice), TUE, now=just_after_midnight).pk
    assert refusal(book, pair, Actor.telegram(alice), NOW.date(), now=just_after_midnight).code == "date_in_past"


def test_inactive_items_cannot_be_booked(alice, staff):
    item = factories.ItemFactory(is_active=False)
    assert refusal(book, item, Actor.telegram(alice)).code == "inactive"
    assert refusal(book, item, Actor.staff(staff)).code == "inactive"


def test_reserved_items_are_for_managers_only(alice, staff, partner):
    item = factories.ItemFactory(permanently_reserved=True)
    assert refusal(book, item, Actor.telegram(alice)).code == "reserved"
    error = refusal(equipment_booking_create_for_partner, partner=partner, external_booking_id="crm-1", item=item,
                    start_date=TUE, client_name="Иван", client_phone="89991234567", now=NOW)
    assert error.code == "reserved"
    assert book(item, Actor.staff(staff)).status == Status.APPROVED


def test_items_installed_in_a_cabinet_are_whole_day_bookable_by_managers_only(alice, staff):
    item = factories.ItemFactory(cabinet=factories.CabinetFactory())
    assert refusal(book, item, Actor.telegram(alice)).code == "installed_in_cabinet"
    assert book(item, Actor.staff(staff)).pk


def test_a_blocked_user_cannot_book(pair, blocked):
    error = refusal(book, pair, Actor.telegram(blocked))
    assert error.code == "blocked" and error.http_status == 403


@override_settings(MAX_ACTIVE_BOOKINGS_PER_USER=2)
def test_the_per_user_limit_counts_holding_not_yet_ended_bookings(alice, manager_account):
    item = factories.ItemFactory(quantity=5)
    first = book(item, Actor.telegram(alice), TUE)
    book(item, Actor.telegram(alice), WED)
    error = refusal(book, item, Actor.telegram(alice), THU)
    assert error.code == "limit_reached" and "2" in str(error)
    equipment_booking_cancel(booking=first, actor=Actor.telegram(alice), now=NOW)
    assert book(item, Actor.telegram(alice), THU).pk
    for day in (TUE, WED, THU):  # managers are not limited
        book(item, Actor.telegram(manager_account), day)


def test_name_and_phone_are_normalised_or_refused(pair, alice):
    booking = equipment_booking_create(item=pair, start_date=TUE, client_name="  Анна   Ким ",
                                       client_phone="8 (916) 000-11-22", actor=Actor.telegram(alice),
                                       channel=Channel.BOT, now=NOW)
    assert (booking.client_name, booking.client_phone) == ("Анна Ким", "+79160001122")
    for phone in ("123", "not a phone", ""):
        error = refusal(equipment_booking_create, item=pair, start_date=TUE, client_name="Анна",
                        client_phone=phone, actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
        assert error.code == "invalid" and error.details["field"] == "client_phone"
    error = refusal(equipment_booking_create, item=pair, start_date=TUE, client_name=" ", client_phone="89160001122",
                    actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    assert error.details["field"] == "client_name"


def test_managers_approve_and_reject_pending_requests_once(pair, alice, staff, manager_account):
    first, second = book(pair, Actor.telegram(alice)), book(pair, Actor.telegram(alice))
    equipment_booking_approve(booking=first, actor=Actor.staff(staff), now=NOW)
    equipment_booking_reject(booking=second, actor=Actor.telegram(manager_account), now=NOW, reason="no staff")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == (Status.APPROVED, "admin:manager")
    assert (second.status, second.status_reason) == (Status.REJECTED, "no staff")


def test_a_stale_decision_is_refused_naming_who_decided(pair, alice, staff, manager_account):
    booking = book(pair, Actor.telegram(alice))
    stale_copy = type(booking).objects.get(pk=booking.pk)
    equipment_booking_approve(booking=booking, actor=Actor.telegram(manager_account), now=NOW)
    error = refusal(equipment_booking_reject, booking=stale_copy, actor=Actor.staff(staff), now=NOW)
    assert error.code == "already_decided" and "@boss" in str(error)
    error = refusal(equipment_booking_approve, booking=stale_copy, actor=Actor.staff(staff), now=NOW)
    assert error.code == "already_decided"


def test_a_rejected_booking_cannot_be_approved_so_capacity_never_comes_back_silently(alice, bob, staff):
    item = factories.ItemFactory(quantity=1)
    first = book(item, Actor.telegram(alice))
    equipment_booking_reject(booking=first, actor=Actor.staff(staff), now=NOW)
    book(item, Actor.telegram(bob))
    assert refusal(equipment_booking_approve, booking=first, actor=Actor.staff(staff), now=NOW).code == \
        "already_decided"


def test_clients_cannot_decide(pair, alice, bob):
    booking = book(pair, Actor.telegram(alice))
    assert refusal(equipment_booking_approve, booking=booking, actor=Actor.telegram(bob), now=NOW).code == "forbidden"


def test_only_the_owner_or_a_manager_cancels_and_not_after_the_start(pair, alice, bob, staff):
    booking = book(pair, Actor.telegram(alice), TUE)
    assert refusal(equipment_booking_cancel, booking=booking, actor=Actor.telegram(bob), now=NOW).code == "forbidden"
    started = datetime(2026, 11, 24, 9, 1, tzinfo=MSK)  # the day begins at EQUIPMENT_DAY_STARTS
    assert refusal(equipment_booking_cancel, booking=booking, actor=Actor.telegram(alice), now=started).code == \
        "already_started"
    equipment_booking_cancel(booking=booking, actor=Actor.staff(staff), now=started, reason="client called")
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert refusal(equipment_booking_cancel, booking=booking, actor=Actor.staff(staff), now=NOW).code == \
        "bad_transition"


def test_moving_a_booking_runs_the_same_checks_and_excludes_itself(alice, bob, staff):
    item, other = factories.ItemFactory(quantity=1), factories.ItemFactory(quantity=1)
    booking = book(item, Actor.telegram(alice), TUE, WED)
    book(item, Actor.telegram(bob), FRI)
    moved = equipment_booking_move(booking=booking, actor=Actor.staff(staff), now=NOW, start_date=WED, end_date=THU)
    assert (moved.start_date, moved.end_date) == (WED, THU)  # overlaps its own old range: fine
    assert refusal(equipment_booking_move, booking=booking, actor=Actor.staff(staff), now=NOW,
                   start_date=THU, end_date=FRI).code == "no_capacity"
    moved = equipment_booking_move(booking=booking, actor=Actor.staff(staff), now=NOW, item=other)
    assert moved.item == other
    assert equipment_grid(items=[item], start_date=TUE, end_date=FRI).peak(item.pk, WED) == 0
    assert [e.topic for e in Event.objects.order_by("id")][-1] == Event.Topic.MOVED


def test_ended_approved_bookings_complete_and_undecided_ones_expire_after_their_start(pair, alice, staff):
    done = book(pair, Actor.staff(staff), TUE)
    undecided = book(pair, Actor.telegram(alice), WED)
    later = datetime(2026, 11, 25, 0, 5, tzinfo=MSK)
    assert equipment_bookings_complete_ended(now=later) == 1
    assert equipment_bookings_expire_undecided(now=later) == 1
    assert equipment_bookings_expire_undecided(now=later) == 0  # nothing twice
    done.refresh_from_db()
    undecided.refresh_from_db()
    assert done.status == Status.COMPLETED
    assert (undecided.status, undecided.status_reason) == (Status.CANCELLED, "not decided in time")
    assert Event.objects.filter(topic=Event.Topic.EXPIRED, booking_id=undecided.pk).exists()


class TestPartnerIdempotency:
    def create(self, partner, item, ext="crm-12345", key=None, now=NOW, **overrides):
        fields = dict(partner=partner, external_booking_id=ext, item=item, start_date=TUE, end_date=WED, units=1,
                      client_name="Иван Петров", client_phone="+79991234567", now=now, idempotency_key=key)
        fields.update(overrides)
        return equipment_booking_create_for_partner(**fields)

    def test_a_partner_booking_is_approved_at_once(self, partner, pair):
        booking, replayed = self.create(partner, pair)
        assert (booking.status, booking.channel, booking.partner, replayed) == (Status.APPROVED, "api", partner, False)

    def test_the_same_request_again_returns_the_original_booking(self, partner, pair):
        first, _ = self.create(partner, pair)
        again, replayed = self.create(partner, pair)
        assert (again.pk, replayed) == (first.pk, True)
        assert type(first).objects.count() == 1

    def test_a_replay_still_answers_when_the_item_has_since_filled_up(self, partner, pair, staff):
        first, _ = self.create(partner, pair)
        book(pair, Actor.staff(staff), TUE)
        again, replayed = self.create(partner, pair)
        assert replayed and again.pk == first.pk

    def test_the_same_id_with_different_data_is_refused(self, partner, pair):
        self.create(partner, pair)
        error = refusal(self.create, partner, pair, units=2)
        assert error.code == "idempotency_conflict" and error.http_status == 409

    def test_an_id_of_a_cancelled_booking_cannot_be_reused(self, partner, pair):
        first, _ = self.create(partner, pair)
        equipment_booking_cancel(booking=first, actor=Actor.for_partner(partner), now=NOW)
        assert refusal(self.create, partner, pair).code == "external_id_reused"

    def test_an_idempotency_key_replays_within_24_hours_and_is_forgotten_after(self, partner, pair):
        first, _ = self.create(partner, pair, ext="a", key="key-1")
        again, replayed = self.create(partner, pair, ext="a", key="key-1")
        assert replayed and again.pk == first.pk
        assert refusal(self.create, partner, pair, ext="b", key="key-1").code == "idempotency_conflict"
        next_day = NOW + timedelta(hours=25)
        fresh, replayed = self.create(partner, pair, ext="b", key="key-1", now=next_day)
        assert not replayed and fresh.pk != first.pk

    def test_partners_do_not_see_each_others_ids(self, partner, pair):
        other, _ = factories.partner_with_key(name="Other")
        first, _ = self.create(partner, pair)
        second, replayed = self.create(other, pair)
        assert not replayed and second.pk != first.pk
        assert refusal(equipment_booking_cancel, booking=first, actor=Actor.for_partner(other), now=NOW).code == \
            "not_found"

    def test_a_partner_booking_counts_against_the_same_capacity_as_the_bots(self, partner, alice):
        item = factories.ItemFactory(quantity=1)
        book(item, Actor.telegram(alice), WED)
        assert refusal(self.create, partner, item).code == "no_capacity"


def test_refusals_are_counted_by_code_for_the_operators(pair, alice):
    from prometheus_client import REGISTRY

    labels = {"resource_type": "equipment", "code": "date_in_past"}
    before = REGISTRY.get_sample_value("booking_refused_total", labels) or 0
    refusal(book, pair, Actor.telegram(alice), date(2026, 11, 1))
    assert REGISTRY.get_sample_value("booking_refused_total", labels) == before + 1
