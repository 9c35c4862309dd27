"""ASGI entry point: gunicorn -k uvicorn_worker.UvicornWorker booking_site.asgi:application.

The Telegram webhook views are async; everything else runs as usual through Django's sync adapter."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
application = get_asgi_application()
