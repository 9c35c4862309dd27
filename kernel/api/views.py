"""The partner views' base and the idempotent create: Idempotency-Key, external booking ids, replayed answers."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Partner
from kernel.api.auth import QUERY_KEY_NAMES, HasScope, KeyInQueryString, PartnerKeyAuthentication
from kernel.api.errors import api_exception_handler
from kernel.api.parsing import MAX_BODY_BYTES, AlwaysJSON, LimitedJSONParser, PayloadTooLarge
from kernel.api.throttle import PartnerRateThrottle
from kernel.bookings import Status
from kernel.errors import BookingError

_IDEMPOTENCY_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,128}$")


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
