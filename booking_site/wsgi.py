"""WSGI entry point, what the web process runs: gunicorn booking_site.wsgi:application -k gthread --threads 4
(Procfile, docker-compose.yml, Dockerfile; tests/test_deployment_files.py checks they agree)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
os.environ["SERVES_HTTP"] = "1"  # settings: a web process pools its PostgreSQL connections unless told otherwise
application = get_wsgi_application()
