"""One run at a time of a job across processes, through the shared cache (Redis in production).

Fails open: when the cache is down the job runs anyway, because what it does is idempotent (claims in the
database); the lock only keeps two runs from racing each other's pacing or appends."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

logger = logging.getLogger(__name__)


@contextmanager
def job_lock(name: str, *, seconds: float) -> Iterator[bool]:
    """Yields True when this process holds the lock (or the cache is unreachable), False when another run
    holds it."""
    key, token = f"job-lock:{name}", uuid.uuid4().hex
    try:
        acquired = bool(cache.add(key, token, timeout=int(seconds) + 5))
    except Exception:
        logger.warning("lock %s unavailable (cache down); running without it", name)
        yield True
        return
    try:
        yield acquired
    finally:
        if acquired:
            try:
                if cache.get(key) == token:
                    cache.delete(key)
            except Exception:
                logger.warning("lock %s could not be released; it expires by itself", name)
