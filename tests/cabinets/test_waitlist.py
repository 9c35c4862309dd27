"""The cabinet waitlist: a taken window offered to its waiter when it frees up, held like a slot hold."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cabinets.availability import cabinet_day
from cabinets.services import cabinet_booking_cancel, cabinet_booking_create, slot_hold_take
from cabinets.waitlist import cabinet_wait_accept, cabinet_wait_join, cabinet_waits_sweep
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_decline
from tests import factories
from tests.clock import TUE, at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")



def book(cabinet, who, start, minutes=60, now=NOW):
    return cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=minutes,
                                  client_name="Ольга Смирнова", client_phone="+79990001122", actor=who,
                                  channel=Channel.BOT, now=now)


def join(cabinet, account, start, minutes=60, now=NOW):
    return cabinet_wait_join(cabinet=cabinet, starts_at=start, duration_minutes=minutes,
                             client_name="Анна Смирнова", client_phone="+79991112233",
                             actor=Actor.telegram(account), channel=Channel.BOT, now=now)


def fresh(wait):
    wait.refresh_from_db()
    return wait


def test_a_freed_window_is_offered_held_for_the_waiter_and_booked(cabinet, alice, bob,
                                                                  django_capture_on_commit_callbacks):
    taken = book(cabinet, Actor.system(), at(TUE, 10))
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(cabinet, alice, at(TUE, 10))
    assert fresh(wait).status == Wait.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_booking_cancel(booking=taken, actor=Actor.system(), now=NOW)
    assert fresh(wait).status == Wait.Status.OFFERED
    # Held for Alice: taken for Bob, free for her.
    assert cabinet_day(cabinet=cabinet, day=TUE, now=NOW, holder_id=bob.pk).slot_at(at(TUE, 10)).state == "held"
    assert cabinet_day(cabinet=cabinet, day=TUE, now=NOW, holder_id=alice.pk).slot_at(at(TUE, 10)).state == "free"
    with pytest.raises(BookingError) as refused:
        book(cabinet, Actor.telegram(bob), at(TUE, 10, 30), minutes=30)
    assert refused.value.code == "held"
    booking = cabinet_wait_accept(wait=fresh(wait), actor=Actor.telegram(alice), now=NOW + timedelta(minutes=10))
    assert (booking.starts_at, booking.ends_at, booking.status, booking.requester) == (
        at(TUE, 10), at(TUE, 11), Status.PENDING, alice)


def test_only_a_waiter_whose_window_is_free_is_offered_and_a_decline_passes_it_on(
        cabinet, alice, bob, django_capture_on_commit_callbacks):
    first_booking = book(cabinet, Actor.system(), at(TUE, 10))
    book(cabinet, Actor.system(), at(TUE, 11))
    with django_capture_on_commit_callbacks(execute=True):
        long_wait = join(cabinet, alice, at(TUE, 10), minutes=120)  # needs 10:00–12:00: 11:00 stays taken
        short_wait = join(cabinet, bob, at(TUE, 10), minutes=60)
        cabinet_booking_cancel(booking=first_booking, actor=Actor.system(), now=NOW)
    assert (fresh(long_wait).status, fresh(short_wait).status) == (Wait.Status.WAITING, Wait.Status.OFFERED)
    carol = factories.TelegramAccountFactory(username="carol")
    with django_capture_on_commit_callbacks(execute=True):
        third = join(cabinet, carol, at(TUE, 10), minutes=30)
        wait_decline(wait=short_wait, actor=Actor.telegram(bob), now=NOW)
    assert fresh(third).status == Wait.Status.OFFERED


def test_a_lapsed_slot_hold_is_offered_by_the_sweep(cabinet, alice, bob, django_capture_on_commit_callbacks):
    slot_hold_take(cabinet=cabinet, starts_at=at(TUE, 10), account=bob, now=NOW, duration_minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(cabinet, alice, at(TUE, 10))
    assert fresh(wait).status == Wait.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_waits_sweep(now=NOW + timedelta(minutes=11))
    assert fresh(wait).status == Wait.Status.OFFERED


def test_a_wait_too_close_to_its_start_is_dropped(cabinet, alice):
    book(cabinet, Actor.system(), at(TUE, 12))
    wait = join(cabinet, alice, at(TUE, 12))
    counts = cabinet_waits_sweep(now=at(TUE, 11, 30))
    assert counts["dropped"] == 1 and fresh(wait).status == Wait.Status.DROPPED


def test_joining_checks_every_rule_but_the_taken_window(cabinet, alice):
    with pytest.raises(BookingError) as refused:
        join(cabinet, alice, at(TUE, 13))  # lunch
    assert refused.value.code == "closed" and refused.value.details["reason"] == "lunch"
    with pytest.raises(BookingError) as refused:
        join(cabinet, alice, at(TUE, 10), minutes=45)
    assert refused.value.code == "not_a_slot"


BERLIN = ZoneInfo("Europe/Berlin")


@override_settings(TIME_ZONE="Europe/Berlin")
def test_an_offer_lasts_thirty_real_minutes_across_the_dst_change(alice, django_capture_on_commit_callbacks):
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет DST"))
    day = date(2026, 10, 25)  # clocks go back from 03:00 CEST to 02:00 CET
    now = datetime(2026, 10, 25, 2, 50, tzinfo=BERLIN)  # 00:50 UTC, before the change
    taken = book(cabinet, Actor.system(), at(day, 10, zone=BERLIN), now=now)
    with django_capture_on_commit_callbacks(execute=True):
        wait = join(cabinet, alice, at(day, 10, zone=BERLIN), now=now)
        cabinet_booking_cancel(booking=taken, actor=Actor.system(), now=now)
    wait = fresh(wait)
    assert wait.status == Wait.Status.OFFERED
    assert wait.offer_expires_at - wait.offered_at == timedelta(minutes=30)
    # After the change the wall clock reads 02:19 at 29 real minutes (still open) and 02:21 at 31 (gone).
    assert cabinet_waits_sweep(now=datetime(2026, 10, 25, 2, 19, tzinfo=BERLIN, fold=1))["expired"] == 0
    assert cabinet_waits_sweep(now=datetime(2026, 10, 25, 2, 21, tzinfo=BERLIN, fold=1))["expired"] == 1
    assert wait.starts_at == datetime(2026, 10, 25, 9, 0, tzinfo=ZoneInfo("UTC"))
