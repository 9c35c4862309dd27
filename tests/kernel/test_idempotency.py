"""kernel.idempotency on its own: a partner create repeated with the same Idempotency-Key and the same request
gets the first booking back without booking again; the same key with another request, or the same external id
with other data, is a conflict; a key older than IDEMPOTENCY_KEY_TTL_HOURS is forgotten."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.idempotency import partner_create, partner_external_id
from kernel.models import IdempotencyKey
from tests import factories
from tests.clock import NOW

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 27)


@pytest.fixture
def holter():
    return factories.ItemFactory(name="Холтер", quantity=3)


def fingerprint_of(booking) -> dict:
    return {"item": booking.item_id, "start": str(booking.start_date), "units": booking.units}


def create(partner, item, *, external_id="ext-1", key="key-1", start=FRIDAY, units=1, now=NOW):
    """A partner create of `units` of `item` on `start`, through kernel.idempotency."""
    made = []

    def book():
        made.append(equipment_booking_create(
            item=item, start_date=start, units=units, client_name="Ирина Волкова", client_phone="+7 999 111-22-33",
            actor=Actor.for_partner(partner), channel=Channel.API, now=now, external_booking_id=external_id))
        return made[-1]

    booking, replayed = partner_create(
        partner=partner, model=EquipmentBooking, resource_type="equipment", external_booking_id=external_id,
        idempotency_key=key, fingerprint={"item": item.pk, "start": str(start), "units": units},
        fingerprint_of=fingerprint_of, lock=lambda: None, create=book, now=now)
    return booking, replayed, len(made)


def test_the_same_key_and_the_same_request_get_the_first_booking_back_without_booking_again(partner, holter):
    first, replayed_first, booked_first = create(partner, holter)
    again, replayed_again, booked_again = create(partner, holter, now=NOW + timedelta(minutes=5))

    assert (replayed_first, booked_first) == (False, 1)
    assert (again.pk, replayed_again, booked_again) == (first.pk, True, 0)
    assert EquipmentBooking.objects.count() == 1
    assert IdempotencyKey.objects.get(partner=partner, key="key-1").booking_id == first.pk


def test_the_same_key_with_another_request_is_a_conflict_and_books_nothing(partner, holter):
    create(partner, holter)

    with pytest.raises(BookingError) as refused:
        create(partner, holter, external_id="ext-2", units=2)

    assert refused.value.code == "idempotency_conflict"
    assert refused.value.details["idempotency_key"] == "key-1"
    assert EquipmentBooking.objects.count() == 1


def test_the_same_external_id_with_other_data_is_a_conflict_even_under_a_new_key(partner, holter):
    first, _replayed, _booked = create(partner, holter)

    with pytest.raises(BookingError) as refused:
        create(partner, holter, key="key-2", start=FRIDAY + timedelta(days=1))

    assert refused.value.code == "idempotency_conflict"
    assert refused.value.details["booking_id"] == first.pk
    assert EquipmentBooking.objects.count() == 1


def test_the_same_external_id_and_data_under_a_new_key_is_a_replay(partner, holter):
    first, _replayed, _booked = create(partner, holter)

    again, replayed, booked = create(partner, holter, key="key-2")

    assert (again.pk, replayed, booked) == (first.pk, True, 0)


def test_a_key_older_than_its_lifetime_is_forgotten_and_the_request_judged_afresh(partner, holter, settings):
    create(partner, holter)
    later = NOW + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, minutes=1)

    booking, replayed, booked = create(partner, holter, external_id="ext-2", units=2, now=later)

    assert (replayed, booked, booking.units) == (False, 1, 2)
    assert list(IdempotencyKey.objects.filter(key="key-1").values_list("booking_id", flat=True)) == [booking.pk]


def test_a_key_just_inside_its_lifetime_still_guards_the_request(partner, holter, settings):
    create(partner, holter)
    still = NOW + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS) - timedelta(minutes=1)

    with pytest.raises(BookingError) as refused:
        create(partner, holter, external_id="ext-2", units=2, now=still)

    assert refused.value.code == "idempotency_conflict"


def test_the_external_id_of_a_cancelled_booking_cannot_be_used_again(partner, holter):
    first, _replayed, _booked = create(partner, holter)
    equipment_booking_cancel(booking=first, actor=Actor.for_partner(partner), now=NOW)

    with pytest.raises(BookingError) as refused:
        create(partner, holter, key="key-2")

    assert refused.value.code == "external_id_reused"
    assert EquipmentBooking.objects.get().status == Status.CANCELLED


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_every_partner_create_needs_an_external_id(blank):
    with pytest.raises(BookingError) as refused:
        partner_external_id(blank)
    assert (refused.value.code, refused.value.details["field"]) == ("invalid", "external_booking_id")


def test_an_external_id_is_trimmed():
    assert partner_external_id("  ext-7 ") == "ext-7"
