"""The API's one error format: every refusal (a BookingError, DRF's own, a database outage) as
{error, code, details}."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from kernel.api.parsing import PayloadTooLarge
from kernel.errors import BookingError

logger = logging.getLogger(__name__)


def _first_message(detail: Any) -> tuple[str, str]:
    """The first (field, message) of a DRF error detail, for the human-readable `error`."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner_field, message = _first_message(value)
            return (f"{field}.{inner_field}" if inner_field else str(field)), message
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return "", str(detail)


def first_error(detail: Any) -> str:
    """A DRF error detail in one line for people, as the `error` of a 400: "field: message"."""
    field, message = _first_message(detail)
    return f"{field}: {message}" if field else message


def error_body(*, message: Any, code: str, details: dict | None = None) -> dict:
    return {"error": str(message), "code": code, "details": details or {}}


UNAVAILABLE_RETRY_AFTER = 2


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """Every error of the API, DRF's own included, becomes {"error", "code", "details"}."""
    headers: dict[str, str] = {}
    if isinstance(exc, BookingError):
        status_code = exc.http_status
        body = error_body(message=exc.message, code=exc.code, details=exc.details)
    else:
        if isinstance(exc, Http404):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        elif isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge()
        if isinstance(exc, OperationalError | InterfaceError):
            # The database is restarting or unreachable. A repeat with the same external id is safe: it gets
            # the booking back if this request made it after all.
            logger.warning("partner API: the database is unavailable (%s)", exc.__class__.__name__)
            set_rollback()
            return Response(error_body(message=_("The service is briefly unavailable. Please retry in a few "
                                                 "seconds."), code="unavailable",
                                       details={"retry_after": UNAVAILABLE_RETRY_AFTER}),
                            status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})
        if not isinstance(exc, exceptions.APIException):
            logger.exception("unexpected error in the partner API")
            set_rollback()
            return Response(error_body(message=_("Internal error. Please try again later."), code="server_error"),
                            status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        status_code = exc.status_code
        if isinstance(exc, exceptions.ValidationError):
            details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            body = error_body(message=first_error(exc.detail), code="invalid",
                              details={"fields": details})
        else:
            code = exc.detail.code if isinstance(exc.detail, exceptions.ErrorDetail) else exc.default_code
            body = error_body(message=exc.detail, code=str(code), details=getattr(exc, "details", None))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            wait = max(1, math.ceil(exc.wait))
            headers["Retry-After"] = str(wait)
            body["details"] = {"retry_after": wait}
            body["error"] = str(_("Too many requests. Retry in %(n)s s.") % {"n": wait})
            body["code"] = "rate_limited"
    view = context.get("view")
    body.update(getattr(view, "error_extra", None) or {})
    set_rollback()
    return Response(body, status=status_code, headers=headers)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What went wrong, in words for people (translated).")
    code = serializers.CharField(help_text="A stable machine code, e.g. `no_capacity`, `invalid`, `missing_scope`.")
    details = serializers.DictField(help_text="Machine-readable context: field errors, full days, ...")


ERROR_DESCRIPTIONS = {
    400: "The request is malformed: bad JSON, unknown or missing fields, a non-ISO or impossible date.",
    401: "The X-API-Key header is missing or the key (or its X-API-Extra secret) is not valid.",
    403: "The key lacks the scope this endpoint needs.",
    404: "The resource does not exist (or is not yours).",
    409: "A booking rule refuses the request: no free units, slot taken, idempotency conflict, ...",
    413: "The request body is larger than 64 KiB.",
    429: "Rate limit exceeded; the Retry-After header says how many seconds to wait.",
}


ERROR_EXAMPLES = {
    400: {"error": "start_date: Use the YYYY-MM-DD format.", "code": "invalid",
          "details": {"fields": {"start_date": ["Use the YYYY-MM-DD format."]}}},
    401: {"error": "Invalid API key.", "code": "invalid_api_key", "details": {}},
    403: {"error": "This API key lacks the write:bookings scope.", "code": "missing_scope",
          "details": {"required_scope": "write:bookings"}},
    404: {"error": "Not found.", "code": "not_found", "details": {}},
    409: {"error": "Accent: not enough free units on 01.12.2026.", "code": "no_capacity",
          "details": {"full_days": ["2026-12-01"], "free": {"2026-12-01": 0}, "total": 1}},
    413: {"error": "The request body is too large (at most 64 KiB).", "code": "body_too_large", "details": {}},
    429: {"error": "Too many requests. Retry in 12 s.", "code": "rate_limited", "details": {"retry_after": 12}},
}


def error_responses(*codes: int, serializer=ErrorSerializer) -> dict[int, OpenApiResponse]:
    """Documented error answers of an endpoint; 401 and 429 apply to every authenticated one."""
    from drf_spectacular.utils import OpenApiExample

    wanted = sorted({401, 429, *codes})
    return {
        code: OpenApiResponse(
            response=serializer, description=ERROR_DESCRIPTIONS[code],
            examples=[OpenApiExample(f"error {code}", value={**ERROR_EXAMPLES[code], **_extra_of(serializer)},
                                     response_only=True, status_codes=[str(code)])],
        )
        for code in wanted
    }


def _extra_of(serializer) -> dict:
    return {"success": False} if "success" in serializer().fields else {}
