"""kernel.lifecycle on its own: which status changes the transition table allows, that a change writes its
history row and its outbox event in the booking's own transaction, and who may cancel (managers at any time,
clients their own bookings until the start, partners their own)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.bookings import TRANSITIONS, Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_transition, can_cancel, check_can_cancel
from kernel.outbox.models import Event
from tests import factories
from tests.clock import NOW, at

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 27)
STARTS = at(FRIDAY, 9)


@pytest.fixture
def request_of_alice(alice):
    """Alice's pending request for a Holter on Friday."""
    return equipment_booking_create(item=factories.ItemFactory(name="Холтер"), start_date=FRIDAY,
                                    client_name="Алиса Смирнова", client_phone="+7 999 000-00-01",
                                    actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)


def move(booking, to_status, actor, *, now=NOW, reason=""):
    with transaction.atomic():
        booking = EquipmentBooking.objects.select_for_update().get(pk=booking.pk)
        booking_transition(booking=booking, to_status=to_status, resource_type="equipment", actor=actor,
                           channel=Channel.ADMIN, now=now, reason=reason)
    return booking


def events_of(booking) -> list[str]:
    return list(Event.objects.filter(booking_id=booking.pk, resource_type="equipment").order_by("pk")
                .values_list("topic", flat=True))


def test_a_request_starts_pending_with_one_history_row_and_a_created_event(request_of_alice):
    assert request_of_alice.status == Status.PENDING
    assert list(request_of_alice.history.values_list("from_status", "to_status")) == [("", Status.PENDING)]
    assert events_of(request_of_alice) == [Event.Topic.CREATED]


def test_an_approval_records_who_decided_a_history_row_and_an_approved_event(request_of_alice, staff):
    later = NOW + timedelta(minutes=7)

    approved = move(request_of_alice, Status.APPROVED, Actor.staff(staff), now=later)

    approved.refresh_from_db()
    assert (approved.status, approved.decided_by, approved.decided_at) == (Status.APPROVED, "admin:manager", later)
    assert list(approved.history.order_by("pk").values_list("from_status", "to_status", "actor")) == [
        ("", Status.PENDING, "telegram:@alice"), (Status.PENDING, Status.APPROVED, "admin:manager")]
    assert events_of(approved) == [Event.Topic.CREATED, Event.Topic.APPROVED]
    assert Event.objects.get(booking_id=approved.pk, topic=Event.Topic.APPROVED).payload["from"] == Status.PENDING


def test_a_rolled_back_change_leaves_neither_history_nor_event_behind(request_of_alice, staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        booking = EquipmentBooking.objects.select_for_update().get(pk=request_of_alice.pk)
        booking_transition(booking=booking, to_status=Status.CANCELLED, resource_type="equipment",
                           actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW, reason="by mistake")
        raise RuntimeError("the surrounding service failed after the transition")

    request_of_alice.refresh_from_db()
    assert request_of_alice.status == Status.PENDING
    assert request_of_alice.history.count() == 1
    assert events_of(request_of_alice) == [Event.Topic.CREATED]


@pytest.mark.parametrize(("path", "refused", "code"), [
    ([Status.APPROVED], Status.PENDING, "bad_transition"),
    ([Status.REJECTED], Status.APPROVED, "already_decided"),
    ([Status.APPROVED], Status.REJECTED, "already_decided"),
    ([Status.CANCELLED], Status.APPROVED, "already_decided"),
    ([Status.CANCELLED], Status.CANCELLED, "bad_transition"),
    ([Status.APPROVED, Status.COMPLETED], Status.CANCELLED, "bad_transition"),
    ([Status.APPROVED, Status.NO_SHOW], Status.COMPLETED, "bad_transition"),
])
def test_a_change_the_table_does_not_allow_is_refused_and_writes_nothing(request_of_alice, staff, path, refused,
                                                                        code):
    manager = Actor.staff(staff)
    for status in path:
        move(request_of_alice, status, manager)
    history_before, events_before = request_of_alice.history.count(), events_of(request_of_alice)

    with pytest.raises(BookingError) as caught:
        move(request_of_alice, refused, manager)

    assert caught.value.code == code
    request_of_alice.refresh_from_db()
    assert request_of_alice.status == path[-1]
    assert (request_of_alice.history.count(), events_of(request_of_alice)) == (history_before, events_before)


def test_a_completed_booking_may_still_be_marked_a_no_show_and_nothing_leaves_a_final_status():
    assert TRANSITIONS[Status.COMPLETED] == {Status.NO_SHOW}
    assert all(not TRANSITIONS[final] for final in (Status.REJECTED, Status.CANCELLED, Status.NO_SHOW))


class TestWhoMayCancel:
    def test_a_client_cancels_their_own_booking_until_it_starts_and_not_from_the_start(self, request_of_alice,
                                                                                       alice):
        client = Actor.telegram(alice)
        assert can_cancel(booking=request_of_alice, actor=client, starts_at=STARTS, now=STARTS - timedelta(seconds=1))
        assert not can_cancel(booking=request_of_alice, actor=client, starts_at=STARTS, now=STARTS)
        with pytest.raises(BookingError) as caught:
            check_can_cancel(booking=request_of_alice, actor=client, starts_at=STARTS, now=STARTS)
        assert caught.value.code == "already_started"

    def test_a_client_cannot_cancel_someone_elses_booking(self, request_of_alice, bob):
        with pytest.raises(BookingError) as caught:
            check_can_cancel(booking=request_of_alice, actor=Actor.telegram(bob), starts_at=STARTS, now=NOW)
        assert caught.value.code == "forbidden"
        assert not can_cancel(booking=request_of_alice, actor=Actor.telegram(bob), starts_at=STARTS, now=NOW)

    @pytest.mark.parametrize("when", [NOW, STARTS, STARTS + timedelta(hours=30)])
    def test_managers_in_the_admin_and_in_telegram_cancel_at_any_time(self, request_of_alice, staff,
                                                                      manager_account, when):
        for manager in (Actor.staff(staff), Actor.telegram(manager_account)):
            check_can_cancel(booking=request_of_alice, actor=manager, starts_at=STARTS, now=when)
            assert can_cancel(booking=request_of_alice, actor=manager, starts_at=STARTS, now=when)

    def test_a_partner_cancels_only_its_own_bookings(self, request_of_alice, partner):
        with pytest.raises(BookingError) as caught:
            check_can_cancel(booking=request_of_alice, actor=Actor.for_partner(partner), starts_at=STARTS, now=NOW)
        assert caught.value.code == "not_found"
        request_of_alice.partner = partner
        check_can_cancel(booking=request_of_alice, actor=Actor.for_partner(partner), starts_at=STARTS,
                         now=STARTS + timedelta(hours=1))

    def test_nobody_is_offered_to_cancel_a_booking_that_no_longer_holds_its_place(self, request_of_alice, staff):
        move(request_of_alice, Status.REJECTED, Actor.staff(staff))
        request_of_alice.refresh_from_db()
        assert not can_cancel(booking=request_of_alice, actor=Actor.staff(staff), starts_at=STARTS, now=NOW)
