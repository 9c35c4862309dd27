"""The retention purge, in batches, each in its own short transaction.

A booking is deleted RETENTION_DAYS after it ended, and only when an audit of the month it ended in was made
after that month was over (so the audit holds it for good). A booking that is upcoming or still holding
(pending, approved) is never deleted. Also purged: expired slot holds, delivered outbox events and Telegram
deliveries older than the retention, partners' idempotency keys older than their 24 hours, the bots' expired
dialogs and old update ids, and whatever else an app adds with `register_purger`. Last, a client record with
nothing left to keep (no booking points at it any more, unchanged for RETENTION_DAYS) is anonymised: its row
stays for what refers to it, without a name, phone, e-mail or birthday (`accounts.clients.clients_anonymise`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.clients import anonymisable_clients, clients_anonymise
from cabinets.models import CabinetBooking, SlotHold
from equipment.models import EquipmentBooking
from integrations.audit.services import month_end
from integrations.models import AuditExport, Delivery, Dialog, JobCursor, SeenUpdate
from integrations.telegram.state import SEEN_UPDATES_KEPT
from kernel import metrics
from kernel.bookings import HOLDING_STATUSES
from kernel.clock import clinic_zone
from kernel.models import IdempotencyKey
from kernel.outbox.models import Event
from kernel.scheduling import add_months
from kernel.waitlist.models import LIVE_STATUSES, Wait

logger = logging.getLogger(__name__)
BATCH = 1000

# name -> function(now) returning the queryset of rows that may go. Other apps add theirs in ready().
Purger = Callable[[datetime], QuerySet]
_purgers: dict[str, Purger] = {}


def register_purger(name: str, expired: Purger) -> None:
    """Add a kind of expired row to the purge, e.g. register_purger("dialog_states", lambda now:
    DialogState.objects.filter(expires_at__lt=now))."""
    _purgers[name] = expired


def _audited_months() -> list[date]:
    """Months whose audit was made after the month ended."""
    return [export.month for export in AuditExport.objects.only("month", "created_at")
            if export.created_at >= month_end(export.month)]


def _month_span(month: date) -> tuple[date, date]:
    year, following = add_months(month.year, month.month, 1)
    return month, date(year, following, 1) - timedelta(days=1)


def expired_equipment_bookings(now: datetime) -> QuerySet:
    """Whole-day bookings that ended more than RETENTION_DAYS ago in an audited month, not holding.
    (Equipment that belongs to a cabinet booking goes with that booking.)"""
    today = timezone.localtime(now, clinic_zone()).date()
    cutoff = today - timedelta(days=settings.RETENTION_DAYS)
    query, any_month = EquipmentBooking.objects.none(), False
    for month in _audited_months():
        first, last = _month_span(month)
        query = query | EquipmentBooking.objects.filter(end_date__gte=first, end_date__lte=last)
        any_month = True
    if not any_month:
        return EquipmentBooking.objects.none()
    return query.filter(end_date__lt=cutoff, cabinet_booking__isnull=True).exclude(status__in=HOLDING_STATUSES)


def expired_cabinet_bookings(now: datetime) -> QuerySet:
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    zone = clinic_zone()
    query, any_month = CabinetBooking.objects.none(), False
    for month in _audited_months():
        first, last = _month_span(month)
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        # A booking "ended in" the month its end falls in; ending exactly at midnight counts for the day before.
        query = query | CabinetBooking.objects.filter(ends_at__gt=start, ends_at__lte=end)
        any_month = True
    if not any_month:
        return CabinetBooking.objects.none()
    return query.filter(ends_at__lt=cutoff).exclude(status__in=HOLDING_STATUSES)


def _events_done_position() -> int | None:
    """Outbox events up to this id have been applied by every reader (the Sheets mirror, when it is on)."""
    if not settings.GOOGLE_SHEETS_ENABLED:
        return None
    cursor = JobCursor.objects.filter(name="sheets").first()
    return cursor.position if cursor else 0


def expired_events(now: datetime) -> QuerySet:
    query = Event.objects.filter(created_at__lt=now - timedelta(days=settings.RETENTION_DAYS))
    position = _events_done_position()
    return query if position is None else query.filter(pk__lte=position)


def expired_deliveries(now: datetime) -> QuerySet:
    return Delivery.objects.filter(status__in=[Delivery.Status.SENT, Delivery.Status.CANCELLED],
                                   created_at__lt=now - timedelta(days=settings.RETENTION_DAYS))


def _builtin_purgers() -> dict[str, Purger]:
    return {
        "equipment_bookings": expired_equipment_bookings,
        "cabinet_bookings": expired_cabinet_bookings,
        "slot_holds": lambda now: SlotHold.objects.filter(expires_at__lt=now),
        "outbox_events": expired_events,
        "deliveries": expired_deliveries,
        "idempotency_keys": lambda now: IdempotencyKey.objects.filter(
            created_at__lt=now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)),
        # The bots' memory: dialogs past their expiry, update ids older than Telegram's redelivery window.
        "dialogs": lambda now: Dialog.objects.filter(expires_at__lte=now),
        "seen_updates": lambda now: SeenUpdate.objects.filter(received_at__lt=now - SEEN_UPDATES_KEPT),
        # Waitlist entries (names and phones) that left the queue RETENTION_DAYS ago.
        "waits": lambda now: Wait.objects.exclude(status__in=LIVE_STATUSES).filter(
            updated_at__lt=now - timedelta(days=settings.RETENTION_DAYS)),
    }


def _delete_in_batches(query: QuerySet, *, batch: int) -> int:
    model, deleted = query.model, 0
    while True:
        ids = list(query.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            # Re-apply the filter inside the transaction: a row that changed since it was listed stays.
            deleted_rows = query.filter(pk__in=ids).values_list("pk", flat=True)
            count = model.objects.filter(pk__in=list(deleted_rows)).delete()[1].get(model._meta.label, 0)
        deleted += count


def purge_expired(*, now: datetime, dry_run: bool = False, batch: int = BATCH) -> dict[str, int]:
    """Delete (or with dry_run, count) every kind of expired row. Returns counts per kind."""
    counts: dict[str, int] = {}
    for name, expired in {**_builtin_purgers(), **_purgers}.items():
        query = expired(now)
        if dry_run:
            counts[name] = query.count()
            continue
        counts[name] = _delete_in_batches(query, batch=batch)
        if counts[name]:
            metrics.PURGED_ROWS.labels(name).inc(counts[name])
    # After the bookings: a client whose last booking was just deleted has nothing left to keep.
    if dry_run:
        counts["clients_anonymised"] = anonymisable_clients(now).count()
    else:
        counts["clients_anonymised"] = clients_anonymise(now=now, batch=batch)
        if counts["clients_anonymised"]:
            metrics.PURGED_ROWS.labels("clients_anonymised").inc(counts["clients_anonymised"])
    if not dry_run:
        logger.info("purge: %s", counts)
    return counts


__all__ = ["purge_expired", "register_purger"]
