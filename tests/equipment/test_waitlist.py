"""The equipment waitlist: who is offered freed units, for how long, and what happens to the offer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_reject
from equipment.waitlist import (
    equipment_wait_accept,
    equipment_wait_join,
    equipment_waits_sweep,
)
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_cancel, wait_decline, wait_position
from tests.conftest import NOW
from tests.factories import ItemFactory, TelegramAccountFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


@pytest.fixture
def item(db):
    return ItemFactory(name="Холтер", quantity=2)


def book(item, *, units=1, account=None, start=DAY, end=None, now=NOW):
    actor = Actor.telegram(account) if account else Actor.system()
    return equipment_booking_create(item=item, start_date=start, end_date=end or start, units=units,
                                    client_name="Пётр Иванов", client_phone="+79990000000", actor=actor,
                                    channel=Channel.BOT, now=now)


def join(item, account, *, units=1, start=DAY, end=None, now=NOW):
    return equipment_wait_join(item=item, start_date=start, end_date=end or start, units=units,
                               client_name="Анна Смирнова", client_phone="+79991112233",
                               actor=Actor.telegram(account), channel=Channel.BOT, now=now)


def cancel(booking, now=NOW):
    return equipment_booking_cancel(booking=booking, actor=Actor.system(), now=now, channel=Channel.ADMIN)


@pytest.fixture
def full(item):
    return [book(item), book(item)]


def fresh(wait):
    wait.refresh_from_db()
    return wait


def test_it_offers_freed_units_to_the_first_waiter_and_holds_them_for_thirty_minutes(
        item, full, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = join(item, alice), join(item, bob)
    assert (fresh(first).status, fresh(second).status) == ("waiting", "waiting")
    assert (wait_position(first), wait_position(second)) == (1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        cancel(full[0])
    first, second = fresh(first), fresh(second)
    assert first.status == Wait.Status.OFFERED
    assert first.offer_expires_at == NOW + timedelta(minutes=30)
    assert second.status == Wait.Status.WAITING
    event = Event.objects.get(topic=Event.Topic.WAITLIST_OFFERED)
    assert event.payload["wait_id"] == first.pk and event.payload["partner_id"] is None


def test_an_offer_counts_against_availability_for_everyone_else(item, full, alice, bob,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(item, alice)
        cancel(full[0])
    assert fresh(wait).status == Wait.Status.OFFERED
    assert equipment_grid(items=[item], start_date=DAY, end_date=DAY, now=NOW).free(item.pk, DAY) == 0
    with pytest.raises(BookingError) as refused:
        book(item, account=bob)
    assert refused.value.code == "no_capacity"
    # Once the offer has expired the units are free again for everyone.
    later = NOW + timedelta(minutes=31)
    assert equipment_grid(items=[item], start_date=DAY, end_date=DAY, now=later).free(item.pk, DAY) == 1


def test_book_turns_the_offer_into_a_pending_booking_through_the_normal_service(
        item, full, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(item, alice, units=1)
        cancel(full[0])
    booking = equipment_wait_accept(wait=fresh(wait), actor=Actor.telegram(alice), now=NOW + timedelta(minutes=5))
    assert (booking.status, booking.requester, booking.units, booking.start_date) == (
        Status.PENDING, alice, 1, DAY)
    wait = fresh(wait)
    assert (wait.status, wait.booking_id) == (Wait.Status.BOOKED, booking.pk)
    assert equipment_grid(items=[item], start_date=DAY, end_date=DAY, now=NOW).free(item.pk, DAY) == 0
    # Pressing Book again changes nothing and shows the same booking.
    assert equipment_wait_accept(wait=wait, actor=Actor.telegram(alice), now=NOW).pk == booking.pk
    assert EquipmentBooking.objects.count() == 3


def test_an_expired_offer_cannot_be_booked_and_passes_to_the_next_waiter(
        item, full, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = join(item, alice), join(item, bob)
        cancel(full[0])
    later = NOW + timedelta(minutes=30)
    with pytest.raises(BookingError) as refused:
        equipment_wait_accept(wait=fresh(first), actor=Actor.telegram(alice), now=later)
    assert refused.value.code == "offer_expired"
    with django_capture_on_commit_callbacks(execute=True):
        counts = equipment_waits_sweep(now=later)
    assert counts["expired"] == 1
    assert fresh(first).status == Wait.Status.EXPIRED
    second = fresh(second)
    assert second.status == Wait.Status.OFFERED
    assert second.offer_expires_at == later + timedelta(minutes=30)


def test_declining_passes_the_offer_on(item, full, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = join(item, alice), join(item, bob)
        cancel(full[0])
    with django_capture_on_commit_callbacks(execute=True):
        wait_decline(wait=first, actor=Actor.telegram(alice), now=NOW + timedelta(minutes=1))
    assert (fresh(first).status, fresh(second).status) == (Wait.Status.DECLINED, Wait.Status.OFFERED)


def test_a_smaller_waiter_goes_ahead_only_when_the_first_does_not_fit(item, full, alice, bob,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        big, small = join(item, alice, units=2), join(item, bob, units=1)
        cancel(full[0])
    # One unit free: the first waiter needs two, so the second (one unit) is offered.
    assert (fresh(big).status, fresh(small).status) == (Wait.Status.WAITING, Wait.Status.OFFERED)
    with django_capture_on_commit_callbacks(execute=True):
        wait_cancel(wait=small, actor=Actor.telegram(bob), now=NOW)
        cancel(full[1])
    # Two free now: the first waiter fits and is offered both.
    assert fresh(big).status == Wait.Status.OFFERED


def test_the_first_waiter_who_fits_is_not_skipped_for_a_smaller_one(item, full, alice, bob,
                                                                    django_capture_on_commit_callbacks):
    carol = TelegramAccountFactory(username="carol")
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = join(item, alice, units=1), join(item, bob, units=1), join(item, carol, units=1)
        cancel(full[0])
    assert [fresh(w).status for w in (first, second, third)] == ["offered", "waiting", "waiting"]


def test_a_rejection_and_a_quantity_increase_free_units_too(item, alice, bob, staff,
                                                            django_capture_on_commit_callbacks):
    from equipment.services import item_catalogue_change

    pending = [book(item, account=TelegramAccountFactory()), book(item)]
    with django_capture_on_commit_callbacks(execute=True):
        first, second = join(item, alice), join(item, bob)
        equipment_booking_reject(booking=pending[0], actor=Actor.staff(staff), now=NOW)
    assert fresh(first).status == Wait.Status.OFFERED
    with django_capture_on_commit_callbacks(execute=True):
        item_catalogue_change(item=item, actor=Actor.staff(staff), now=NOW, quantity=3, is_active=True)
        item.quantity = 3
        item.save()
    assert fresh(second).status == Wait.Status.OFFERED


def test_a_wait_whose_first_day_has_passed_is_dropped(item, full, alice, django_capture_on_commit_callbacks):
    wait = join(item, alice)
    counts = equipment_waits_sweep(now=datetime(2026, 12, 2, 0, 5, tzinfo=ZoneInfo("Europe/Moscow")))
    assert counts["dropped"] == 1
    assert fresh(wait).status == Wait.Status.DROPPED


def test_the_same_person_cannot_wait_twice_for_the_same_request(item, full, alice):
    join(item, alice)
    with pytest.raises(BookingError) as refused:
        join(item, alice)
    assert refused.value.code == "already_waiting"


def test_a_request_that_can_never_fit_is_refused(item, alice):
    with pytest.raises(BookingError) as refused:
        join(item, alice, units=3)
    assert refused.value.code == "no_capacity"


def test_only_the_waiter_can_book_or_decline_their_offer(item, full, alice, bob,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(item, alice)
        cancel(full[0])
    for action in (equipment_wait_accept, wait_decline):
        with pytest.raises(BookingError) as refused:
            action(wait=fresh(wait), actor=Actor.telegram(bob), now=NOW)
        assert refused.value.code == "not_found"


def test_a_moved_booking_frees_its_old_days_for_waiters(item, full, alice, staff,
                                                        django_capture_on_commit_callbacks):
    from equipment.services import equipment_booking_move

    with django_capture_on_commit_callbacks(execute=True):
        wait = join(item, alice)
        equipment_booking_move(booking=full[0], actor=Actor.staff(staff), now=NOW, start_date=DAY + timedelta(days=3))
    assert fresh(wait).status == Wait.Status.OFFERED


def test_the_periodic_task_expires_offers_and_passes_them_on(item, full, alice, bob, time_machine,
                                                            django_capture_on_commit_callbacks):
    from integrations.tasks import waitlist_sweep_task

    with django_capture_on_commit_callbacks(execute=True):
        first, second = join(item, alice), join(item, bob)
        cancel(full[0])
    time_machine.move_to(NOW + timedelta(minutes=45), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        counts = waitlist_sweep_task()
    assert counts["equipment"]["expired"] == 1
    assert (fresh(first).status, fresh(second).status) == (Wait.Status.EXPIRED, Wait.Status.OFFERED)


def test_a_wait_is_offered_only_when_the_items_turnaround_after_it_is_free_too(
        alice, django_capture_on_commit_callbacks):
    sterilised = ItemFactory(name="Эндоскоп", quantity=1, turnaround_days=1)
    first = book(sterilised, start=DAY)  # 1 December, resting on 2 December
    book(sterilised, start=DAY + timedelta(days=2))  # 3 December
    with django_capture_on_commit_callbacks(execute=True):
        blocked = join(sterilised, alice, start=DAY + timedelta(days=1))  # 2 Dec would need 3 Dec to rest
        fits = join(sterilised, TelegramAccountFactory(), start=DAY - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        cancel(first)
    assert fresh(blocked).status == Wait.Status.WAITING
    # 30 Nov with its rest day on 1 Dec fits once the 1 Dec booking is gone.
    assert fresh(fits).status == Wait.Status.OFFERED
