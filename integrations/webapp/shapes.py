"""What the booking page may send, checked for shape with the partner API's fields and serializers (the same
dates, instants, ids and equipment lines); the services check the meaning. A shape error is the page's usual
400: `{"code": "invalid", "details": {"field": ...}}`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from cabinets.api.serializers import EquipmentLine
from equipment.api.serializers import ID
from kernel.api import FIRST_DATE, LAST_DATE, BirthdayField, ClinicDateTimeField, IsoDateField
from kernel.errors import BookingError

MAX_TEXT = 16 * 1024  # no text field is longer than the whole body may be
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


class TextField(serializers.CharField):
    """Text as the client typed it: absent or null is empty, anything but a string is refused (the API's
    CharField would take a number). Lengths and meaning are the services' (clean_client_name, normalize_phone,
    clean_comment)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, trim_whitespace=False, default="",
                         max_length=MAX_TEXT, **kwargs)

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("%(field)s must be text.") % {"field": self.field_name})
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class MonthField(serializers.Field):
    """A month written as YYYY-MM, between the years the API accepts; its first day."""

    default_error_messages = {"format": gettext_lazy("month must be YYYY-MM.")}

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or not _MONTH.fullmatch(data):
            self.fail("format")
        try:
            first = date(int(data[:4]), int(data[5:]), 1)
        except ValueError:
            self.fail("format")
        if not FIRST_DATE.year <= first.year <= LAST_DATE.year:
            raise serializers.ValidationError(_("%(field)s is out of range.") % {"field": self.field_name})
        return first


class MonthQuery(serializers.Serializer):
    month = MonthField(required=False)


class DayQuery(serializers.Serializer):
    date = IsoDateField()


class WindowQuery(serializers.Serializer):
    starts_at = ClinicDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)


class ClientFields(serializers.Serializer):
    """Who the booking is for. The birthday (null or absent: not given) is shown only to a client never asked
    for it; `birthday_asked` says the page showed it, so an empty one was skipped and is not asked again."""

    client_name = TextField()
    client_phone = TextField()
    client_email = TextField()
    client_birthday = BirthdayField(required=False, allow_null=True, default=None)
    birthday_asked = serializers.BooleanField(required=False, default=False)
    comment = TextField()


class EquipmentRequest(ClientFields):
    """Whole days of an item; without `end_date` (or with an empty one) a single day."""

    item_id = serializers.IntegerField(**ID)
    start_date = IsoDateField()
    end_date = IsoDateField(required=False)
    units = serializers.IntegerField(min_value=1, max_value=ID["max_value"], default=1)

    def to_internal_value(self, data):
        if isinstance(data, dict) and not data.get("end_date"):
            data = {key: value for key, value in data.items() if key != "end_date"}
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs.setdefault("end_date", attrs["start_date"])
        return attrs


class PageEquipmentLine(EquipmentLine):
    """The API's equipment line; the page may leave out `units` for one unit."""

    units = serializers.IntegerField(min_value=1, max_value=1000, default=1)


class CabinetRequest(ClientFields):
    """A window in a cabinet, with the equipment taken for it (the API's equipment lines)."""

    equipment = PageEquipmentLine(many=True, required=False, allow_null=True, default=list, max_length=20)
    cabinet_id = serializers.IntegerField(**ID)
    starts_at = ClinicDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)

    def validate(self, attrs):
        attrs["equipment"] = attrs.get("equipment") or []
        return attrs


class KindField(serializers.ChoiceField):
    default_error_messages = {"invalid_choice": gettext_lazy("kind must be equipment or cabinet.")}

    def __init__(self, **kwargs):
        super().__init__(choices=["equipment", "cabinet"], **kwargs)


class KindQuery(serializers.Serializer):
    kind = KindField()


REQUESTS = {"equipment": EquipmentRequest, "cabinet": CabinetRequest}


def _first_error(detail: Any) -> tuple[str, str]:
    """The first field named in a DRF error and its first message (a nested field is named by its top)."""
    if isinstance(detail, dict):
        for field, errors in detail.items():
            _inner, message = _first_error(errors)
            return field, message
    if isinstance(detail, list):
        for entry in detail:
            if entry:
                return _first_error(entry)
    return "", str(detail)


def parse(serializer_class, data) -> dict:
    """The validated fields, or the page's 400 naming the first field that is wrong."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        field, message = _first_error(serializer.errors)
        if field in ("", "non_field_errors"):
            raise BookingError("invalid", message)
        raise BookingError("invalid", message if message.startswith(field) else f"{field}: {message}",
                           field=field)
    return dict(serializer.validated_data)


def booking_request(data: dict) -> tuple[str, dict]:
    """The kind of a booking (or waitlist) request of the page and its fields."""
    kind = parse(KindQuery, data)["kind"]
    return kind, parse(REQUESTS[kind], data)


class ServiceDaysQuery(serializers.Serializer):
    """A service's days from `from` (today when absent) for at most the calculator's limit, optionally with
    one specialist only."""

    start = IsoDateField(required=False)
    specialist_id = serializers.IntegerField(required=False, allow_null=True, **ID)

    def to_internal_value(self, data):
        data = {("start" if key == "from" else key): value for key, value in data.items()}
        if not data.get("specialist_id"):
            data.pop("specialist_id", None)
        return super().to_internal_value(data)


class AppointmentRequest(ClientFields):
    """A service at a time, with one specialist or (null or absent) any who is free: the API's fields."""

    service_id = serializers.IntegerField(**ID)
    specialist_id = serializers.IntegerField(required=False, allow_null=True, default=None, **ID)
    starts_at = ClinicDateTimeField()
