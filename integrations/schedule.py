"""Putting the beat schedule of booking_site/celery.py into django-celery-beat's tables, so the admin lists
every job (and can switch it off) from the first `migrate`, before beat has ever started. Beat performs the
same upsert by name at start-up; neither touches the `enabled` switch of an existing entry."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def beat_schedule_install(**kwargs) -> int:
    from django_celery_beat.schedulers import ModelEntry

    from booking_site.celery import BEAT_SCHEDULE, app

    for name, entry in BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, app=app, **entry)
    return len(BEAT_SCHEDULE)
