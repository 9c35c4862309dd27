"""The heartbeat: a job scheduled by beat every 30 s and run by a worker stamps the time in the database;
the web process reads the stamp right before each scrape (`beat_heartbeat_timestamp_seconds`), so one alert
catches a stopped beat and a stopped worker alike, whichever machine they run on."""

from __future__ import annotations

from datetime import datetime

from integrations.models import JobCursor
from kernel import metrics

NAME = "heartbeat"


def heartbeat_record(*, now: datetime) -> None:
    cursor, created = JobCursor.objects.get_or_create(name=NAME, defaults={"position": 1, "updated_at": now})
    if not created:
        JobCursor.objects.filter(pk=cursor.pk).update(position=cursor.position + 1, updated_at=now)


def refresh_heartbeat_gauge() -> None:
    """Scrape hook. No heartbeat yet leaves the gauge at 0, which the alert reads as "not running"."""
    stamp = JobCursor.objects.filter(name=NAME).values_list("updated_at", flat=True).first()
    if stamp is not None:
        metrics.BEAT_HEARTBEAT.set(stamp.timestamp())
