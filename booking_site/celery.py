"""The Celery application and the beat schedule. Broker: Redis when REDIS_URL is set, else kombu's
filesystem transport under VAR_DIR (no server needed).

The schedule is defined here, once. django-celery-beat's DatabaseScheduler upserts these entries by name
when beat starts (and `migrate` does the same), so they are listed under "Periodic tasks" in the admin,
where each can be switched off; the switch survives restarts, the timing always comes from this file.
Frequent jobs carry `expire_seconds` (DatabaseScheduler's name for Celery's `expires`), so runs that piled
up while no worker was listening are dropped instead of replayed one after another."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")

app = Celery("booking_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_SCHEDULE = {
    "deliveries: send due Telegram messages": {
        "task": "integrations.deliveries.send_due",
        "schedule": 10.0,
        "options": {"expire_seconds": 60},
    },
    "reminders: queue due reminders": {
        "task": "integrations.reminders.send_due",
        "schedule": 300.0,
        "options": {"expire_seconds": 240},
    },
    "bookings: complete ended, cancel undecided": {
        "task": "integrations.bookings.sweep",
        "schedule": crontab(minute=2),
        "options": {"expire_seconds": 3000},
    },
    "audit: previous month": {
        "task": "integrations.audit.export_previous_month",
        "schedule": crontab(minute=5, hour=0, day_of_month=1),
    },
    "purge: expired data": {
        "task": "integrations.purge.run",
        "schedule": crontab(minute=0, hour=3),
    },
    "sheets: sync changes": {
        "task": "integrations.sheets.sync",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
