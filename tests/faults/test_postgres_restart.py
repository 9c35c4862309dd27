"""PostgreSQL restarts (a fast shutdown that drops every connection, then a start 2 s later) while the
Celery worker is sending a batch of Telegram messages, at the worst moment: Telegram accepts a message
while the database is down, so the worker cannot record it as sent right away. A partner books meanwhile.

Guards the worker's recovery (the sent message is recorded once the database is back instead of being
left "sending", which would send it again when its lease ends; the rest of the batch follows) and the
API's answer while the database is unreachable (the partner sees 503 with `Retry-After: 2` and code
"unavailable", and repeats with the same external id). Seen failing by hand: without the API's
database-unavailable answer the partner got a 500; without `_mark_sent` waiting for the database the
delivery stayed "sending" past the test's wait."""

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
from tests.faults.servers import Product

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
BOOKINGS = 4


def test_a_postgres_restart_while_the_worker_sends_loses_and_repeats_nothing(
        cluster, database, catalogue, started, bot_api, tmp_path):
    product = Product(started, tmp_path, database_url=cluster.url(database), bot_api_url=bot_api.url,
                      TELEGRAM_MAX_PER_SECOND="5")
    web = product.start()
    partner = PartnerClient(web, catalogue["key"])
    first = clinic_today() + timedelta(days=7)
    bot_api.failing_chats.update(MANAGERS)  # the web's own attempts fail: the messages wait for the worker
    before = [partner.book_equipment(item_id=catalogue["ultrasound"], day=first + timedelta(days=n),
                                     external_id=f"before-{n}") for n in range(BOOKINGS)]
    assert [a.status for a in before] == [201] * BOOKINGS
    conn = cluster.connect(database)
    total = len(deliveries_unsettled(conn))
    assert total == BOOKINGS * len(MANAGERS)
    conn.close()

    down = threading.Event()

    def back_in_two_seconds():
        time.sleep(2)
        cluster.start()

    back = threading.Thread(target=back_in_two_seconds)

    def restart_while_telegram_answers(method: str, fields: dict) -> None:
        if method == "sendMessage" and not down.is_set() and sum(bot_api.delivered().values()) == 3:
            down.set()
            cluster.stop("fast")
            back.start()

    bot_api.before_answer = restart_while_telegram_answers
    bot_api.failing_chats.clear()
    assert down.wait(timeout=40)
    during = [partner.book_equipment(item_id=catalogue["ecg"], day=first, external_id=f"during-{n}")
              for n in range(3)]
    back.join(timeout=60)
    assert not back.is_alive() and cluster.running()

    assert [a.status for a in during] == [201, 201, 409]  # two units
    # What the partner saw while the database was down: 503 with Retry-After (the API's
    # UNAVAILABLE_RETRY_AFTER, 2 s) and the "unavailable" code, never a 500 nor a dropped connection; its
    # repeat with the same external id then got the booking.
    outage, last = during[0].seen[:-1], during[0].seen[-1]
    assert outage, "the first booking during the outage was answered at once: the database was not down"
    assert set(outage) == {(503, "2", "unavailable")}, during[0].seen
    assert last[0] == 201
    assert {a.status for a in partner.answers} <= {201, 409}, [(a.status, a.body) for a in partner.answers]
    conn = cluster.connect(database)
    wait_until_delivered(conn, timeout=70)  # well under the 2-minute lease of a delivery left "sending"
    time.sleep(2)
    assert assert_each_delivery_sent_once(conn, bot_api) == total + 2 * len(MANAGERS)
    assert bookings_by_client(conn) == {**{f"Клиент before-{n}": 1 for n in range(BOOKINGS)},
                                        "Клиент during-0": 1, "Клиент during-1": 1}
    assert_invariants(conn.cursor())
