"""A pytest plugin loaded before Django is configured (see addopts): the test-wide environment."""

import os
import tempfile

os.environ.setdefault("TESTING", "1")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="booking-test-"))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("AXES_ENABLED", "0")
os.environ.setdefault("PTB_TIMEDELTA", "1")
os.environ.setdefault("TIME_ZONE", "Europe/Moscow")
os.environ.setdefault("LANGUAGE_CODE", "ru")
