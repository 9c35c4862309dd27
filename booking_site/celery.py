"""The Celery application. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")

app = Celery("booking_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
