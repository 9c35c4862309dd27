"""Cabinet endpoints: the list, one day's slots, the free-slot grid and partner cabinet bookings. The slot
calculator and the services decide; these views parse and render."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework.response import Response

from cabinets.api import answers
from cabinets.api import serializers as s
from cabinets.api.series import SERIES_EXAMPLE, CabinetSeriesOut, series_create
from cabinets.availability import cabinets_days
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import RESOURCE, cabinet_booking_cancel, cabinet_booking_create_for_partner
from equipment.models import Item
from kernel.api import (
    IDEMPOTENCY_KEY_PARAMETER,
    READ_AVAILABILITY,
    READ_ITEMS,
    WRITE_BOOKINGS,
    PartnerAPIView,
    cancel_once,
    created,
    error_responses,
    idempotency_key,
    local_iso,
    parse,
    partner_booking,
)
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.pricing.api import booking_price_body

TAG_CABINETS = "Cabinets"
TAG_BOOKINGS = "Cabinet bookings"
EXTERNAL_ID_PARAMETER = OpenApiParameter("external_booking_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                         description="Your id of the booking.")
CABINET_ID_PARAMETER = OpenApiParameter("cabinet_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CabinetsView(PartnerAPIView):
    required_scope = READ_ITEMS

    @extend_schema(
        operation_id="cabinets_list", tags=[TAG_CABINETS], summary="Every cabinet",
        description="Scope `read:items`.",
        responses={200: s.CabinetsOut, **error_responses(403)},
        examples=[OpenApiExample("cabinets", response_only=True, value={"cabinets": [
            {"id": 1, "name": "Кабинет №1", "number": "1", "floor": 2, "is_active": True}]})],
    )
    def get(self, request):
        return Response({"cabinets": [
            {"id": c.pk, "name": c.name, "number": c.number, "floor": c.floor, "is_active": c.is_active}
            for c in Cabinet.objects.order_by("sort_order", "id")
        ]})


class CabinetSlotsView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="cabinet_slots", tags=[TAG_CABINETS], summary="A cabinet's slots on one day",
        description="Scope `read:availability`. Every slot of the day with its state; `durations` lists the "
                    "booking lengths (minutes) that fit from a free slot. `closed_reason` says why a day has no "
                    "slots. Times are clinic time. `reason` says in a machine word why the day is closed "
                    "(`holiday`, `closed`), else null; each slot's `reason` says why it is not free (`booked`, "
                    "`held`), else null; `breaks` lists the gaps between slots (`lunch`, or `closed` for a closure "
                    "of part of the day).",
        parameters=[CABINET_ID_PARAMETER, OpenApiParameter("date", OpenApiTypes.DATE, required=True,
                                                           description="YYYY-MM-DD")],
        responses={200: s.SlotsOut, **error_responses(400, 403, 404)},
        examples=[OpenApiExample("slots", response_only=True, value={
            "cabinet_id": 1, "date": "2026-12-01", "closed_reason": None, "slots": [
                {"start": "10:00", "end": "10:30", "available": True, "state": "free", "durations": [30, 60, 90],
                 "reason": None},
                {"start": "10:30", "end": "11:00", "available": False, "state": "taken", "durations": [],
                 "reason": "booked"}],
            "reason": None, "breaks": [{"start": "13:00", "end": "14:00", "reason": "lunch"}]})],
    )
    def get(self, request, cabinet_id: int):
        day = parse(s.DateQuery, request.query_params)["date"]
        return Response(answers.cabinet_slots(cabinet_id, day, timezone.now()))


class CabinetsAvailabilityView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="cabinets_availability", tags=[TAG_CABINETS], summary="Free slots of every active cabinet",
        description="Scope `read:availability`. For each active cabinet and each day of the range (at most 90 "
                    "days), the start times of the slots that can be booked now.",
        parameters=[OpenApiParameter("start_date", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
                    OpenApiParameter("end_date", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD")],
        responses={200: s.GridOut, **error_responses(400, 403)},
        examples=[OpenApiExample("grid", response_only=True, value={"cabinets": [
            {"id": 1, "name": "Кабинет №1", "days": [{"date": "2026-12-01", "free": ["10:00", "10:30"]}]}]})],
    )
    def get(self, request):
        data = parse(s.RangeQuery, request.query_params)
        cabinets = list(Cabinet.objects.filter(is_active=True).order_by("sort_order", "id"))
        grid = cabinets_days(cabinets=cabinets, start_date=data["start_date"], end_date=data["end_date"],
                             now=timezone.now())
        return Response({"cabinets": [
            {"id": cabinet.pk, "name": cabinet.name, "days": [
                {"date": day.isoformat(), "free": cabinet_day_.free_times()}
                for day, cabinet_day_ in grid.get(cabinet.pk, {}).items()
            ]}
            for cabinet in cabinets
        ]})


def booking_body(booking: CabinetBooking) -> dict:
    return {
        "id": booking.pk, "reference": booking.reference, "external_booking_id": booking.external_booking_id,
        "cabinet_id": booking.cabinet_id,
        "starts_at": local_iso(booking.starts_at), "ends_at": local_iso(booking.ends_at), "status": booking.status,
        "payment_status": "not_required",
        "equipment": [{"item_id": line.item_id, "item_name": line.item.name, "units": line.units}
                      for line in booking.equipment_bookings.select_related("item").order_by("item_id")],
        "client_name": booking.client_name, "client_phone": booking.client_phone, "comment": booking.comment,
        "series_id": booking.series_id, "price": booking_price_body(RESOURCE, booking),
        "created_at": local_iso(booking.created_at),
    }


BOOKING_EXAMPLE = {
    "id": 17, "reference": "C-17", "external_booking_id": "crm-777", "cabinet_id": 1,
    "starts_at": "2026-12-01T10:00:00+03:00",
    "ends_at": "2026-12-01T11:30:00+03:00", "status": "approved", "payment_status": "not_required",
    "equipment": [{"item_id": 7, "item_name": "Accent", "units": 1}], "client_name": "Иван Петров",
    "client_phone": "+79991234567", "comment": "", "series_id": None, "created_at": "2026-11-23T10:00:00+03:00",
    "price": {"currency": "RUB", "total": "3500.00", "lines": [
        {"kind": "base", "label": "Кабинет №1 · 3 slots × 1,000 ₽", "amount": "3000.00"},
        {"kind": "base", "label": "Accent · 1 pc × 1 day × 500 ₽", "amount": "500.00"}]},
}


def _partner_booking(partner, external_booking_id: str) -> CabinetBooking:
    return partner_booking(CabinetBooking.objects, partner=partner, external_booking_id=external_booking_id)


class CabinetBookingsView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="cabinet_booking_create", tags=[TAG_BOOKINGS],
        summary="Book consecutive slots of a cabinet, optionally with equipment",
        description="Scope `write:bookings`. Approved at once. The cabinet and its equipment are booked together "
                    "or not at all. The start must be a slot start at least 60 minutes and at most 30 days ahead; "
                    "the length a whole number of slots (at most 6) that does not cross lunch or closing. A start "
                    "in the lunch break or a window running into it is `closed` with `details.reason` `lunch` "
                    "(and `lunch_start`, `lunch_end`). A repeat "
                    "with the same `external_booking_id` (or `Idempotency-Key`) and the same data returns the "
                    "original booking with `Idempotent-Replayed: true`; different data is 409. A taken, held or "
                    "closed time (`slot_taken`, `held`, `closed`, or `no_capacity` for the equipment) lists in "
                    "`details.alternatives` up to 3 nearest free windows of the same length (the same day in this "
                    "cabinet, then in others, then the next open days), where the equipment is free too: "
                    "`{\"cabinet_id\", \"cabinet_name\", \"starts_at\", \"duration_minutes\"}`, ready to post.\n\n"
                    "With `repeat` it books a series: every `every_weeks` (1-4) weeks at the same local time, "
                    "`count` (at most 26) times or until `until`. Every date is checked like a single booking "
                    "(only the first must be within 30 days; the last within 365); all dates or none, a 409 "
                    "`series_conflict` listing the dates and reasons in `details.conflicts`, unless "
                    "`skip_conflicts` books the free ones and returns the others in `skipped`. The answer is the "
                    "series; its occurrences get the external ids `<external_booking_id>#1`, `#2`...",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.CabinetBookingRequest,
        responses={201: PolymorphicProxySerializer(component_name="CabinetBookingOrSeries",
                                                   serializers=[s.CabinetBookingOut, CabinetSeriesOut],
                                                   resource_type_field_name=None),
                   **error_responses(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample("series request", request_only=True, value={
                "cabinet_id": 1, "starts_at": "2026-12-01T10:00:00+03:00", "duration_minutes": 60,
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-900",
                "repeat": {"every_weeks": 1, "count": 3, "skip_conflicts": True}}),
            OpenApiExample("series created", response_only=True, status_codes=["201"], value=SERIES_EXAMPLE),
            OpenApiExample("request", request_only=True, value={
                "cabinet_id": 1, "starts_at": "2026-12-01T10:00:00+03:00", "duration_minutes": 90,
                "equipment": [{"item_id": 7, "units": 1}], "client_name": "Иван Петров",
                "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-777", "client_birthday": "1985-04-12",
                "client_email": "ivan.petrov@example.com"}),
            OpenApiExample("created", response_only=True, status_codes=["201"], value=BOOKING_EXAMPLE),
        ],
    )
    def post(self, request):
        data = parse(s.CabinetBookingRequest, request.data)
        cabinet = Cabinet.objects.filter(pk=data["cabinet_id"]).first()
        if cabinet is None:
            raise BookingError("not_found", _("Cabinet not found."), cabinet_id=data["cabinet_id"])
        items = Item.objects.in_bulk([line["item_id"] for line in data["equipment"]])
        missing = [line["item_id"] for line in data["equipment"] if line["item_id"] not in items]
        if missing:
            raise BookingError("not_found", _("Item not found."), item_ids=missing)
        if "repeat" in data:
            return series_create(self, request, data, cabinet,
                                 [(items[line["item_id"]], line["units"]) for line in data["equipment"]])
        booking, replayed = cabinet_booking_create_for_partner(
            partner=self.partner, external_booking_id=data["external_booking_id"], cabinet=cabinet,
            starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
            equipment=[(items[line["item_id"]], line["units"]) for line in data["equipment"]],
            client_name=data["client_name"], client_phone=data["client_phone"], comment=data["comment"],
            now=timezone.now(), idempotency_key=idempotency_key(request),
            client_birthday=data.get("client_birthday"), client_email=data["client_email"],
        )
        return created(booking_body(booking), replayed=replayed)


class CabinetBookingDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="cabinet_booking_read", tags=[TAG_BOOKINGS], summary="One of your cabinet bookings",
        description="Scope `write:bookings`.", parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.CabinetBookingOut, **error_responses(403, 404)},
        examples=[OpenApiExample("booking", response_only=True, value=BOOKING_EXAMPLE)],
    )
    def get(self, request, external_booking_id: str):
        return Response(booking_body(_partner_booking(self.partner, external_booking_id)))

    @extend_schema(
        operation_id="cabinet_booking_cancel", tags=[TAG_BOOKINGS], summary="Cancel one of your cabinet bookings",
        description="Scope `write:bookings`. Frees the slots and the equipment at once and answers with the "
                    "cancelled booking. A repeated cancel answers 200 with the booking as it is (safe to retry); "
                    "one that was rejected or has completed is 409 `bad_transition`.",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.CabinetBookingOut, **error_responses(403, 404, 409)},
        examples=[OpenApiExample("cancelled", response_only=True, value={**BOOKING_EXAMPLE, "status": "cancelled"})],
    )
    def delete(self, request, external_booking_id: str):
        booking = cancel_once(_partner_booking(self.partner, external_booking_id),
                              lambda booking: cabinet_booking_cancel(
                                  booking=booking, actor=Actor.for_partner(self.partner), now=timezone.now(),
                                  channel=Channel.API))
        return Response(booking_body(booking))
