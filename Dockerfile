FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
# pg_dump and pg_restore for `manage.py backup` / `manage.py restore` (Debian bookworm: PostgreSQL 15 client).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# Static files are collected with the production storage (hashed names + manifest); the compose `migrate`
# service collects them again into the shared static volume.
RUN pip install --no-cache-dir -e . \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "booking_site.asgi:application", "-k", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--no-control-socket"]
