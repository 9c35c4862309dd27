"""A real Celery worker and beat, started as processes, deliver a due reminder to a local fake Bot API
exactly once: with the filesystem broker (no server at all), with Redis, and across a Redis outage."""

import os
import shutil
import time

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
        ["eq", "open"], ["eq", "cancel"]]


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
    booking = manage(env, "shell", "-c", SETUP_DUE_REMINDER)  # the booking does not need Redis
    assert "booking" in booking.stdout
    assert "could not hand events" in booking.stderr  # enqueueing failed open
    time.sleep(5)
    assert reminder_calls(bot_api) == []

    redis_server(started, port, tmp_path)

    assert_delivered_once(bot_api, started, timeout=120)
