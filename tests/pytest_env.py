"""A pytest plugin loaded before Django is configured (see addopts): the test-wide environment.

Under pytest-xdist each worker (gw0, gw1, …) gets a Redis database of its own — the one in REDIS_URL plus the
worker's number — so rate limits, pacing, flood counters and cache clears of one worker never reach another.
pytest-django already gives each worker its own test database (the `_gw0` suffix)."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis' default `databases` setting


def redis_url_for_worker(url: str, worker: str) -> str:
    """The Redis URL a pytest-xdist worker uses: the database in `url` (0 when it names none) plus the worker's
    number, wrapping at 16; `url` unchanged outside xdist or when it is empty."""
    if not url or not worker.startswith("gw") or not worker[2:].isdigit():
        return url
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(base + int(worker[2:])) % REDIS_DATABASES}"))


CONFIGURED_REDIS_URL = os.environ.get("REDIS_URL", "")
os.environ["REDIS_URL"] = redis_url_for_worker(CONFIGURED_REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
os.environ.setdefault("TESTING", "1")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="booking-test-"))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("AXES_ENABLED", "0")
os.environ.setdefault("PTB_TIMEDELTA", "1")
os.environ.setdefault("TIME_ZONE", "Europe/Moscow")
os.environ.setdefault("LANGUAGE_CODE", "ru")
