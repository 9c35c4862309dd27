"""Every business metric is defined here, once, with low-cardinality labels only."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

logger = logging.getLogger(__name__)

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

# Background jobs (Celery tasks and the commands that run the same services).
JOB_RUNS = Counter("job_runs_total", "Background job runs", ["job", "result"])
JOB_SECONDS = Histogram(
    "job_duration_seconds", "Background job run time", ["job"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
DELIVERY_ATTEMPTS = Counter(
    "telegram_delivery_attempts_total", "Outbound Telegram calls by outcome", ["bot", "result"],
)
DELIVERIES_DEAD = Counter("telegram_deliveries_dead_total", "Deliveries moved to the dead letter", ["bot"])
REMINDERS_SENT = Counter("reminders_queued_total", "Reminders claimed and queued for delivery", ["resource_type"])
AUDIT_EXPORTS = Counter("audit_exports_total", "Monthly audit workbooks written", [])
PURGED_ROWS = Counter("purged_rows_total", "Rows deleted by the retention purge", ["kind"])
SHEETS_WRITES = Counter("sheets_requests_total", "Google Sheets API requests by outcome", ["result"])
APPROVAL_REMINDERS = Counter(
    "booking_approval_reminders_total", "Requests re-announced to managers for still waiting for a decision",
    ["resource_type"],
)
WEBHOOK_ATTEMPTS = Counter("webhook_delivery_attempts_total", "Partner webhook deliveries tried, by outcome",
                           ["result"])
WEBHOOK_DEAD_LETTERS = Gauge(
    "webhook_dead_letters", "Partner webhook deliveries given up after their retry window", multiprocess_mode="max",
)
MAIL_ATTEMPTS = Counter("mail_delivery_attempts_total", "E-mails to clients tried, by outcome", ["result"])
MAIL_DEAD_LETTERS = Gauge("mail_dead_letters", "E-mails given up after their last attempt or a bounce",
                          multiprocess_mode="max")
MAIL_PENDING = Gauge("mail_pending", "E-mails waiting to be sent or retried", multiprocess_mode="max")
MAIL_BOUNCES = Counter("mail_bounces_total", "Client addresses the mail server refused for good", [])

# The gRPC availability service (`manage.py grpcserver`), per full method name and status code.
GRPC_REQUESTS = Counter("grpc_requests_total", "gRPC calls answered, by method and status code", ["method", "code"])
GRPC_SECONDS = Histogram(
    "grpc_request_duration_seconds", "gRPC call handling time", ["method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

# Liveness and readiness, for the dashboard and the alerts.
READINESS_FAILURES = Counter(
    "readiness_failures_total", "/readyz checks that failed, by part (database, cache, broker)", ["part"],
)
for _part in ("database", "cache", "broker"):  # exported at 0 from the start, so increase() sees the first failure
    READINESS_FAILURES.labels(_part)
BEAT_HEARTBEAT = Gauge(
    "beat_heartbeat_timestamp_seconds", "When the heartbeat job (scheduled by beat, run by a worker) last ran",
    multiprocess_mode="max",
)
DELIVERIES_PENDING = Gauge(
    "outbox_pending_deliveries", "Telegram deliveries waiting to be sent or retried", multiprocess_mode="max",
)
EVENTS_UNDISPATCHED = Gauge(
    "outbox_undispatched_events", "Committed outbox events not yet handed to their consumers",
    multiprocess_mode="max",
)
# Read from the ledger at each scrape; "mostrecent" because the sum also goes down (payments, corrections).
WALLET_BALANCE = Gauge(
    "wallet_balance", "Money held in all client wallets together (the sum of every ledger)", ["currency"],
    multiprocess_mode="mostrecent",
)

PAYMENTS = Counter(
    "payments_total", "Payments reaching a state (created, pending, paid, failed, cancelled, refunded)",
    ["state", "method"],
)
PAYMENT_COMPENSATIONS = Counter(
    "payment_compensations_total",
    "Bookings awaiting payment ended as not paid and undone (expired, failed, refused, cancelled)", ["reason"],
)
REFUNDS = Counter("refunds_total", "Refunds made, by where the money went", ["destination"])

# Gauges that reflect database state are refreshed by hooks right before each scrape.
_scrape_hooks: list[Callable[[], None]] = []


def register_scrape_hook(hook: Callable[[], None]) -> None:
    if hook not in _scrape_hooks:
        _scrape_hooks.append(hook)


def render_latest() -> tuple[bytes, str]:
    for hook in list(_scrape_hooks):
        try:
            hook()
        except Exception:  # a metric that cannot be read must not hide the others
            logger.exception("metrics scrape hook failed")
    return generate_latest(_process_registry()), CONTENT_TYPE_LATEST


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


def serve_worker_metrics(port: int, process: str = "worker") -> None:
    """The worker's (or the gRPC server's) /metrics on `port` (its processes aggregated through
    PROMETHEUS_MULTIPROC_DIR). No scrape hooks: the gauges read from the database are the web process's to
    export."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=_process_registry())
    logger.info("%s metrics on port %s", process, port)
