"""PostgreSQL restarts (a fast shutdown that drops every connection, then a start) while the Celery worker
is sending a batch of Telegram messages and a partner keeps booking.

Guards the worker's recovery (a sweep that lost its database fails, the next beat tick runs it again on a
fresh connection; deliveries are claimed and marked one at a time) and the API's answer while the database
is unreachable (503 with Retry-After, which the partner repeats with the same external id, instead of a
500). Seen failing by hand: with the API's database-unavailable answer removed the partner got 500s."""

from __future__ import annotations

import threading
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
    wait_until_delivered,
)
from tests.faults.invariants import assert_invariants
from tests.faults.servers import Product, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def test_a_postgres_restart_while_the_worker_sends_loses_and_repeats_nothing(
        cluster, database, catalogue, started, bot_api, tmp_path):
    product = Product(started, tmp_path, database_url=cluster.url(database), bot_api_url=bot_api.url,
                      TELEGRAM_MAX_PER_SECOND="3")
    web = product.start()
    partner = PartnerClient(web, catalogue["key"])
    first = clinic_today() + timedelta(days=7)
    bot_api.failing_chats.update(MANAGERS)  # the web's own attempts fail: the messages wait for the worker
    before = [partner.book_equipment(item_id=catalogue["ultrasound"], day=first + timedelta(days=n),
                                     external_id=f"before-{n}") for n in range(4)]
    assert [a.status for a in before] == [201] * 4
    conn = cluster.connect(database)
    assert len(deliveries_unsettled(conn)) == 4 * len(MANAGERS)
    bot_api.failing_chats.clear()
    wait_until(lambda: sum(bot_api.delivered().values()) >= 3, timeout=30, interval=0.05,
               what="the worker to be sending")
    conn.close()
    sent_at_restart = sum(bot_api.delivered().values())

    restart = threading.Thread(target=cluster.restart)
    restart.start()
    during = [partner.book_equipment(item_id=catalogue["ecg"], day=first, external_id=f"during-{n}")
              for n in range(3)]
    restart.join(timeout=60)
    assert not restart.is_alive() and cluster.running()

    assert [a.status for a in during] == [201, 201, 409]  # two units
    assert {a.status for a in partner.answers} <= {201, 409}, [(a.status, a.body) for a in partner.answers]
    conn = cluster.connect(database)
    wait_until_delivered(conn, timeout=70)
    time.sleep(2)
    assert sent_at_restart < 4 * len(MANAGERS)  # the restart came in the middle of the batch
    assert assert_each_delivery_sent_once(conn, bot_api) == 6 * len(MANAGERS)
    assert bookings_by_client(conn) == {**{f"Клиент before-{n}": 1 for n in range(4)},
                                        "Клиент during-0": 1, "Клиент during-1": 1}
    assert_invariants(conn.cursor())
