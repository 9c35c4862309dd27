"""Reading partner requests: the body limit, JSON only, strict serializers, dates and instants in the clinic's zone."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 64 * 1024


# Dates outside this range are refused as input, so date arithmetic never overflows.
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2999, 12, 31)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large (at most 64 KiB).")
    default_code = "body_too_large"


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
    first, last = FIRST_DATE, LAST_DATE

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or not _ISO_DATE.match(data):
            self.fail("format")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("impossible")
        if not self.first <= value <= self.last:
            self.fail("range")
        return value

    def to_representation(self, value: date) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.DATE)
class BirthdayField(IsoDateField):
    """A date of birth written as YYYY-MM-DD. Whether it can be one (not in the future, not before 1900) is the
    client rule's (`accounts.clients.clean_birthday`), which answers the same 400."""

    first, last = date.min, date.max


def client_birthday_field() -> BirthdayField:
    """The optional `client_birthday` of a create."""
    return BirthdayField(required=False, allow_null=True,
                         help_text="The client's date of birth, YYYY-MM-DD, not in the future. Stored on the "
                                   "client record (one per phone number); left out, the one known is kept.")


def client_email_field() -> serializers.EmailField:
    """The optional `client_email` of a create."""
    return serializers.EmailField(required=False, allow_blank=True, max_length=254, default="",
                                  help_text="The client's e-mail address. Stored on the client record (one per "
                                            "phone number); left out or empty, the one known is kept.")


class ClinicDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant; one without an offset is read in the clinic's time zone."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # DRF's own check of a naive time near year 1 or 9999 overflows
            raise serializers.ValidationError(_("The time must be between the years 2000 and 2999.")) from None
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
