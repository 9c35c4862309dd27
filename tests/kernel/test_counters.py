"""The shared cache's counters behind the rate limits: one count per hit, a peek at another counter, a count
taken back, and expiry after the first count (on Redis when REDIS_URL is set, else the local cache)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from kernel.counters import counter_hit, counter_take_back


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_counter_counts_from_one_and_reads_another_without_touching_it():
    assert counter_hit("c:now", timeout=60) == (1, 0)
    assert counter_hit("c:now", timeout=60, peek="c:before") == (2, 0)
    counter_hit("c:before", timeout=60)
    assert counter_hit("c:now", timeout=60, peek="c:before") == (3, 1)
    assert counter_hit("c:before", timeout=60) == (2, 0)


def test_a_count_taken_back_is_not_counted():
    counter_hit("c:now", timeout=60)
    counter_hit("c:now", timeout=60)
    assert counter_take_back("c:now") == 1
    assert counter_hit("c:now", timeout=60) == (2, 0)


def test_a_counter_expires_its_timeout_after_the_first_count_whatever_later_counts_ask():
    counter_hit("c:short", timeout=1)
    counter_hit("c:short", timeout=100)  # a later count does not push the expiry back
    time.sleep(1.2)
    assert counter_hit("c:short", timeout=100) == (1, 0)
