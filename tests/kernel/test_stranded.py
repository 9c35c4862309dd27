"""kernel.stranded: a manager's change that would strand holding bookings is refused naming them, and writes
nothing; when the manager chose to cancel them, each is cancelled through the resource's own cancel, once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from kernel.errors import BookingError
from kernel.stranded import refuse_stranded, resolve_stranded


@dataclass
class Booking:
    """What the kernel reads of a stranded booking: its id and its reference (E-3, C-5)."""

    pk: int
    reference: str


E3, C5 = Booking(3, "E-3"), Booking(5, "C-5")


def cancel_refused(booking):
    raise AssertionError(f"{booking.reference} must not be cancelled")


def test_a_change_that_strands_nothing_passes_in_silence():
    refuse_stranded(stranded=[], what="New hours")
    assert resolve_stranded(stranded=[], cancel_affected=False, what="New hours", cancel=cancel_refused) == []


def test_a_change_that_strands_bookings_is_refused_naming_each_by_its_reference():
    with pytest.raises(BookingError) as refused, translation.override("en"):
        refuse_stranded(stranded=iter([E3, C5]), what="The closure on 25 November")

    assert refused.value.code == "schedule_conflict"
    assert refused.value.details == {"bookings": [3, 5], "references": ["E-3", "C-5"]}
    assert str(refused.value).startswith("The closure on 25 November would strand 2 booking(s): E-3; C-5.")


def test_the_message_lists_at_most_twenty_bookings_but_the_details_carry_them_all():
    many = [Booking(n, f"C-{n}") for n in range(1, 26)]
    with pytest.raises(BookingError) as refused, translation.override("en"):
        refuse_stranded(stranded=many, what="The holiday")

    assert "25 booking(s)" in str(refused.value)
    assert "C-20." in str(refused.value) and "C-21" not in str(refused.value)
    assert len(refused.value.details["bookings"]) == 25


def test_a_resource_may_describe_its_bookings_its_own_way():
    with pytest.raises(BookingError) as refused:
        refuse_stranded(stranded=[E3], what="Taking a unit out", describe=lambda b: f"{b.reference} (Holter)")
    assert "E-3 (Holter)" in str(refused.value)


def test_without_the_managers_consent_nothing_is_cancelled():
    with pytest.raises(BookingError):
        resolve_stranded(stranded=[E3, C5], cancel_affected=False, what="New hours", cancel=cancel_refused)


def test_with_the_managers_consent_each_stranded_booking_is_cancelled_once_through_the_resource():
    cancelled = []

    resolved = resolve_stranded(stranded=(b for b in [E3, C5]), cancel_affected=True, what="New hours",
                                cancel=cancelled.append)

    assert cancelled == [E3, C5]
    assert resolved == [E3, C5]
