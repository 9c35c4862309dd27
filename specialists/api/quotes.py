"""`POST /api/v1/quotes`: the price a create would get, without booking. It takes the body of any create, told
apart by its fields (`service_id` an appointment, `item_id` an equipment booking, else a cabinet booking), and
answers with the price the one pricing function (kernel.pricing) gives it now: the quota is not touched, and
when today's quota is spent the price says so. It lives here, with the top resource, because it reads the bodies
of every resource's creates."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.clients import client_by_phone
from accounts.models import Client
from cabinets.api.serializers import CabinetBookingRequest
from cabinets.models import Cabinet
from cabinets.services import RESOURCE as CABINET
from equipment.api.serializers import EquipmentBookingRequest
from equipment.models import Item
from equipment.services import RESOURCE as EQUIPMENT
from kernel.adapters import adapter_for
from kernel.api import READ_AVAILABILITY, IsoDateField, PartnerAPIView, StrictSerializer, error_responses, parse
from kernel.contacts import normalize_phone
from kernel.errors import BookingError
from kernel.pricing.api import PRICE_EXAMPLE, QuoteOut, price_body
from kernel.pricing.services import price_quote
from specialists.api.serializers import AppointmentRequest
from specialists.models import Service
from specialists.services import RESOURCE as APPOINTMENT


class BirthdayField(IsoDateField):
    """A birthday: YYYY-MM-DD from 1900 on (the API's other dates start in 2000)."""

    default_error_messages = {**IsoDateField.default_error_messages,
                              "range": _("A birthday is a date from 1900-01-01 to today.")}

    def to_internal_value(self, data) -> date:
        if not isinstance(data, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data):
            self.fail("format")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("impossible")
        if not date(1900, 1, 1) <= value <= timezone.localdate():
            self.fail("range")
        return value


class QuoteFields(StrictSerializer):
    """What a quote does not need of a create's body (it is accepted, so the same body can be sent to both)."""

    client_name = serializers.CharField(max_length=200, required=False)
    client_phone = serializers.CharField(max_length=32, required=False,
                                         help_text="The client's own discount and stored birthday count when given.")
    client_birthday = BirthdayField(required=False, help_text="YYYY-MM-DD; wins over the client's stored birthday.")
    client_email = serializers.EmailField(required=False)
    external_booking_id = serializers.CharField(max_length=128, required=False)


class EquipmentQuoteRequest(QuoteFields, EquipmentBookingRequest):
    """The body of an equipment booking's create (`item_id`); the client and the external id are optional."""


class CabinetQuoteRequest(QuoteFields, CabinetBookingRequest):
    """The body of a cabinet booking's create, without `repeat`; the client and the external id are optional."""

    def validate(self, attrs):
        if "repeat" in attrs:
            raise serializers.ValidationError({"repeat": [_("A quote prices one booking: quote each date of a "
                                                            "series on its own.")]})
        return super().validate(attrs)


class AppointmentQuoteRequest(QuoteFields, AppointmentRequest):
    """The body of an appointment's create (`service_id`); the client and the external id are optional."""


def _found(model, pk: int, message, **queries):
    found = model.objects.filter(pk=pk, **queries).first()
    if found is None:
        raise BookingError("not_found", message, id=pk)
    return found


def _equipment(data: dict) -> tuple[str, dict, dict]:
    item = _found(Item, data["item_id"], _("Item not found."))
    request = {"item": item, "units": data["units"], "start_date": data["start_date"], "end_date": data["end_date"]}
    return EQUIPMENT, request, {"start_date": data["start_date"], "end_date": data["end_date"]}


def _cabinet(data: dict) -> tuple[str, dict, dict]:
    cabinet = _found(Cabinet, data["cabinet_id"], _("Cabinet not found."))
    items = Item.objects.in_bulk([line["item_id"] for line in data["equipment"]])
    missing = [line["item_id"] for line in data["equipment"] if line["item_id"] not in items]
    if missing:
        raise BookingError("not_found", _("Item not found."), item_ids=missing)
    request = {"cabinet": cabinet, "starts_at": data["starts_at"], "duration_minutes": data["duration_minutes"],
               "equipment": [(items[line["item_id"]], line["units"]) for line in data["equipment"]]}
    return CABINET, request, {"starts_at": data["starts_at"]}


def _appointment(data: dict) -> tuple[str, dict, dict]:
    service = _found(Service, data["service_id"], _("Service not found."), is_active=True)
    return APPOINTMENT, {"service": service, "starts_at": data["starts_at"]}, {"starts_at": data["starts_at"]}


# The field that tells a create's body apart -> its quote's shape and how it becomes a priced request.
KINDS = (("service_id", AppointmentQuoteRequest, _appointment), ("item_id", EquipmentQuoteRequest, _equipment))
DEFAULT = (CabinetQuoteRequest, _cabinet)


def _client(phone: str | None) -> Client | None:
    """The client of the phone sent, which must be a phone number when it is sent at all."""
    return client_by_phone(normalize_phone(phone)) if phone else None


class QuotesView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="quote", tags=["Prices"], summary="What a booking would cost, without booking",
        description="Scope `read:availability`. Send the body of any create: with `service_id` it is an "
                    "appointment, with `item_id` an equipment booking, otherwise a cabinet booking (a series' "
                    "`repeat` is refused: quote one date). The answer is the price that create would get now: a "
                    "`base` line per priced thing booked (an appointment costs its service's price alone), then at "
                    "most one `discount` (the best rule that applies; rules do not stack), the lines adding up to "
                    "`total`. With `client_phone` the client's own discount and stored birthday count; "
                    "`client_birthday` wins over the stored one. Nothing is booked and the daily discount quota is "
                    "not used; when today's quota is already spent the price is the full one with an `info` line. "
                    "Labels follow Accept-Language. A time or dates that could never be booked are refused as "
                    "a create would refuse them.",
        request=PolymorphicProxySerializer(component_name="QuoteRequest", resource_type_field_name=None,
                                           serializers=[AppointmentQuoteRequest, EquipmentQuoteRequest,
                                                        CabinetQuoteRequest]),
        responses={200: QuoteOut, **error_responses(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample("appointment", request_only=True, value={
                "service_id": 1, "starts_at": "2026-12-01T10:00:00+03:00", "client_phone": "+7 999 123-45-67",
                "client_birthday": "1990-12-01"}),
            OpenApiExample("equipment", request_only=True, value={
                "item_id": 7, "start_date": "2026-12-01", "end_date": "2026-12-03", "units": 1}),
            OpenApiExample("price", response_only=True, value={"price": PRICE_EXAMPLE}),
        ],
    )
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        shape, read = next(((shape, read) for field, shape, read in KINDS if field in body), DEFAULT)
        data = parse(shape, request.data)
        resource_type, price_request, window = read(data)
        now = timezone.now()
        adapter_for(resource_type).check_window(now=now, **window)
        price = price_quote(resource_type=resource_type, request=price_request, now=now,
                            client=_client(data.get("client_phone")), client_birthday=data.get("client_birthday"))
        return Response({"price": price_body(price)})
