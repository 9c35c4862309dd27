"""Celery tasks: thin adapters that take ids (or nothing), read the clock once, call a service and record
metrics through the shared base class. Every one is idempotent, acknowledged late and time-limited; the
schedule that runs them lives in booking_site/celery.py."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.utils import timezone

from booking_site.logging import log_task_runs_at_debug, sweep_log_level
from cabinets.services import (
    cabinet_bookings_complete_ended,
    cabinet_bookings_expire_undecided,
    cabinet_bookings_remind_undecided,
)
from cabinets.waitlist import cabinet_waits_sweep
from equipment.services import (
    equipment_bookings_complete_ended,
    equipment_bookings_expire_undecided,
    equipment_bookings_remind_undecided,
)
from equipment.waitlist import equipment_waits_sweep
from integrations.audit.services import audit_export, audit_export_previous_month, parse_month
from integrations.delivery import WORKER_SEND_TIMEOUT_SECONDS, deliveries_send_due, delivery_attempt
from integrations.delivery_followup import events_follow_up
from integrations.heartbeat import heartbeat_record
from integrations.purge import purge_expired
from integrations.reminders import reminders_send_due
from integrations.sheets.sync import sheets_sync
from kernel import metrics

logger = logging.getLogger(__name__)


class JobTask(DjangoTask):
    """Counts runs by outcome and times them; acks late so a worker lost mid-task means a redelivery."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        started, result = time.perf_counter(), "error"
        try:
            value = super().__call__(*args, **kwargs)
            result = "ok"
            return value
        finally:
            metrics.JOB_RUNS.labels(self.name, result).inc()
            metrics.JOB_SECONDS.labels(self.name).observe(time.perf_counter() - started)


def job(name: str, *, soft: int, hard: int):
    return shared_task(name=name, base=JobTask, soft_time_limit=soft, time_limit=hard, ignore_result=True)


@job("integrations.deliveries.send_due", soft=75, hard=90)
def deliveries_send_due_task() -> dict:
    counts = deliveries_send_due(budget_seconds=50)
    logger.log(sweep_log_level(counts), "deliveries sweep: %s", counts)
    return counts


# The sweeps of due deliveries run every 10 s (Telegram) and 15 s (partner webhooks) and log their own line
# at INFO only when they sent something.
log_task_runs_at_debug("integrations.deliveries.send_due", "webhooks.deliveries.send_due")


@job("integrations.heartbeat", soft=10, hard=15)
def heartbeat_task() -> None:
    heartbeat_record(now=timezone.now())


@job("integrations.deliveries.send", soft=30, hard=40)
def delivery_send_task(delivery_id: int) -> str:
    return delivery_attempt(delivery_id, timeout=WORKER_SEND_TIMEOUT_SECONDS)


@job("integrations.outbox.follow_up", soft=60, hard=75)
def events_follow_up_task(event_ids: list[int]) -> dict:
    return events_follow_up(event_ids=event_ids)


@job("integrations.reminders.send_due", soft=120, hard=150)
def reminders_send_due_task() -> int:
    queued = reminders_send_due(now=timezone.now())
    if queued:
        deliveries_send_due(budget_seconds=90, linger_seconds=2)
    return len(queued)


@job("integrations.bookings.sweep", soft=600, hard=660)
def bookings_sweep_task() -> dict:
    now = timezone.now()
    counts = {
        "equipment_completed": equipment_bookings_complete_ended(now=now),
        "equipment_expired": equipment_bookings_expire_undecided(now=now),
        "cabinet_completed": cabinet_bookings_complete_ended(now=now),
        "cabinet_expired": cabinet_bookings_expire_undecided(now=now),
    }
    logger.info("bookings sweep: %s", counts)
    return counts


@job("integrations.bookings.approvals", soft=240, hard=270)
def approvals_follow_up_task() -> dict:
    """Requests waiting too long: cancelled when past their deadline, else announced to managers again."""
    now = timezone.now()
    counts = {
        "equipment_expired": equipment_bookings_expire_undecided(now=now),
        "cabinet_expired": cabinet_bookings_expire_undecided(now=now),
        "equipment_reminded": equipment_bookings_remind_undecided(now=now),
        "cabinet_reminded": cabinet_bookings_remind_undecided(now=now),
    }
    if any(counts.values()):
        logger.info("undecided requests: %s", counts)
    return counts


@job("integrations.waitlist.sweep", soft=240, hard=270)
def waitlist_sweep_task() -> dict:
    now = timezone.now()
    counts = {"equipment": equipment_waits_sweep(now=now), "cabinet": cabinet_waits_sweep(now=now)}
    if any(n for part in counts.values() for n in part.values()):
        logger.info("waitlist sweep: %s", counts)
    return counts


@job("integrations.payments.sweep", soft=50, hard=55)
def payment_holds_sweep_task() -> int:
    """Bookings whose time to pay is over end as not paid, each step undone once (payments.checkout)."""
    from payments.checkout import payment_holds_sweep

    done = payment_holds_sweep(now=timezone.now())
    if done:
        logger.info("payment holds sweep: %s bookings not paid in time", done)
    return done


@job("integrations.audit.export_previous_month", soft=1500, hard=1800)
def audit_export_previous_month_task() -> int | None:
    export = audit_export_previous_month(now=timezone.now())
    return export.pk if export else None


@job("integrations.audit.export_month", soft=1500, hard=1800)
def audit_export_month_task(month: str) -> int:
    return audit_export(month=parse_month(month), now=timezone.now()).pk


@job("integrations.purge.run", soft=1500, hard=1800)
def purge_task() -> dict:
    return purge_expired(now=timezone.now())


@job("integrations.sheets.sync", soft=240, hard=270)
def sheets_sync_task(full: bool = False) -> dict:
    return sheets_sync(now=timezone.now(), full=full)
