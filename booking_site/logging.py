"""Log plumbing: the request id on every record, JSON lines in production, and no phone numbers or bot tokens
in clear.

The request id is the X-Request-ID of an HTTP request (booking_site/middleware.py) or `tg-<bot>-<update id>`
for a Telegram update. The outbox stores it with each event; Celery tasks enqueued while it is bound carry
it in a message header, and the worker binds it again while the task runs, so the worker's log lines of a
delivery name the request that caused it."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
from datetime import UTC, datetime

from kernel.request_id import bound_request_id, current_request_id, request_id_var

__all__ = ["bound_request_id", "current_request_id", "request_id_var"]  # the kernel keeps the id; logs read it
REQUEST_ID_HEADER = "request_id"

# International or local phone numbers: 10 to 15 digits, optionally grouped. Not a run inside an identifier: a
# run that touches a letter, a digit, "/", "." or a "-" joined to more hex (UUIDs, Celery task ids, hex ids,
# versions, paths) is left alone, and so is a run of more than 15 digits.
_PHONE = re.compile(r"(?<![\w/.-])\+?\d[\d\s().-]{8,}\d(?!\w|\.\d|-[0-9A-Fa-f])")
_PHONE_DIGITS = range(10, 16)
# A bot token ("123456:ABC-def…"), on its own or in a Bot API URL (".../bot<token>/sendMessage").
_TOKEN = re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{20,}")
_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")


def mask_phone(value: str) -> str:
    """'+79991234567' -> '+7******4567': enough to tell two numbers apart, not to call one."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 5:
        return "***"
    return f"+{digits[0]}{'*' * (len(digits) - 5)}{digits[-4:]}"


def mask_name(value: str) -> str:
    """'Иванов Иван' -> 'И. И.'"""
    parts = [p for p in (value or "").split() if p]
    return " ".join(f"{p[0]}." for p in parts) or "-"


def redact(text: str) -> str:
    """Mask phone numbers and bot tokens in any text bound for a log line."""
    text = _TOKEN_IN_URL.sub("/bot***/", text)
    text = _TOKEN.sub("***:***", text)
    return _PHONE.sub(_mask_match, text)


def _mask_match(match: re.Match) -> str:
    found = match.group(0)
    return mask_phone(found) if len(re.sub(r"\D", "", found)) in _PHONE_DIGITS else found


class RedactPersonalData(logging.Filter):
    """Adds the request id and masks anything shaped like a phone number or a bot token in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Set once, where the record is made; django.request logs a 4xx/5xx after the middleware has returned,
        # but its record carries the request.
        if getattr(record, "request_id", "-") == "-":
            record.request_id = getattr(getattr(record, "request", None), "request_id", None) or request_id_var.get()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class ReadableFormatter(logging.Formatter):
    """One line for people (development): time, level, logger, [request id], message; tracebacks redacted."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("request_id", request_id_var.get())
        return super().format(record)

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per line (production): time (UTC), level, logger, request_id, message, exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exc_info"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


# --- Celery: quiet periodic runs ---------------------------------------------------------------------
# Celery logs "Task … received" and "Task … succeeded" at INFO for every run; for a job that runs every few
# seconds and usually finds nothing to do that is two lines every 10-15 s. The job logs its own INFO line
# when it did something; these two are lowered to DEBUG for the jobs named here.

CELERY_RUN_LOGGERS = ("celery.app.trace", "celery.worker.strategy")


class QuietTaskRuns(logging.Filter):
    """Lowers Celery's received/succeeded lines of the named tasks to DEBUG (dropped unless DEBUG is on)."""

    def __init__(self):
        super().__init__()
        self.task_names: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        if record.levelno != logging.INFO or not isinstance(data, dict) or data.get("name") not in self.task_names:
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


quiet_task_runs = QuietTaskRuns()


def log_task_runs_at_debug(*task_names: str) -> None:
    """Celery's own per-run lines of these tasks go out at DEBUG instead of INFO."""
    quiet_task_runs.task_names.update(task_names)
    for name in CELERY_RUN_LOGGERS:
        celery_logger = logging.getLogger(name)
        if quiet_task_runs not in celery_logger.filters:
            celery_logger.addFilter(quiet_task_runs)


def sweep_log_level(counts: dict[str, int]) -> int:
    """INFO when a sweep of due deliveries attempted something, DEBUG when nothing was due or another worker
    held the sweep."""
    return logging.INFO if any(key not in ("locked", "skipped") for key in counts) else logging.DEBUG


# --- Celery: the request id travels with the task message ---------------------------------------------


def celery_header_request_id(headers: dict | None = None, **_kwargs) -> None:
    """before_task_publish: put the bound request id in the message headers."""
    value = current_request_id()
    if value and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, value)


_task_tokens: dict[str, contextvars.Token] = {}


def celery_bind_request_id(task_id: str | None = None, task=None, **_kwargs) -> None:
    """task_prerun: bind the request id the message carries, or the task id for a run started by beat."""
    carried = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    if not carried and task is not None:
        carried = (getattr(task.request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    value = carried or (f"task-{task_id}" if task_id else "")
    if value and task_id:
        _task_tokens[task_id] = request_id_var.set(value)


def celery_unbind_request_id(task_id: str | None = None, **_kwargs) -> None:
    """task_postrun: forget the task's request id."""
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        with contextlib.suppress(ValueError):  # reset from another context (a thread pool reusing threads)
            request_id_var.reset(token)


def celery_keep_django_logging(**_kwargs) -> None:
    """setup_logging: Django's LOGGING already configured the process; Celery must not replace it."""
