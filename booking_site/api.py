"""The partner REST API's common parts: key authentication, scopes, the per-partner rate limit, the error
format, body limits, CORS and the URL table. Views live in each app's `api/` package and stay thin."""

from __future__ import annotations

import functools
import io
import logging
import math
import re
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView, set_rollback

from accounts.models import Partner
from accounts.services import partner_authenticate
from booking_site import metrics
from booking_site.bookings import Status
from booking_site.counters import counter_hit, counter_take_back
from booking_site.errors import BookingError

logger = logging.getLogger(__name__)

READ_ITEMS = Partner.Scope.READ_ITEMS.value
READ_AVAILABILITY = Partner.Scope.READ_AVAILABILITY.value
WRITE_BOOKINGS = Partner.Scope.WRITE_BOOKINGS.value

MAX_BODY_BYTES = 64 * 1024
RATE_WINDOW_SECONDS = 60
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Dates outside this range are refused as input, so date arithmetic never overflows.
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2999, 12, 31)
QUERY_KEY_NAMES = frozenset({"api_key", "apikey", "api-key", "key", "x-api-key", "x_api_key", "x-api-extra",
                             "api_extra", "access_token", "token"})
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{12,128}$")
_IDEMPOTENCY_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,128}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-API-Key, X-API-Extra, Idempotency-Key, X-Request-ID",
    "Access-Control-Expose-Headers": "X-Request-ID, Retry-After, Idempotent-Replayed",
    "Access-Control-Max-Age": "86400",
}


# --- Errors ---------------------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large (at most 64 KiB).")
    default_code = "body_too_large"


class KeyInQueryString(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Send the API key in the X-API-Key header, never in the URL.")
    default_code = "api_key_in_query"


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"

    def __init__(self, scope: str):
        super().__init__(_("This API key lacks the %(scope)s scope.") % {"scope": scope})
        self.details = {"required_scope": scope}


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


# --- Authentication, scopes, rate limit -----------------------------------------------------------


class PartnerPrincipal:
    """What request.user is for a partner: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True
    pk = None

    def __init__(self, partner: Partner):
        self.partner = partner

    def __str__(self) -> str:
        return f"partner:{self.partner.name}"


def partner_touch(partner: Partner, now: datetime) -> None:
    """Record when the key was last used, at most once a minute, so reads stay reads."""
    if partner.last_used_at is None or now - partner.last_used_at >= LAST_USED_RESOLUTION:
        Partner.objects.filter(pk=partner.pk).update(last_used_at=now)
        partner.last_used_at = now


def partner_for_key(key: str, extra: str, *, now: datetime) -> Partner | None:
    """The active partner of an X-API-Key (and its X-API-Extra), its last use recorded; None when not valid.
    The REST API and the gRPC service check keys here."""
    key = key.strip()
    if not _KEY_SHAPE.match(key):
        return None
    partner = partner_authenticate(key=key, extra=extra.strip())
    if partner is not None:
        partner_touch(partner, now)
    return partner


class PartnerKeyAuthentication(BaseAuthentication):
    """X-API-Key (plus X-API-Extra for partners that have an extra secret)."""

    def authenticate(self, request):
        key = request.headers.get("X-API-Key", "").strip()
        if not key:
            return None
        partner = partner_for_key(key, request.headers.get("X-API-Extra", ""), now=timezone.now())
        if partner is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."), code="invalid_api_key")
        return PartnerPrincipal(partner), partner

    def authenticate_header(self, request) -> str:
        return 'ApiKey realm="partner-api", header="X-API-Key"'


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "booking_site.api.PartnerKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": "The partner's key, shown once when it is created. Partners that were given an "
                               "extra secret also send it in the X-API-Extra header."}


class HasScope(BasePermission):
    """The key carries the view's `required_scope`. No key is 401, a key without the scope is 403."""

    def has_permission(self, request, view) -> bool:
        partner = request.auth
        if not isinstance(partner, Partner):
            return False
        if not partner.has_scope(view.required_scope):
            raise MissingScope(view.required_scope)
        return True


class _CacheDown:
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
    if now < _CacheDown.until:
        metrics.API_RATE_LIMIT.labels("fail_open").inc()
        return None
    try:
        wait = sliding_window_hit(f"api-rate:{partner.pk}", partner.rate_limit_per_minute, RATE_WINDOW_SECONDS, now)
    except Exception:  # any cache failure: serve the request rather than refuse it
        logger.warning("partner rate limit skipped: the cache is unavailable")
        _CacheDown.until = now + 30
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


# --- Parsing --------------------------------------------------------------------------------------


class LimitedJSONParser(JSONParser):
    """JSON bodies up to MAX_BODY_BYTES; longer ones are refused with 413 whatever the Content-Length says."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from exc


class AlwaysJSON(BaseContentNegotiation):
    """The API speaks JSON whatever the Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_field(OpenApiTypes.DATE)
class IsoDateField(serializers.Field):
    """A calendar date written exactly as YYYY-MM-DD; impossible dates such as 2026-02-30 are refused."""

    default_error_messages = {
        "format": _("Use the YYYY-MM-DD format."),
        "impossible": _("This date does not exist."),
        "range": _("The date must be between 2000-01-01 and 2999-12-31."),
    }

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or not _ISO_DATE.match(data):
            self.fail("format")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("impossible")
        if not FIRST_DATE <= value <= LAST_DATE:
            self.fail("range")
        return value

    def to_representation(self, value: date) -> str:
        return value.isoformat()


class ClinicDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant; one without an offset is read in the clinic's time zone."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not FIRST_DATE <= moment.date() <= LAST_DATE:
            raise serializers.ValidationError(_("The time must be between the years 2000 and 2999."))
        return moment


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error rather than a silently ignored value."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


def parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def days_in(start: date, end: date) -> int:
    return (end - start).days + 1


def check_day_span(start: date, end: date, *, start_field="start_date", end_field="end_date") -> None:
    if end < start:
        raise serializers.ValidationError({end_field: [_("end_date must not be before start_date.")]})
    if days_in(start, end) > settings.API_MAX_BULK_DAYS:
        raise serializers.ValidationError(
            {end_field: [_("At most %(n)s days per request.") % {"n": settings.API_MAX_BULK_DAYS}]})


def local_iso(moment: datetime) -> str:
    """An instant as ISO 8601 in the clinic's time zone with its offset."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def local_hhmm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Any unique string (a UUID is best), kept 24 h. Repeating a create with the same key and body "
                "returns the original answer with `Idempotent-Replayed: true`; a different body gets 409.",
)


def idempotency_key(request) -> str | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    if not _IDEMPOTENCY_KEY_SHAPE.match(raw):
        raise serializers.ValidationError(
            {"Idempotency-Key": [_("Use 1 to 128 visible ASCII characters.")]})
    return raw


def is_external_id(value: str) -> bool:
    """Could this be an external_booking_id at all? (A path segment may carry anything, NUL included.)"""
    return 0 < len(value) <= 128 and value.isprintable()


def partner_booking(queryset, *, partner: Partner, external_booking_id: str):
    """One of this partner's bookings (or series) by its external id; 404 for anything else."""
    found = (queryset.filter(partner=partner, external_booking_id=external_booking_id).first()
             if is_external_id(external_booking_id) else None)
    if found is None:
        raise BookingError("not_found", _("Booking not found."), external_booking_id=external_booking_id)
    return found


def cancel_once(booking, cancel):
    """`cancel(booking)`, except that a booking already cancelled is returned as it is: a partner retrying a
    DELETE whose answer it lost gets 200 again, also when a concurrent retry cancelled it first. A booking in
    another final state (rejected, completed) still gets the service's 409."""
    if booking.status == Status.CANCELLED:
        return booking
    try:
        return cancel(booking)
    except BookingError as error:
        if error.code != "bad_transition":
            raise
        booking.refresh_from_db()
        if booking.status != Status.CANCELLED:
            raise
        return booking


def created(body: dict, *, replayed: bool, status_code: int = status.HTTP_201_CREATED) -> Response:
    response = Response(body, status=status_code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# --- The base view --------------------------------------------------------------------------------


class PartnerSchema(AutoSchema):
    """Names each component once. With COMPONENT_SPLIT_REQUEST drf-spectacular appends "Request" to request
    components, so a serializer already called `BookDeviceRequest` would be documented as
    `BookDeviceRequestRequest`."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        if direction == "request" and name.endswith("RequestRequest"):
            name = name.removesuffix("Request")
        return name


class PartnerAPIView(APIView):
    """A partner endpoint: key, scope, rate limit, JSON in and out, the common error format."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [PartnerRateThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    schema = PartnerSchema()
    required_scope: str = ""
    error_extra: dict | None = None

    def initial(self, request, *args, **kwargs):
        if QUERY_KEY_NAMES & {name.lower() for name in request.query_params}:
            raise KeyInQueryString()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)

    def get_exception_handler(self):
        return api_exception_handler

    @property
    def partner(self) -> Partner:
        return self.request.auth


# --- CORS and the catch-all ----------------------------------------------------------------------


class ApiCorsMiddleware:
    """CORS for /api/: any origin may call it; preflights are answered here, before any authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            response = self.get_response(request)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response


class ApiLanguageMiddleware:
    """Partner systems get English error messages unless they ask for another language with
    Accept-Language (the bots and the admin default to the clinic's LANGUAGE_CODE instead)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and not request.headers.get("Accept-Language"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


@csrf_exempt  # a key-authenticated API: an unknown path is a JSON 404 whatever the method, never a CSRF page
def api_not_found(request, *args, **kwargs):
    return JsonResponse(error_body(message=_("No such endpoint."), code="not_found"), status=404)


class SchemaView(SpectacularAPIView):
    """The OpenAPI document; public, like the docs pages."""


class RedocView(SpectacularRedocView):
    """Redoc from the local sidecar assets, without the stock page's web fonts, so it renders offline."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("api-redoc-bundle")


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# Redoc's side menu draws the Redocly logo from Redocly's CDN; the docs fetch nothing from another site.
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E"


@functools.cache
def _redoc_bundle() -> bytes:
    with open(finders.find(REDOC_BUNDLE), encoding="utf-8") as bundle:
        return bundle.read().replace(REDOC_CDN_LOGO, EMPTY_IMAGE).encode()


def redoc_bundle(request) -> HttpResponse:
    """The sidecar's Redoc bundle with its one external image replaced by an empty inline one."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- URLs -----------------------------------------------------------------------------------------
# The API's own documents. The apps' endpoints are composed in booking_site/urls.py: this module is what the app
# views import, so it must not import them back.

urlpatterns = [
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
]
