"""Equipment endpoints: the old system's paths and shapes, and the new equipment bookings. Each view parses
the shape, asks the calculator or a service, and renders; the rules live in equipment.services."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from equipment.api import answers
from equipment.api import serializers as s
from equipment.availability import equipment_grid
from equipment.models import EquipmentBooking, Item
from equipment.services import (
    RESOURCE,
    equipment_booking_cancel,
    equipment_booking_create_for_partner,
)
from kernel import rows
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
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.pricing.api import booking_price_body
from kernel.scheduling import date_range

TAG_SEED = "Equipment (compatible with the old API)"
TAG_NEW = "Equipment bookings"
ITEM_NAME_PARAMETER = OpenApiParameter("item_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                       description="The exact item name, URL-encoded (e.g. `Infini%2C%20УФА`).")
EXTERNAL_ID_PARAMETER = OpenApiParameter("external_booking_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                         description="Your id of the booking.")


def _today():
    return timezone.localdate()


# --- The old system's endpoints -------------------------------------------------------------------


class ItemsView(PartnerAPIView):
    required_scope = READ_ITEMS

    @extend_schema(
        operation_id="items_list", tags=[TAG_SEED], summary="Every item, inactive and reserved ones included",
        description="Scope `read:items`. Sorted by sort order, then id. `cabinet_id` is present only for items "
                    "installed in a cabinet.",
        responses={200: s.ItemsOut, **error_responses(403)},
        examples=[OpenApiExample("items", response_only=True, value={"items": [{
            "id": 7, "name": "Infini, УФА", "description": "", "category": "Лазеры", "total_quantity": 1,
            "sort_order": 3, "is_active": True, "permanent_reserved": False,
            "created_at": "2026-11-01T09:00:00+03:00", "updated_at": "2026-11-20T18:30:00+03:00"}]})],
    )
    def get(self, request):
        return Response({"items": answers.items_list()})


class ItemAvailabilityView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="item_availability", tags=[TAG_SEED], summary="One item on one day",
        description="Scope `read:availability`. `available` is true when a partner can book one unit of the "
                    "item for that whole day: it has a free unit and is active, not permanently reserved and not "
                    "installed in a cabinet. `booked_count` is the peak number of units in use that day, over "
                    "every channel (Telegram, admin, partners). `blocked_count` counts the units that are not "
                    "booked but cannot be used either: resting after a booking (the item's turnaround days) or "
                    "out of service (maintenance). `reason` says why the day is not available (`booked`, "
                    "`maintenance`, `turnaround`, or why the item cannot be booked by partners), else null.",
        parameters=[ITEM_NAME_PARAMETER, OpenApiParameter("date", OpenApiTypes.DATE, required=True,
                                                          description="YYYY-MM-DD")],
        responses={200: s.AvailabilityOut, **error_responses(400, 403, 404)},
        examples=[OpenApiExample("free", response_only=True,
                                 value={"available": True, "booked_count": 1, "total": 3, "blocked_count": 0,
                                        "reason": None})],
    )
    def get(self, request, item_name: str):
        day = parse(s.DateQuery, request.query_params)["date"]
        return Response(answers.item_availability(answers.item_by_name(item_name), day, self.partner))


class BulkAvailabilityView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="availability_bulk", tags=[TAG_SEED], summary="Many items on many days",
        description="Scope `read:availability`. Either `dates` or `start_date`/`end_date`; at most 100 items "
                    "and 90 days. Results are item-major, in the order asked. Unknown names are skipped and "
                    "listed in `unknown_items`.",
        request=s.BulkAvailabilityRequest,
        responses={200: s.BulkAvailabilityOut, **error_responses(400, 403, 413)},
        examples=[
            OpenApiExample("dates", request_only=True,
                           value={"items": ["Infini, УФА", "Accent"], "dates": ["2026-12-01", "2026-12-02"]}),
            OpenApiExample("range", request_only=True,
                           value={"items": ["Accent"], "start_date": "2026-12-01", "end_date": "2026-12-07"}),
            OpenApiExample("results", response_only=True, value={"results": [
                {"item_name": "Accent", "date": "2026-12-01", "available": True, "booked_count": 2, "total": 3,
                 "blocked_count": 0, "reason": None}],
                "unknown_items": []}),
        ],
    )
    def post(self, request):
        data = parse(s.BulkAvailabilityRequest, request.data)
        days = data["dates"] if "dates" in data else list(date_range(data["start_date"], data["end_date"]))
        return Response(answers.bulk_availability(data["items"], days, self.partner))


class ItemsAvailabilityView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="items_availability", tags=[TAG_SEED], summary="Active items over a date range",
        description="Scope `read:availability`. Active items only, optionally filtered by `item_ids`, "
                    "`cabinet_id` and `category`; at most 90 days. A day that cannot be booked says why: "
                    "`reserved` (permanently reserved), `installed_in_cabinet` (booked only with its cabinet) "
                    "or `booked` (no free unit).",
        request=s.ItemsAvailabilityRequest,
        responses={200: s.ItemsAvailabilityOut, **error_responses(400, 403, 413)},
        examples=[
            OpenApiExample("request", request_only=True,
                           value={"start_date": "2026-12-01", "end_date": "2026-12-03", "item_ids": [7]}),
            OpenApiExample("answer", response_only=True, value={
                "items": [{"id": 7, "name": "Accent", "availability": [
                    {"date": "2026-12-01", "available": True},
                    {"date": "2026-12-02", "available": False, "reason": "booked"}]}],
                "period": {"start": "2026-12-01", "end": "2026-12-03"}}),
        ],
    )
    def post(self, request):
        data = parse(s.ItemsAvailabilityRequest, request.data)
        start, end = data["start_date"], data["end_date"]
        query = Q(is_active=True)
        if "item_ids" in data:
            query &= Q(pk__in=data["item_ids"])
        if "cabinet_id" in data:
            query &= Q(cabinet_id=data["cabinet_id"])
        if "category" in data:
            query &= Q(category=data["category"])
        items = list(Item.objects.filter(query).order_by("sort_order", "id"))
        grid = equipment_grid(items=items, start_date=start, end_date=end)
        actor = Actor.for_partner(self.partner)
        answer = []
        for item in items:
            refusal = answers.refusal(item, actor)
            days = []
            for day in date_range(start, end):
                if refusal is not None:
                    days.append({"date": day.isoformat(), "available": False, "reason": refusal})
                elif grid.free(item.pk, day) >= 1:
                    days.append({"date": day.isoformat(), "available": True})
                else:
                    days.append({"date": day.isoformat(), "available": False, "reason": "booked"})
            row = {"id": item.pk, "name": item.name, "availability": days}
            if item.cabinet_id is not None:
                row["cabinet_id"] = item.cabinet_id
            answer.append(row)
        return Response({"items": answer, "period": {"start": start.isoformat(), "end": end.isoformat()}})


class DevicesView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="devices_list", tags=[TAG_SEED], summary="Active items and whether they are free on a day",
        description="Scope `read:availability`. Active items in a stable order (sort order, then id); permanently "
                    "reserved ones only with `include_reserved=true`. `date` defaults to today in clinic time.",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="YYYY-MM-DD"),
                    OpenApiParameter("include_reserved", OpenApiTypes.BOOL)],
        responses={200: s.DevicesOut, **error_responses(400, 403)},
        examples=[OpenApiExample("devices", response_only=True, value={"devices": [
            {"id": 7, "name": "Accent", "description": "Радиочастотный аппарат", "available": True,
             "permanent_reserved": False}]})],
    )
    def get(self, request):
        data = parse(s.DevicesQuery, request.query_params)
        day = data.get("date") or _today()
        query = Q(is_active=True) if data["include_reserved"] else Q(is_active=True, permanently_reserved=False)
        items = list(Item.objects.filter(query).order_by("sort_order", "id"))
        grid = equipment_grid(items=items, start_date=day, end_date=day)
        actor = Actor.for_partner(self.partner)
        devices = []
        for item in items:
            row = {"id": item.pk, "name": item.name}
            if item.description:
                row["description"] = item.description
            row["available"] = answers.item_days(grid, item, [day], answers.refusal(item, actor))[0]["available"]
            if item.cabinet_id is not None:
                row["cabinet_id"] = item.cabinet_id
            row["permanent_reserved"] = item.permanently_reserved
            devices.append(row)
        return Response({"devices": devices})


def _item_for_booking(*, item_id: int | None = None, name: str | None = None) -> Item:
    item = rows.first(Item, pk=item_id) if item_id else answers.item_by_name(name or "")
    if item is None:
        raise BookingError("not_found", _("Item not found."), item_id=item_id)
    return item


class BookDeviceView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS
    error_extra = {"success": False}

    @extend_schema(
        operation_id="book_device", tags=[TAG_SEED], summary="Book one unit of a device for one day",
        description="Scope `write:bookings`. The booking is approved at once and counts against the same units "
                    "as every other channel's; a full device is 409. Repeating the request with the same "
                    "`external_booking_id` and the same data returns the same `booking_id` "
                    "(`Idempotent-Replayed: true`); different data is 409. Errors also carry `success: false`.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.BookDeviceRequest,
        responses={200: s.BookDeviceOut, **error_responses(400, 403, 404, 409, 413, serializer=s.BookDeviceErrorOut)},
        examples=[
            OpenApiExample("request", request_only=True, value={
                "device_id": 7, "date": "2026-12-01", "external_booking_id": "crm-12345",
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67"}),
            OpenApiExample("booked", response_only=True, value={"success": True, "booking_id": 42}),
        ],
    )
    def post(self, request):
        data = parse(s.BookDeviceRequest, request.data)
        item = _item_for_booking(item_id=data.get("device_id"), name=data.get("device_name"))
        booking, replayed = equipment_booking_create_for_partner(
            partner=self.partner, external_booking_id=data["external_booking_id"], item=item,
            start_date=data["date"], end_date=data["date"], units=1, client_name=data["client_name"],
            client_phone=data["client_phone"], now=timezone.now(), idempotency_key=idempotency_key(request),
            client_birthday=data.get("client_birthday"), client_email=data["client_email"],
        )
        return created({"success": True, "booking_id": booking.pk}, replayed=replayed, status_code=status.HTTP_200_OK)


def _partner_booking(partner, external_booking_id: str) -> EquipmentBooking:
    return partner_booking(EquipmentBooking.objects.select_related("item"), partner=partner,
                           external_booking_id=external_booking_id)


class BookDeviceCancelView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS
    error_extra = {"success": False}

    @extend_schema(
        operation_id="book_device_cancel", tags=[TAG_SEED], summary="Cancel a device booking",
        description="Scope `write:bookings`. 404 when the id is unknown or the booking is already cancelled.",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.SuccessOut, **error_responses(403, 404, 409, serializer=s.BookDeviceErrorOut)},
        examples=[OpenApiExample("cancelled", response_only=True, value={"success": True})],
    )
    def delete(self, request, external_booking_id: str):
        booking = _partner_booking(self.partner, external_booking_id)
        if booking.status == Status.CANCELLED:
            raise BookingError("not_found", _("Booking not found or already cancelled."),
                               external_booking_id=external_booking_id)
        equipment_booking_cancel(booking=booking, actor=Actor.for_partner(self.partner), now=timezone.now(),
                                 channel=Channel.API)
        return Response({"success": True})


# --- Equipment bookings ---------------------------------------------------------------------------


def booking_body(booking: EquipmentBooking) -> dict:
    return {
        "id": booking.pk, "reference": booking.reference, "external_booking_id": booking.external_booking_id,
        "item_id": booking.item_id,
        "item_name": booking.item.name, "start_date": booking.start_date.isoformat(),
        "end_date": booking.end_date.isoformat(), "units": booking.units, "status": booking.status,
        "payment_status": "not_required",
        "client_name": booking.client_name, "client_phone": booking.client_phone, "comment": booking.comment,
        "price": booking_price_body(RESOURCE, booking), "created_at": local_iso(booking.created_at),
    }


BOOKING_EXAMPLE = {
    "id": 42, "reference": "E-42", "external_booking_id": "crm-12345", "item_id": 7, "item_name": "Accent",
    "start_date": "2026-12-01",
    "end_date": "2026-12-03", "units": 1, "status": "approved", "payment_status": "not_required",
    "client_name": "Иван Петров",
    "client_phone": "+79991234567", "comment": "", "created_at": "2026-11-23T10:00:00+03:00",
    "price": {"currency": "RUB", "total": "1500.00", "lines": [
        {"kind": "base", "label": "Accent · 1 pc × 3 days × 500 ₽", "amount": "1500.00"}]},
}


class EquipmentBookingsView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="equipment_booking_create", tags=[TAG_NEW], summary="Book units of an item for whole days",
        description="Scope `write:bookings`. Approved at once. Dates are not in the past, at most 365 days "
                    "ahead, at most 31 days long. A repeat with the same `external_booking_id` (or "
                    "`Idempotency-Key`) and the same data returns the original booking with "
                    "`Idempotent-Replayed: true`; different data, or an id of a cancelled booking, is 409. A "
                    "request that does not fit (`no_capacity`) lists in `details.alternatives` up to 3 nearest "
                    "start dates (within 14 days) for the same units and length, then up to 3 other items of the "
                    "same category free on the asked days: `{\"item_id\", \"item_name\", \"start_date\", "
                    "\"end_date\", \"units\"}`, ready to post.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.EquipmentBookingRequest,
        responses={201: s.EquipmentBookingOut, **error_responses(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample("request", request_only=True, value={
                "item_id": 7, "start_date": "2026-12-01", "end_date": "2026-12-03", "units": 1,
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67",
                "external_booking_id": "crm-12345", "comment": "До обеда", "client_birthday": "1985-04-12",
                "client_email": "ivan.petrov@example.com"}),
            OpenApiExample("created", response_only=True, status_codes=["201"], value=BOOKING_EXAMPLE),
        ],
    )
    def post(self, request):
        data = parse(s.EquipmentBookingRequest, request.data)
        item = _item_for_booking(item_id=data["item_id"])
        booking, replayed = equipment_booking_create_for_partner(
            partner=self.partner, external_booking_id=data["external_booking_id"],
            item=item, start_date=data["start_date"],
            end_date=data["end_date"], units=data["units"], client_name=data["client_name"],
            client_phone=data["client_phone"], comment=data["comment"], now=timezone.now(),
            idempotency_key=idempotency_key(request),
            client_birthday=data.get("client_birthday"), client_email=data["client_email"],
        )
        if booking.item_id == item.pk and "item" not in booking._state.fields_cache:
            booking.item = item  # a replay reads the booking alone; its item (for the name) was just read
        return created(booking_body(booking), replayed=replayed)


class EquipmentBookingDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="equipment_booking_read", tags=[TAG_NEW], summary="One of your equipment bookings",
        description="Scope `write:bookings`.", parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.EquipmentBookingOut, **error_responses(403, 404)},
        examples=[OpenApiExample("booking", response_only=True, value=BOOKING_EXAMPLE)],
    )
    def get(self, request, external_booking_id: str):
        return Response(booking_body(_partner_booking(self.partner, external_booking_id)))

    @extend_schema(
        operation_id="equipment_booking_cancel", tags=[TAG_NEW], summary="Cancel one of your equipment bookings",
        description="Scope `write:bookings`. Frees the units at once and answers with the cancelled booking. "
                    "A repeated cancel answers 200 with the booking as it is (safe to retry); a booking that was "
                    "rejected or has completed is 409 `bad_transition`.",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.EquipmentBookingOut, **error_responses(403, 404, 409)},
        examples=[OpenApiExample("cancelled", response_only=True, value={**BOOKING_EXAMPLE, "status": "cancelled"})],
    )
    def delete(self, request, external_booking_id: str):
        booking = cancel_once(_partner_booking(self.partner, external_booking_id),
                              lambda booking: equipment_booking_cancel(
                                  booking=booking, actor=Actor.for_partner(self.partner), now=timezone.now(),
                                  channel=Channel.API))
        return Response(booking_body(booking))
