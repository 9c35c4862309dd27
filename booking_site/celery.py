"""The Celery application and the beat schedule. Broker: Redis when REDIS_URL is set, else kombu's
filesystem transport under VAR_DIR (no server needed).

The schedule is defined here, once. django-celery-beat's DatabaseScheduler upserts these entries by name
when beat starts (and `migrate` does the same), so they are listed under "Periodic tasks" in the admin,
where each can be switched off; the switch survives restarts, the timing always comes from this file.
Frequent jobs carry `expire_seconds` (DatabaseScheduler's name for Celery's `expires`), so runs that piled
up while no worker was listening are dropped instead of replayed one after another."""

import os

from celery import Celery, signals
from celery.schedules import crontab

from booking_site import logging as log_plumbing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")

app = Celery("booking_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Django's LOGGING formats the worker's and beat's lines too (JSON in production), and a task carries the
# request id of the HTTP request or Telegram update that enqueued it.
signals.setup_logging.connect(log_plumbing.celery_keep_django_logging, weak=False)
signals.before_task_publish.connect(log_plumbing.celery_header_request_id, weak=False)
signals.task_prerun.connect(log_plumbing.celery_bind_request_id, weak=False)
signals.task_postrun.connect(log_plumbing.celery_unbind_request_id, weak=False)


@signals.worker_ready.connect
def serve_worker_metrics(**_kwargs) -> None:
    from django.conf import settings

    from kernel import metrics

    if settings.WORKER_METRICS_PORT:
        metrics.serve_worker_metrics(settings.WORKER_METRICS_PORT)

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
    "bookings: remind of and expire undecided requests": {
        "task": "integrations.bookings.approvals",
        "schedule": 300.0,
        "options": {"expire_seconds": 240},
    },
    "webhooks: send due partner webhooks": {
        "task": "webhooks.deliveries.send_due",
        "schedule": 15.0,
        "options": {"expire_seconds": 60},
    },
    "mail: send due e-mails": {
        "task": "mail.messages.send_due",
        "schedule": 30.0,
        "options": {"expire_seconds": 60},
    },
    "mail: queue due e-mail reminders": {
        "task": "mail.reminders.queue",
        "schedule": 300.0,
        "options": {"expire_seconds": 240},
    },
    "waitlist: expire offers, pass them on": {
        "task": "integrations.waitlist.sweep",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    "payments: end unpaid holds": {
        "task": "integrations.payments.sweep",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    "audit: previous month": {
        "task": "integrations.audit.export_previous_month",
        "schedule": crontab(minute=5, hour=0, day_of_month=1),
    },
    "purge: expired data": {
        "task": "integrations.purge.run",
        "schedule": crontab(minute=0, hour=3),
    },
    "heartbeat: beat and worker are alive": {
        "task": "integrations.heartbeat",
        "schedule": 30.0,
        "options": {"expire_seconds": 25},
    },
    "sheets: sync changes": {
        "task": "integrations.sheets.sync",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
