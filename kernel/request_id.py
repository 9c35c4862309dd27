"""The request id bound to the work in hand: the X-Request-ID of an HTTP request, `tg-<bot>-<update id>` for a
Telegram update, or the one a Celery task was enqueued with. The outbox stores it with each event; the log
plumbing (booking_site/logging.py) writes it on every record."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The bound request id, or "" outside any request, update or task that carries one."""
    value = request_id_var.get()
    return "" if value == "-" else value


@contextlib.contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Bind `value` as the request id for the block; a falsy value keeps the current one."""
    if not value:
        yield
        return
    token = request_id_var.set(value)
    try:
        yield
    finally:
        request_id_var.reset(token)
