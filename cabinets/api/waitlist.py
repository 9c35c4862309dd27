"""The partner waitlist: join for an item's units on some days or for a cabinet window, poll the place, leave,
and accept an offer. The waitlist services decide; these views parse and render. (Here rather than in the
equipment app because one endpoint serves both kinds, and only cabinets may import equipment.)"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cabinets.api import views as cabinet_views
from cabinets.api.serializers import CabinetBookingOut
from cabinets.models import Cabinet
from cabinets.waitlist import RESOURCE as CABINET
from cabinets.waitlist import cabinet_wait_accept, cabinet_wait_join_for_partner
from equipment.api import views as equipment_views
from equipment.api.serializers import EquipmentBookingOut
from equipment.models import Item
from equipment.waitlist import RESOURCE as EQUIPMENT
from equipment.waitlist import equipment_wait_accept, equipment_wait_join_for_partner
from kernel.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    WRITE_BOOKINGS,
    ClinicDateTimeField,
    IsoDateField,
    PartnerAPIView,
    StrictSerializer,
    created,
    error_responses,
    idempotency_key,
    local_iso,
    parse,
)
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.waitlist.models import Wait, WaitStatus
from kernel.waitlist.services import wait_cancel, wait_position

TAG = "Waitlist"
ID = {"min_value": 1, "max_value": 2_147_483_647}
WAIT_ID_PARAMETER = OpenApiParameter("wait_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="The `id` the join answered with.")


class WaitRequest(StrictSerializer):
    item_id = serializers.IntegerField(**ID, required=False, help_text="Wait for units of this item, or…")
    cabinet_id = serializers.IntegerField(**ID, required=False, help_text="…for a window of this cabinet.")
    start_date = IsoDateField(required=False, help_text="Equipment: the first day.")
    end_date = IsoDateField(required=False, help_text="Equipment: the last day (the first when omitted).")
    units = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1,
                                     help_text="Equipment: units needed on every day.")
    starts_at = ClinicDateTimeField(required=False, help_text="Cabinet: the window's start (a slot start).")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False,
                                                help_text="Cabinet: a whole number of slots.")
    client_name = serializers.CharField(max_length=200)
    client_phone = serializers.CharField(max_length=32)
    external_booking_id = serializers.CharField(max_length=128,
                                                help_text="Your id; the booking made from the offer carries it.")

    def validate(self, attrs):
        if ("item_id" in attrs) == ("cabinet_id" in attrs):
            raise serializers.ValidationError(_("Give either item_id or cabinet_id."))
        if "item_id" in attrs:
            if "start_date" not in attrs:
                raise serializers.ValidationError({"start_date": [_("This field is required.")]})
            if "starts_at" in attrs or "duration_minutes" in attrs:
                raise serializers.ValidationError(_("starts_at and duration_minutes are for cabinets."))
        else:
            missing = [name for name in ("starts_at", "duration_minutes") if name not in attrs]
            if missing:
                raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
            if "start_date" in attrs or "end_date" in attrs:
                raise serializers.ValidationError(_("start_date and end_date are for items."))
        return attrs


class WaitOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(WaitStatus.choices)
    position = serializers.IntegerField(allow_null=True, help_text="1 = first in line; null once out of the queue.")
    external_booking_id = serializers.CharField()
    item_id = serializers.IntegerField(allow_null=True)
    cabinet_id = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    units = serializers.IntegerField()
    client_name = serializers.CharField()
    client_phone = serializers.CharField()
    offer_expires_at = serializers.DateTimeField(allow_null=True,
                                                 help_text="While `offered`: accept before this instant.")
    booking_id = serializers.IntegerField(allow_null=True, help_text="Once `booked`: the booking made.")
    created_at = serializers.DateTimeField()


def wait_body(wait: Wait) -> dict:
    return {
        "id": wait.pk, "status": wait.status, "position": wait_position(wait),
        "external_booking_id": wait.external_booking_id,
        "item_id": wait.resource_id if wait.resource_type == EQUIPMENT else None,
        "cabinet_id": wait.resource_id if wait.resource_type == CABINET else None,
        "start_date": wait.start_date.isoformat(), "end_date": wait.end_date.isoformat(),
        "starts_at": local_iso(wait.starts_at) if wait.starts_at else None,
        "ends_at": local_iso(wait.ends_at) if wait.ends_at else None, "units": wait.units,
        "client_name": wait.client_name, "client_phone": wait.client_phone,
        "offer_expires_at": local_iso(wait.offer_expires_at) if wait.status == Wait.Status.OFFERED else None,
        "booking_id": wait.booking_id, "created_at": local_iso(wait.created_at),
    }


WAIT_EXAMPLE = {
    "id": 5, "status": "waiting", "position": 2, "external_booking_id": "crm-901", "item_id": 7, "cabinet_id": None,
    "start_date": "2026-12-01", "end_date": "2026-12-03", "starts_at": None, "ends_at": None, "units": 1,
    "client_name": "Иван Петров", "client_phone": "+79991234567", "offer_expires_at": None, "booking_id": None,
    "created_at": "2026-11-23T10:00:00+03:00",
}


def _own_wait(partner, wait_id: int) -> Wait:
    wait = Wait.objects.filter(pk=wait_id, partner=partner).first()
    if wait is None:
        raise BookingError("not_found", _("Waitlist entry not found."), wait_id=wait_id)
    return wait


class WaitlistView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="waitlist_join", tags=[TAG], summary="Wait for units of an item or a cabinet window",
        description="Scope `write:bookings`. For a request refused for capacity: `item_id` with `start_date`, "
                    "`end_date` and `units`, or `cabinet_id` with `starts_at` and `duration_minutes`; every other "
                    "rule is checked as for a booking. When the capacity frees up and this is the earliest wait it "
                    "fits, it becomes `offered`: the capacity is held for you until `offer_expires_at` "
                    "(WAITLIST_OFFER_MINUTES, 30 by default); accept it with `POST /api/v1/waitlist/{id}/accept`, "
                    "or it passes to the next wait. Offers are also recorded as `waitlist.offered` events for "
                    "partner webhooks. Idempotent on `external_booking_id` (and `Idempotency-Key`) like bookings.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=WaitRequest,
        responses={201: WaitOut, **error_responses(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample("item", request_only=True, value={
                "item_id": 7, "start_date": "2026-12-01", "end_date": "2026-12-03", "units": 1,
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-901"}),
            OpenApiExample("cabinet", request_only=True, value={
                "cabinet_id": 1, "starts_at": "2026-12-01T10:00:00+03:00", "duration_minutes": 60,
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-902"}),
            OpenApiExample("joined", response_only=True, status_codes=["201"], value=WAIT_EXAMPLE),
        ],
    )
    def post(self, request):
        data = parse(WaitRequest, request.data)
        common = {"partner": self.partner, "external_booking_id": data["external_booking_id"],
                  "client_name": data["client_name"], "client_phone": data["client_phone"], "now": timezone.now(),
                  "idempotency_key": idempotency_key(request)}
        if "item_id" in data:
            item = Item.objects.filter(pk=data["item_id"]).first()
            if item is None:
                raise BookingError("not_found", _("Item not found."), item_id=data["item_id"])
            wait, replayed = equipment_wait_join_for_partner(
                item=item, start_date=data["start_date"], end_date=data.get("end_date") or data["start_date"],
                units=data["units"], **common)
        else:
            cabinet = Cabinet.objects.filter(pk=data["cabinet_id"]).first()
            if cabinet is None:
                raise BookingError("not_found", _("Cabinet not found."), cabinet_id=data["cabinet_id"])
            wait, replayed = cabinet_wait_join_for_partner(
                cabinet=cabinet, starts_at=data["starts_at"], duration_minutes=data["duration_minutes"], **common)
        wait.refresh_from_db()  # it may have been offered at once, right after the join committed
        return created(wait_body(wait), replayed=replayed)


class WaitDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="waitlist_read", tags=[TAG], summary="One of your waits: its place, or its offer",
        description="Scope `write:bookings`. `status` is `waiting` (with `position`), `offered` (with "
                    "`offer_expires_at`), `booked` (with `booking_id`), or `declined`, `expired`, `cancelled`, "
                    "`dropped` (its dates passed).",
        parameters=[WAIT_ID_PARAMETER],
        responses={200: WaitOut, **error_responses(403, 404)},
        examples=[OpenApiExample("offered", response_only=True, value={
            **WAIT_EXAMPLE, "status": "offered", "position": 1,
            "offer_expires_at": "2026-11-24T12:30:00+03:00"})],
    )
    def get(self, request, wait_id: int):
        return Response(wait_body(_own_wait(self.partner, wait_id)))

    @extend_schema(
        operation_id="waitlist_leave", tags=[TAG], summary="Leave the waitlist",
        description="Scope `write:bookings`. An open offer passes to the next wait. A wait that has already left "
                    "the queue is 409.",
        parameters=[WAIT_ID_PARAMETER],
        responses={200: WaitOut, **error_responses(403, 404, 409)},
        examples=[OpenApiExample("left", response_only=True, value={**WAIT_EXAMPLE, "status": "cancelled",
                                                                     "position": None})],
    )
    def delete(self, request, wait_id: int):
        wait = wait_cancel(wait=_own_wait(self.partner, wait_id), actor=Actor.for_partner(self.partner),
                           now=timezone.now())
        return Response(wait_body(wait))


BOOKING_OUT = PolymorphicProxySerializer(component_name="WaitlistBooking",
                                         serializers=[EquipmentBookingOut, CabinetBookingOut],
                                         resource_type_field_name=None)


class WaitAcceptView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="waitlist_accept", tags=[TAG], summary="Accept an offer: book what is held for you",
        description="Scope `write:bookings`. Makes the booking (approved at once, like your other bookings, with "
                    "the wait's `external_booking_id`) and answers with it exactly as the equipment or cabinet "
                    "booking endpoints do. Accepting again returns the same booking with `Idempotent-Replayed: "
                    "true`. A wait that is not offered is 409 `not_offered`; an expired offer 409 `offer_expired`.",
        parameters=[WAIT_ID_PARAMETER],
        request=None,
        responses={201: BOOKING_OUT, **error_responses(403, 404, 409)},
    )
    def post(self, request, wait_id: int):
        wait = _own_wait(self.partner, wait_id)
        replayed = wait.status == Wait.Status.BOOKED
        actor, now = Actor.for_partner(self.partner), timezone.now()
        if wait.resource_type == EQUIPMENT:
            booking = equipment_wait_accept(wait=wait, actor=actor, now=now)
            return created(equipment_views.booking_body(booking), replayed=replayed)
        booking = cabinet_wait_accept(wait=wait, actor=actor, now=now)
        return created(cabinet_views.booking_body(booking), replayed=replayed)
