"""A consumer that declares its topics is called only with events of those topics, and not at all when a
commit made none of them; the events are marked dispatched either way."""

from datetime import date

import pytest

from equipment.services import equipment_booking_cancel, equipment_booking_create
from integrations.consumers import reminders_follow_bookings
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from kernel.outbox.services import consumes, events_dispatch, events_of, register_consumer, unregister_consumer
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancellations():
    seen: list[list[int]] = []

    @consumes(Event.Topic.CANCELLED)
    def record(event_ids):
        seen.append(list(event_ids))

    register_consumer(record)
    yield seen
    unregister_consumer(record)


def test_a_consumer_of_cancellations_is_not_called_for_a_new_booking_but_is_for_its_cancel(
        cancellations, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = equipment_booking_create(item=factories.ItemFactory(), start_date=date(2026, 11, 24),
                                           client_name="Иван Петров", client_phone="89990000000",
                                           actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    assert cancellations == []
    assert Event.objects.get(topic=Event.Topic.CREATED).processed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_cancel(booking=booking, actor=Actor.staff(staff), now=NOW, channel=Channel.ADMIN)
    assert cancellations == [[Event.objects.get(topic=Event.Topic.CANCELLED).pk]]


def test_a_dispatch_by_ids_alone_reads_the_topics_and_hands_over_only_the_declared_ones(cancellations, staff):
    created = Event.objects.create(topic=Event.Topic.CREATED, resource_type="equipment", booking_id=1,
                                   created_at=NOW)
    cancelled = Event.objects.create(topic=Event.Topic.CANCELLED, resource_type="equipment", booking_id=1,
                                     created_at=NOW)
    assert events_dispatch([created.pk, cancelled.pk])
    assert cancellations == [[cancelled.pk]]
    assert Event.objects.filter(processed_at__isnull=True).count() == 0


def test_the_reminders_consumer_declares_the_endings_and_moves_only():
    assert reminders_follow_bookings.topics == {Event.Topic.CANCELLED, Event.Topic.REJECTED, Event.Topic.EXPIRED,
                                                Event.Topic.MOVED}


def test_a_consumer_gets_the_events_its_own_commit_recorded_without_reading_them_back(
        staff, django_capture_on_commit_callbacks, django_assert_num_queries):
    seen: list[tuple] = []

    def record(event_ids):
        with django_assert_num_queries(0):
            seen.extend((event.topic, event.booking_id, event.payload, event.processed_at)
                        for event in events_of(event_ids))

    register_consumer(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            booking = equipment_booking_create(item=factories.ItemFactory(), start_date=date(2026, 11, 24),
                                               client_name="Иван Петров", client_phone="89990000000",
                                               actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    finally:
        unregister_consumer(record)
    stored = Event.objects.get(topic=Event.Topic.CREATED)
    assert seen == [(Event.Topic.CREATED, booking.pk, stored.payload, None)]


def test_events_dispatched_again_later_are_read_from_the_database(cancellations):
    created = Event.objects.create(topic=Event.Topic.CREATED, resource_type="equipment", booking_id=7,
                                   payload={"status": "approved"}, created_at=NOW)
    assert [(event.pk, event.payload) for event in events_of([created.pk, 999_999])] == [
        (created.pk, {"status": "approved"})]
