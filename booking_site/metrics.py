"""Every business metric is defined here, once, with low-cardinality labels only."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

BOOKINGS_CREATED = Counter(
    "booking_created_total", "Bookings created", ["resource_type", "channel"],
)
BOOKING_STATUS_CHANGES = Counter(
    "booking_status_changes_total", "Booking status changes", ["resource_type", "to_status", "channel"],
)
BOOKING_REFUSALS = Counter(
    "booking_refused_total", "Booking requests refused by a rule", ["resource_type", "code"],
)
API_RATE_LIMIT = Counter(
    "api_rate_limit_total", "Partner API requests refused by the rate limit, or let through with the cache down",
    ["outcome"],
)
TELEGRAM_UPDATES = Counter(
    "telegram_updates_total", "Telegram updates received, by outcome", ["bot", "outcome"],
)
TELEGRAM_HANDLER_ERRORS = Counter(
    "telegram_handler_errors_total", "Telegram updates whose handling failed", ["bot"],
)
OUTBOX_DEAD_LETTERS = Gauge(
    "outbox_dead_letters", "Deliveries given up after their last attempt", multiprocess_mode="max",
)


def render_latest() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
