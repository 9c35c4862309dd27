"""A committed booking's Telegram messages are sent by the web process at once; only the events with a message
left unsent are handed to the worker (a broker call per booking cost more CPU than the booking itself)."""

from __future__ import annotations

import pytest
from celery import signals

from integrations.models import Delivery
from kernel.outbox.models import Event
from tests.factories import ItemFactory
from tests.integrations.telegram.test_managers import request_equipment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ecg(transactional_db):
    return ItemFactory(name="ЭКГ аппарат", quantity=2)


@pytest.fixture
def follow_ups():
    """The follow-up tasks published to the broker, as (task name, its event ids)."""
    published = []

    def record(sender=None, body=None, **_kwargs):
        published.append((sender, body[0][0]))

    signals.before_task_publish.connect(record, weak=False)
    yield published
    signals.before_task_publish.disconnect(record)


def test_a_request_whose_messages_all_went_out_is_not_handed_to_the_worker(ann, boss, ecg, bot_api, follow_ups):
    request_equipment(ann)

    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert follow_ups == []


def test_a_request_with_a_message_left_unsent_is_handed_to_the_worker_with_its_event(
        ann, boss, ecg, bot_api, follow_ups):
    bot_api.failing_chats.add(boss.id)

    booking = request_equipment(ann)

    event = Event.objects.get(booking_id=booking.pk)
    assert Delivery.objects.get(chat_id=boss.id).status == "pending"
    assert follow_ups == [("integrations.outbox.follow_up", [event.pk])]
