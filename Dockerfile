FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
# pg_dump and pg_restore for `manage.py backup` / `manage.py restore` (Debian bookworm: PostgreSQL 15 client).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# The processes run as `app`, a user without a shell or privileges; the uid is fixed so the volumes keep
# their owner across image rebuilds. The code stays root's (read-only to the app); var/ is app's.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY . .
# Static files are collected with the production storage (hashed names + manifest); the compose `migrate`
# service collects them again into the shared static volume.
RUN pip install --no-cache-dir -e . \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && chown -R app:app /app/var
USER app
# 8000: web; 50051: the gRPC service (`manage.py grpcserver`, GRPC_PORT).
EXPOSE 8000 50051
CMD ["gunicorn", "booking_site.wsgi:application", "-k", "gthread", "--threads", "4", "--bind", "0.0.0.0:8000", "--no-control-socket"]
