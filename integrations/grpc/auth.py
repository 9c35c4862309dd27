"""The partner key of a gRPC call: metadata `x-api-key` (and `x-api-extra`), checked like the REST API's
X-API-Key header, with the same scopes and the same per-partner rate limit (one counter for both doors)."""

from __future__ import annotations

import math
import time

import grpc
from django.utils import timezone

from accounts.models import Partner
from kernel.api import partner_for_key, partner_rate_wait

KEY_HEADER, EXTRA_HEADER = "x-api-key", "x-api-extra"


def metadata_value(context: grpc.ServicerContext, name: str) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == name and isinstance(value, str):
            return value
    return ""


class Refusal(Exception):
    """A call answered with an error status; the servicer turns it into context.abort()."""

    def __init__(self, code: grpc.StatusCode, message: str, *, trailers: tuple = ()):
        super().__init__(message)
        self.code, self.message, self.trailers = code, message, trailers


def authorize(context: grpc.ServicerContext, scope: str) -> Partner:
    """The partner calling, with `scope`, within its rate limit; otherwise a Refusal: UNAUTHENTICATED,
    PERMISSION_DENIED or RESOURCE_EXHAUSTED (with `retry-after` seconds in the trailing metadata)."""
    key = metadata_value(context, KEY_HEADER).strip()
    if not key:
        raise Refusal(grpc.StatusCode.UNAUTHENTICATED, "Send the partner's API key as x-api-key metadata.")
    partner = partner_for_key(key, metadata_value(context, EXTRA_HEADER), now=timezone.now())
    if partner is None:
        raise Refusal(grpc.StatusCode.UNAUTHENTICATED, "Invalid API key.")
    if not partner.has_scope(scope):
        raise Refusal(grpc.StatusCode.PERMISSION_DENIED, f"This API key lacks the {scope} scope.")
    wait = partner_rate_wait(partner, time.time())
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise Refusal(grpc.StatusCode.RESOURCE_EXHAUSTED, f"Too many requests. Retry in {seconds} s.",
                      trailers=(("retry-after", str(seconds)),))
    return partner
