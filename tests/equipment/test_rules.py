"""When an equipment booking begins (`equipment.rules`) and who may cancel it (`kernel.lifecycle`): one
definition behind the cancel deadline, the bots, the booking page, reminders and no-shows.

Europe/Moscow (the tests' clinic zone) has no daylight-saving time: a whole-day booking always begins at
06:00 UTC. The Berlin test checks a day when the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cabinets.services import cabinet_booking_create
from equipment import rules
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import can_cancel
from tests import factories
from tests.api.conftest import ApiClient
from tests.clock import at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
TUE = date(2026, 11, 24)
BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD = date(2026, 3, 29)  # Berlin: 02:00 CET becomes 03:00 CEST


@pytest.fixture
def pair():
    return factories.ItemFactory(name="Accent", quantity=2)


def book(item, who, start=TUE, now=NOW, **extra):
    return equipment_booking_create(item=item, start_date=start, end_date=extra.pop("end", None), units=1,
                                    client_name="Иван Петров", client_phone="+7 999 123-45-67", actor=who,
                                    channel=Channel.BOT, now=now, **extra)


def test_a_whole_day_booking_begins_at_nine_in_the_clinic_and_ends_at_midnight_after_its_last_day(pair, alice):
    booking = book(pair, Actor.telegram(alice), end=TUE + timedelta(days=1))
    assert rules.booking_starts_at(booking) == at(TUE, 9)
    assert rules.booking_starts_at(booking).astimezone(UTC).hour == 6  # Moscow: UTC+3 the whole year
    assert rules.booking_ends_at(booking) == at(TUE + timedelta(days=2), 0)


@override_settings(EQUIPMENT_DAY_STARTS="08:15")
def test_the_day_start_is_the_setting(pair, alice):
    assert rules.booking_starts_at(book(pair, Actor.telegram(alice))) == at(TUE, 8, 15)


def test_equipment_of_a_cabinet_booking_begins_and_ends_with_its_window(pair, alice):
    room = factories.with_week(factories.CabinetFactory(name="Кабинет 3"))
    visit = cabinet_booking_create(cabinet=room, starts_at=at(TUE, 11), duration_minutes=60,
                                   client_name="Анна Смирнова", client_phone="+79991234567",
                                   actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW, equipment=[(pair, 1)])
    line = EquipmentBooking.objects.get(cabinet_booking=visit)
    assert (rules.booking_starts_at(line), rules.booking_ends_at(line)) == (at(TUE, 11), at(TUE, 12))


def test_a_client_may_cancel_at_half_past_eight_on_the_first_day_but_not_at_half_past_nine(pair, alice):
    booking = book(pair, Actor.telegram(alice))
    client = Actor.telegram(alice)
    assert rules.can_cancel(booking=booking, actor=client, now=at(TUE, 9, 30)) is False
    with pytest.raises(BookingError) as refused:
        equipment_booking_cancel(booking=booking, actor=client, now=at(TUE, 9, 30), channel=Channel.BOT)
    assert refused.value.code == "already_started"

    assert rules.can_cancel(booking=booking, actor=client, now=at(TUE, 8, 30)) is True
    equipment_booking_cancel(booking=booking, actor=client, now=at(TUE, 8, 30), channel=Channel.BOT)
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert rules.can_cancel(booking=booking, actor=client, now=at(TUE, 8, 31)) is False  # no longer holding


@override_settings(TIME_ZONE="Europe/Berlin")
def test_on_the_day_berlin_moves_its_clocks_the_day_still_begins_at_nine_local_time(pair, alice):
    booking = book(pair, Actor.telegram(alice), start=SPRING_FORWARD, now=at(SPRING_FORWARD - timedelta(days=5), 10,
                                                                               zone=BERLIN))
    assert rules.booking_starts_at(booking) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert rules.booking_starts_at(book(pair, Actor.telegram(alice), start=SPRING_FORWARD - timedelta(days=1),
                                        now=at(SPRING_FORWARD - timedelta(days=5), 10, zone=BERLIN))
                                   ) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET, the day before
    client = Actor.telegram(alice)
    assert not rules.can_cancel(booking=booking, actor=client, now=at(SPRING_FORWARD, 9, 30, zone=BERLIN))
    equipment_booking_cancel(booking=booking, actor=client, now=at(SPRING_FORWARD, 8, 30, zone=BERLIN))
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED


@override_settings(TIME_ZONE="Europe/Berlin", EQUIPMENT_DAY_STARTS="02:30")
def test_a_day_start_the_clocks_skip_is_read_an_hour_later(pair, alice):
    booking = book(pair, Actor.telegram(alice), start=SPRING_FORWARD,
                   now=at(SPRING_FORWARD - timedelta(days=5), 10, zone=BERLIN))
    starts_at = rules.booking_starts_at(booking)
    assert starts_at.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (starts_at.hour, starts_at.minute, starts_at.utcoffset()) == (3, 30, timedelta(hours=2))


def test_managers_cancel_any_time_owners_until_the_start_and_no_one_else(pair, alice, bob, staff, manager_account):
    booking = book(pair, Actor.telegram(alice))
    started = at(TUE, 12)
    assert can_cancel(booking=booking, actor=Actor.staff(staff), starts_at=at(TUE, 9), now=started)
    assert can_cancel(booking=booking, actor=Actor.telegram(manager_account), starts_at=at(TUE, 9), now=started)
    assert not can_cancel(booking=booking, actor=Actor.telegram(alice), starts_at=at(TUE, 9), now=started)
    assert can_cancel(booking=booking, actor=Actor.telegram(alice), starts_at=at(TUE, 9), now=NOW)
    assert not can_cancel(booking=booking, actor=Actor.telegram(bob), starts_at=at(TUE, 9), now=NOW)


def test_a_partner_cancels_its_booking_through_the_api_even_after_the_start(pair, partner, time_machine):
    """The partner API's rule is unchanged: the owning partner may cancel at any time (its own clients'
    deadline is the partner's business); the start only binds the clinic's own clients."""
    from django.core.cache import cache

    from tests.factories import partner_with_key

    cache.clear()
    _crm, key = partner_with_key(name="OtherCRM")
    time_machine.move_to(NOW, tick=False)
    api = ApiClient(key)
    created = api.post("/api/v1/equipment-bookings", {
        "item_id": pair.pk, "start_date": TUE.isoformat(), "end_date": TUE.isoformat(), "units": 1,
        "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-1"})
    assert created.status_code == 201, created.content
    time_machine.move_to(at(TUE, 9, 30), tick=False)
    cancelled = api.delete("/api/v1/equipment-bookings/crm-1")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    cache.clear()
