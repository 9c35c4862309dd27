"""The per-partner rate limit: a sliding window in the shared cache that fails open when the cache is down."""

from __future__ import annotations

import logging
import time

from rest_framework.throttling import BaseThrottle

from accounts.models import Partner
from kernel import metrics
from kernel.counters import counter_hit, counter_take_back

logger = logging.getLogger(__name__)


RATE_WINDOW_SECONDS = 60


class CacheDown:
    """Until when (a timestamp) the cache is taken to be down after a failure: the limit is not asked again
    before then. Tests reset it."""

    until = 0.0


def sliding_window_hit(key: str, limit: int, window: int, now: float) -> float | None:
    """Count one request in a sliding window of `window` seconds (the current fixed window plus the previous
    one weighted by how much of it still overlaps). None when allowed, else seconds until one more fits.
    A burst of `limit` requests passes and the next is refused; refused requests are not counted."""
    index, position = divmod(now, window)
    current_key, previous_key = f"{key}:{int(index)}", f"{key}:{int(index) - 1}"
    current, previous = counter_hit(current_key, timeout=window * 2 + 1, peek=previous_key)
    if previous * (1 - position / window) + current <= limit:
        return None
    current = counter_take_back(current_key)
    if current + 1 > limit:
        # Wait for the next window, then until the weight of this one has shrunk enough.
        return (window - position) + max(0.0, window * (1 - (limit - 1) / max(current, 1)))
    return max(0.0, window * (1 - (limit - current - 1) / previous) - position)


def partner_rate_wait(partner: Partner, now: float) -> float | None:
    """Count one request of `partner` against its per-minute limit: None when allowed, else the seconds to wait.
    One counter per partner, whichever door (REST or gRPC) the request came through. If the cache is down the
    limit fails open: partners keep booking, and the outage is logged and counted."""
    if now < CacheDown.until:
        metrics.API_RATE_LIMIT.labels("fail_open").inc()
        return None
    try:
        wait = sliding_window_hit(f"api-rate:{partner.pk}", partner.rate_limit_per_minute, RATE_WINDOW_SECONDS, now)
    except Exception:  # any cache failure: serve the request rather than refuse it
        logger.warning("partner rate limit skipped: the cache is unavailable")
        CacheDown.until = now + 30
        metrics.API_RATE_LIMIT.labels("fail_open").inc()
        return None
    if wait is not None:
        metrics.API_RATE_LIMIT.labels("limited").inc()
    return wait


class PartnerRateThrottle(BaseThrottle):
    """Per-partner limit (Partner.rate_limit_per_minute) in the shared cache (partner_rate_wait)."""

    def allow_request(self, request, view) -> bool:
        partner = request.auth
        if not isinstance(partner, Partner):
            return True
        self._wait = partner_rate_wait(partner, time.time())
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
