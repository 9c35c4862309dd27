"""ASGI entry point: gunicorn -k uvicorn_worker.UvicornWorker booking_site.asgi:application.

A web process: its PostgreSQL connections are pooled by default (settings, DATABASE_POOL_MAX_SIZE)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
os.environ["SERVES_HTTP"] = "1"  # settings: a web process pools its PostgreSQL connections unless told otherwise
application = get_asgi_application()
