"""Locks for check-and-write. Every booking service locks the rows of what it books (an item, a cabinet)
before it checks availability, inside the transaction that writes. On PostgreSQL this is SELECT ... FOR
UPDATE with a lock timeout; on SQLite the IMMEDIATE transaction already holds the database write lock.

Locks are taken in primary-key order so that two transactions never wait for each other in a circle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from kernel.errors import BookingError
from kernel.rows import select as rows_select

# Test-only switches. `enabled = False` proves the concurrency tests can see a race; `pause_after_check`
# widens the window between the availability check and the write, as a slow request would.
enabled = True
pause_after_check = 0.0


def lock(model, pks) -> dict:
    """Lock the rows of `model` with these primary keys (sorted) and return them by pk."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic()")
    pks = sorted(set(pks))
    if not enabled:
        return model.objects.in_bulk(pks)
    with waits_refused_as_busy():
        if connection.vendor == "postgresql":
            # One statement sets the transaction's lock timeout and locks the rows.
            rows = rows_select(model, where={"pk": pks}, for_update=True,
                               lock_timeout=f"{settings.BOOKING_LOCK_TIMEOUT_SECONDS}s")
        else:
            rows = list(model.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    return {row.pk: row for row in rows}


@contextmanager
def waits_refused_as_busy() -> Iterator[None]:
    """A statement in the block that waited past the lock timeout, or closed a circle of waits: the other
    request wins and this one is refused as "busy" (it may retry), never a server error."""
    try:
        yield
    except DatabaseError as exc:
        if "lock" in str(exc).lower() or "deadlock" in str(exc).lower():
            raise BookingError("busy") from exc
        raise


def lock_one(model, pk, missing_message):
    """Lock one row and return it, or refuse with `missing_message` when it does not exist (any more)."""
    row = lock(model, [pk]).get(pk)
    if row is None:
        raise BookingError("not_found", missing_message)
    return row


def after_check() -> None:
    if pause_after_check:
        time.sleep(pause_after_check)


def require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("this service must run inside transaction.atomic()")
