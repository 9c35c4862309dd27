"""Moving an appointment keeps its service, specialist and length; the specialist must work the new window
and be free in it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cabinets.services import cabinet_booking_create
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from specialists.services import appointment_move
from tests.conftest import NOW
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db


def move(booking, staff, **where):
    return appointment_move(booking=booking, actor=Actor.staff(staff), now=NOW, **where)


def refused(call) -> str:
    with pytest.raises(BookingError) as refusal:
        call()
    return refusal.value.code


def test_a_moved_appointment_keeps_its_specialist_service_and_length(ultrasound, anna, rooms, book, staff):
    appointment = book(ultrasound, at(TUE, 10), specialist=anna)
    moved = move(appointment, staff, starts_at=at(TUE, 15), cabinet=rooms[1])
    assert (moved.specialist, moved.service, moved.cabinet) == (anna, ultrasound, rooms[1])
    assert moved.ends_at - moved.starts_at == timedelta(hours=1)


def test_an_appointment_moves_by_half_an_hour_over_its_own_time(ultrasound, anna, book, staff):
    appointment = book(ultrasound, at(TUE, 10), specialist=anna)
    assert move(appointment, staff, starts_at=at(TUE, 10, 30)).starts_at == at(TUE, 10, 30)


def test_a_move_onto_the_specialists_other_appointment_or_outside_their_hours_is_refused(
        ultrasound, anna, rooms, book, staff):
    first = book(ultrasound, at(TUE, 10), specialist=anna, cabinet=rooms[0])
    book(ultrasound, at(TUE, 15), specialist=anna, cabinet=rooms[1])
    assert refused(lambda: move(first, staff, starts_at=at(TUE, 14, 30))) == "specialist_busy"
    assert refused(lambda: move(first, staff, starts_at=at(TUE, 12, 30))) == "outside_hours"
    assert refused(lambda: move(first, staff, starts_at=at(TUE + timedelta(days=4), 10))) == "day_off"
    first.refresh_from_db()
    assert first.starts_at == at(TUE, 10)


def test_a_plain_cabinet_booking_is_not_moved_as_an_appointment(rooms, staff):
    plain = cabinet_booking_create(cabinet=rooms[0], starts_at=at(TUE, 10), duration_minutes=60,
                                   client_name="Иван Петров", client_phone="89990000000", actor=Actor.staff(staff),
                                   channel=Channel.ADMIN, now=NOW)
    assert refused(lambda: move(plain, staff, starts_at=at(TUE, 11))) == "invalid"
