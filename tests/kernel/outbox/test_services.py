"""Consumers see events only after commit, and a failing consumer neither breaks a booking nor loses events."""

from datetime import date, timedelta

import pytest

from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from kernel.outbox.services import events_dispatch_pending, register_consumer, unregister_consumer
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def consumer():
    seen: list[list[int]] = []

    def record(event_ids):
        if getattr(record, "broken", False):
            raise RuntimeError("downstream is down")
        seen.append(list(event_ids))

    register_consumer(record)
    yield record, seen
    unregister_consumer(record)


def book(staff):
    return equipment_booking_create(item=factories.ItemFactory(), start_date=date(2026, 11, 24),
                                    client_name="Иван Петров", client_phone="89990000000", actor=Actor.staff(staff),
                                    channel=Channel.ADMIN, now=NOW)


def test_consumers_get_the_event_after_commit_and_it_is_marked_dispatched(consumer, staff,
                                                                         django_capture_on_commit_callbacks):
    _record, seen = consumer
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book(staff)
    assert seen == []  # nothing before commit
    for callback in callbacks:
        callback()
    event = Event.objects.get()
    assert seen == [[event.pk]] and event.processed_at is not None


def test_a_failing_consumer_keeps_the_booking_and_the_event_for_a_later_dispatch(consumer, staff,
                                                                                django_capture_on_commit_callbacks):
    record, seen = consumer
    record.broken = True
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(staff)
    assert booking.pk and Event.objects.get().processed_at is None
    record.broken = False
    assert events_dispatch_pending(now=NOW + timedelta(minutes=5)) == 1
    assert seen == [[Event.objects.get().pk]] and Event.objects.get().processed_at is not None
    assert events_dispatch_pending(now=NOW + timedelta(minutes=10)) == 0
