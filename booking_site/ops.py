"""Liveness, readiness and metrics: what an operator and a load balancer ask of the web process."""

from __future__ import annotations

import concurrent.futures
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kernel.metrics import READINESS_FAILURES, render_latest

logger = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process answers. Touches nothing else, so a database outage causes no restart loop."""
    return HttpResponse("ok", content_type="text/plain")


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache round-trip returned nothing")
    cache.delete(key)


def _check_broker() -> None:
    from booking_site.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def readyz(request):
    """Readiness: the database, the cache and the broker each answer within 2 s. Needs no worker."""
    failing: dict[str, str] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(CHECKS))
    try:
        futures = {name: pool.submit(check) for name, check in CHECKS.items()}
        for name, future in futures.items():
            try:
                future.result(timeout=CHECK_TIMEOUT_SECONDS)
            except concurrent.futures.TimeoutError:
                failing[name] = "timed out"
            except Exception as exc:
                failing[name] = exc.__class__.__name__
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if failing:
        for part in failing:
            READINESS_FAILURES.labels(part).inc()
        logger.warning("readiness failed: %s", failing)
        return JsonResponse(
            {"status": "unavailable", "failing": failing,
             "error": "not ready: " + ", ".join(sorted(failing))},
            status=503,
        )
    return JsonResponse({"status": "ready"})


@never_cache
@require_GET
def metrics(request):
    allowed = settings.METRICS_ALLOWED_IPS
    if allowed and request.META.get("REMOTE_ADDR") not in allowed:
        return HttpResponseForbidden("forbidden", content_type="text/plain")
    body, content_type = render_latest()
    return HttpResponse(body, content_type=content_type)
