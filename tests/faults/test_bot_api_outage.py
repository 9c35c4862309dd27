"""Telegram's Bot API goes down while partners and bot users book: first it answers 502 Bad Gateway, then
it stops answering in time; then it is back.

Guards the delivery retries (`integrations.delivery`: a failed call stays pending with backoff and the
worker's sweep sends it later; a sent one is never sent again) and the web's overall send budget right
after commit (`deliveries_send_now`). Seen failing by hand: with every failure treated as permanent (no
retry) the managers' notifications became dead letters and never went out; with one send timeout per
message a booking made while Telegram hung took over 9 s."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.faults.clients import (
    MANAGERS,
    PartnerClient,
    assert_each_delivery_sent_once,
    bookings_by_client,
    bot_book_until_confirm,
    clinic_today,
    deliveries_unsettled,
    telegram_user,
    wait_until_delivered,
)
from tests.faults.fakes import BAD_GATEWAY, HANGING, UP
from tests.faults.invariants import assert_invariants
from tests.faults.servers import Product, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def test_messages_held_back_by_a_bot_api_outage_go_out_once_when_it_is_back(
        cluster, database, catalogue, started, bot_api, tmp_path):
    product = Product(started, tmp_path, database_url=cluster.url(database), bot_api_url=bot_api.url)
    web = product.start()
    partner = PartnerClient(web, catalogue["key"])
    day = clinic_today() + timedelta(days=5)
    users = [telegram_user(web, bot_api, 3001)]
    for n, user in enumerate(users):
        bot_book_until_confirm(user, item_label="ЭКГ", client_name=f"Бот Клиент {n}")

    bot_api.mode = BAD_GATEWAY
    first = [partner.book_equipment(item_id=catalogue["ultrasound"], day=day, external_id=f"bad-{n}")
             for n in range(2)]
    for user in users:
        user.press("✅ Confirm")  # the webhook answers 200 (TelegramUser checks it); the reply is lost
    bot_api.mode = HANGING
    began = time.monotonic()
    second = [partner.book_equipment(item_id=catalogue["ultrasound"], day=day, external_id=f"hang-{n}")
              for n in range(2)]
    hanging_seconds = time.monotonic() - began
    wait_until(lambda: bot_api.refused[HANGING], timeout=10, what="the hanging call to give up")
    assert bot_api.refused[BAD_GATEWAY]
    bot_api.mode = UP

    assert [a.status for a in first + second] == [201, 201, 201, 409]  # three units
    assert {a.status for a in partner.answers} == {201, 409} and all(a.attempts == 1 for a in partner.answers)
    assert hanging_seconds < 13  # one short send timeout per booking, not one per message (3 managers × 3 s)
    conn = cluster.connect(database)
    assert deliveries_unsettled(conn)  # held back by the outage

    wait_until_delivered(conn, timeout=60)
    time.sleep(2)
    assert assert_each_delivery_sent_once(conn, bot_api) == 4 * len(MANAGERS)
    assert bookings_by_client(conn) == {"Клиент bad-0": 1, "Клиент bad-1": 1, "Клиент hang-0": 1,
                                        "Бот Клиент 0": 1}
    assert_invariants(conn.cursor())
