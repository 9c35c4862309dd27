"""Under pytest-xdist each worker books against a Redis database of its own (tests/pytest_env.py), so one
worker's rate limits, pacing and cache clears never reach another's tests."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.pytest_env import CONFIGURED_REDIS_URL, redis_url_for_worker


@pytest.mark.parametrize(("url", "worker", "expected"), [
    ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/0"),
    ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
    ("redis://127.0.0.1:6379/10", "gw3", "redis://127.0.0.1:6379/13"),
    ("redis://127.0.0.1:6379", "gw2", "redis://127.0.0.1:6379/2"),
    ("redis://:secret@redis:6379/14", "gw3", "redis://:secret@redis:6379/1"),
])
def test_each_worker_gets_the_database_after_the_configured_one_by_its_number(url, worker, expected):
    assert redis_url_for_worker(url, worker) == expected


@pytest.mark.parametrize("worker", ["", "master", "gwx"])
def test_outside_xdist_the_url_is_left_alone(worker):
    assert redis_url_for_worker("redis://127.0.0.1:6379/5", worker) == "redis://127.0.0.1:6379/5"


def test_without_redis_there_is_nothing_to_share():
    assert redis_url_for_worker("", "gw1") == ""


@pytest.mark.redis
def test_this_workers_cache_and_environment_use_this_workers_redis_database():
    mine = redis_url_for_worker(CONFIGURED_REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
    assert settings.REDIS_URL == os.environ["REDIS_URL"] == settings.CACHES["default"]["LOCATION"] == mine
