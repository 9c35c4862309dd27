"""A real Celery worker and beat, started as processes, deliver a due reminder to a local fake Bot API
exactly once: with the filesystem broker (no server at all), with Redis, and across a Redis outage."""

import os
import shutil
import time
import urllib.request

import pytest

from tests.jobs.fakebot import FakeBotApi
from tests.jobs.processes import SETUP_DUE_REMINDER, Started, environment, free_port, manage, redis_server

pytestmark = pytest.mark.slow


@pytest.fixture
def bot_api():
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture
def started():
    processes = Started()
    yield processes
    processes.stop()


def reminder_calls(api):
    return [c for c in api.delivered
            if c.method == "sendMessage" and c.chat_id == 4242 and c.data["text"].startswith("⏰")]


def assert_delivered_once(api, started, *, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not reminder_calls(api):
        time.sleep(0.2)
    assert len(reminder_calls(api)) == 1, started.logs()
    time.sleep(12)  # another delivery sweep and the next beat ticks come and go
    calls = reminder_calls(api)
    assert len(calls) == 1, started.logs()
    assert calls[0].token == "111:equipment"
    assert [b["callback_data"].split(":")[:2] for b in calls[0].markup["inline_keyboard"][0]] == [
        ["eq", "come"], ["eq", "cancel"]]


def test_worker_and_beat_deliver_a_due_reminder_once_with_the_filesystem_broker(tmp_path, bot_api, started):
    env = environment(tmp_path, bot_api_url=bot_api.url, broker="filesystem://")
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP_DUE_REMINDER)

    started.worker_and_beat(env, tmp_path)

    assert_delivered_once(bot_api, started)


@pytest.mark.redis
def test_worker_and_beat_deliver_a_due_reminder_once_with_redis(tmp_path, bot_api, started):
    env = environment(tmp_path, bot_api_url=bot_api.url, redis_url=os.environ["REDIS_URL"])
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP_DUE_REMINDER)

    started.worker_and_beat(env, tmp_path)

    assert_delivered_once(bot_api, started)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to start a private Redis")
def test_a_booking_made_while_redis_is_down_is_delivered_once_redis_returns(tmp_path, bot_api, started):
    port = free_port()
    env = environment(tmp_path, bot_api_url=bot_api.url, redis_url=f"redis://127.0.0.1:{port}/0")
    redis = redis_server(started, port, tmp_path)
    manage(env, "migrate", "--noinput")
    started.worker_and_beat(env, tmp_path)
    time.sleep(3)

    started.stop_one(redis)
    # The booking's own messages cannot be sent at once either (the Bot API is out of the booking process's
    # reach), so the booking must hand them to the worker, and that hand-off fails open with Redis down.
    unreachable_bot_api = dict(env, TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}")
    booking = manage(unreachable_bot_api, "shell", "-c", SETUP_DUE_REMINDER)  # the booking does not need Redis
    assert "booking" in booking.stdout
    assert "could not hand events" in booking.stderr  # enqueueing failed open
    time.sleep(5)
    assert reminder_calls(bot_api) == []

    redis_server(started, port, tmp_path)

    assert_delivered_once(bot_api, started, timeout=120)


API_BOOKING_WITH_REQUEST_ID = """
import json
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from accounts.models import TelegramAccount
from accounts.services import partner_create
from equipment.models import Item

item = Item.objects.create(name="Аппарат ЭКГ", quantity=2)
TelegramAccount.objects.create(telegram_id=9001, username="boss", is_manager=True, language_code="ru")
_partner, key = partner_create(name="ClinicCRM", scopes=["write:bookings"], extra_secret="",
                               rate_limit_per_minute=120)
day = (timezone.localdate() + timedelta(days=7)).isoformat()
response = Client().post("/api/v1/equipment-bookings", json.dumps({
    "item_id": item.pk, "external_booking_id": "crm-7", "start_date": day, "end_date": day,
    "units": 1, "client_name": "Иван Петров", "client_phone": "+79991234567"}),
    content_type="application/json", headers={"X-API-Key": key, "X-Request-ID": "crm-req-worker-7"})
print("status", response.status_code, response.content.decode())
"""


def test_the_worker_logs_a_delivery_under_the_request_id_of_the_api_call_that_made_the_booking(
        tmp_path, bot_api, started):
    import json

    from tests.jobs.fakebot import BAD_GATEWAY

    env = environment(tmp_path, bot_api_url=bot_api.url, broker="filesystem://")
    env["LOG_FORMAT"] = "json"
    env["WORKER_METRICS_PORT"] = str(metrics_port := free_port())
    manage(env, "migrate", "--noinput")
    started.worker_and_beat(env, tmp_path)
    bot_api.answer(BAD_GATEWAY)  # the web's immediate attempt fails: the worker's follow-up sends it

    booked = manage(env, "shell", "-c", API_BOOKING_WITH_REQUEST_ID)

    assert "status 201" in booked.stdout, booked.stdout + booked.stderr
    assert len(bot_api.wait_for(1, timeout=60)) == 1, started.logs()
    worker_log = tmp_path / "worker.log"
    deadline = time.monotonic() + 10
    sent: list[dict] = []
    while time.monotonic() < deadline and not sent:
        records = [json.loads(line) for line in worker_log.read_text().splitlines() if line.startswith("{")]
        sent = [r for r in records if r["logger"] == "integrations.delivery" and " sent on attempt 2" in r["message"]]
        time.sleep(0.2)
    assert sent, started.logs()
    assert sent[0]["request_id"] == "crm-req-worker-7"
    followed = [r for r in records if r["message"].startswith("outbox event ")]
    assert followed and {r["request_id"] for r in followed} == {"crm-req-worker-7"}  # the task's header
    assert "+79991234567" not in worker_log.read_text() and "Иван" not in worker_log.read_text()
    # The worker's own /metrics counts the follow-up and the delivery it made.
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        body = response.read().decode()
    assert 'job_runs_total{job="integrations.outbox.follow_up",result="ok"}' in body
    assert 'telegram_delivery_attempts_total{bot="equipment",result="sent"}' in body
