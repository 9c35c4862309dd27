"""The Celery worker is killed with SIGKILL in the middle of a batch of Telegram messages (between two
sends, as the pacing leaves it most of the time) and a new worker is started.

Guards the database as the delivery queue: each delivery is claimed and marked sent on its own, and the
beat's periodic sweep (`deliveries: send due Telegram messages`) makes any worker pick up what a dead one
left, so nothing is lost and nothing sent is sent again. Seen failing by hand: without that beat entry the
rest of the batch was never sent after the kill (the killed worker's tasks died with it)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.faults.clients import (
    MANAGERS,
    PartnerClient,
    assert_each_delivery_sent_once,
    bookings_by_client,
    clinic_today,
    deliveries_unsettled,
    rows,
    wait_until_delivered,
)
from tests.faults.invariants import assert_invariants
from tests.faults.servers import Product, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
BOOKINGS = 5


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_the_rest_to_the_next_one(
        cluster, database, catalogue, started, bot_api, tmp_path):
    product = Product(started, tmp_path, database_url=cluster.url(database), bot_api_url=bot_api.url,
                      TELEGRAM_MAX_PER_SECOND="4")
    web = product.start()
    partner = PartnerClient(web, catalogue["key"])
    first = clinic_today() + timedelta(days=10)
    bot_api.failing_chats.update(MANAGERS)  # the web's own attempts fail: the batch is the worker's
    answers = [partner.book_equipment(item_id=catalogue["ultrasound"], day=first + timedelta(days=n),
                                      external_id=f"batch-{n}") for n in range(BOOKINGS)]
    assert [a.status for a in answers] == [201] * BOOKINGS
    conn = cluster.connect(database)
    total = len(deliveries_unsettled(conn))
    assert total == BOOKINGS * len(MANAGERS)

    def between_two_sends():
        """Some sent, and every message Telegram accepted is marked sent: no call is in flight."""
        accepted = sum(bot_api.delivered().values())
        marked = rows(conn, "SELECT count(*) FROM integrations_delivery WHERE status = 'sent'")[0][0]
        return accepted >= 4 and accepted == marked

    bot_api.failing_chats.clear()
    wait_until(between_two_sends, timeout=40, interval=0.01, what="the worker to be halfway through")
    product.kill_worker()
    sent_before_the_kill = sum(bot_api.delivered().values())
    time.sleep(2)
    assert sum(bot_api.delivered().values()) == sent_before_the_kill < total  # it died mid-batch

    product.start_worker("worker2")

    wait_until_delivered(conn, timeout=60)
    time.sleep(2)
    assert assert_each_delivery_sent_once(conn, bot_api) == total
    assert bookings_by_client(conn) == {f"Клиент batch-{n}": 1 for n in range(BOOKINGS)}
    assert_invariants(conn.cursor())
