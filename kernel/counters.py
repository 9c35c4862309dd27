"""Counters in the shared cache, for rate limits: count one, in one round trip on Redis.

Django's cache API takes a round trip (and, with its Redis backend, builds a client) for each of add, incr and
get; a rate limit asked on every request and every Telegram update makes them in one pipeline instead. Other
backends (local memory in development and tests) go through the cache API."""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def counter_hit(key: str, *, timeout: int, peek: str | None = None) -> tuple[int, int]:
    """Add one to the counter `key` (it starts at zero and expires `timeout` seconds after its first count) and
    return its new value, with the value of the counter `peek` (0 when absent or not asked)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        seen = int(backend.get(peek) or 0) if peek else 0
        backend.add(key, 0, timeout=timeout)
        try:
            return int(backend.incr(key)), seen
        except ValueError:  # expired between add() and incr()
            backend.add(key, 1, timeout=timeout)
            return 1, seen
    full_key = backend.make_and_validate_key(key)
    with _client(backend).pipeline(transaction=False) as pipe:
        if peek:
            pipe.get(backend.make_and_validate_key(peek))
        pipe.incr(full_key)
        pipe.expire(full_key, timeout, nx=True)
        answers = pipe.execute()
    seen = int(answers.pop(0) or 0) if peek else 0
    return int(answers[0]), seen


def counter_take_back(key: str) -> int:
    """Subtract the count just added (a refused request is not counted) and return the new value."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return int(backend.decr(key))
    return int(_client(backend).decr(backend.make_and_validate_key(key)))


def _client(backend: RedisCache):
    """The backend's client on its primary server, made once (Django builds one for every call; it is a thin,
    thread-safe wrapper of the backend's connection pool)."""
    client = backend.__dict__.get("_counter_client")
    if client is None:
        client = backend.__dict__["_counter_client"] = backend._cache.get_client(write=True)
    return client
