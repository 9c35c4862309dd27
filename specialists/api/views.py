"""Services endpoints: the services and specialists, a service's free times, and partner appointments. The
services grid and the appointment services decide; these views parse and render."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from cabinets.api.views import EXTERNAL_ID_PARAMETER
from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import RESOURCE as CABINET_RESOURCE
from cabinets.services import cabinet_booking_cancel
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
from kernel.pricing.api import PRICE_EXAMPLE, booking_price_body
from specialists.api import answers
from specialists.api import serializers as s
from specialists.models import Service, Specialist
from specialists.partner import appointment_create_for_partner

TAG_SERVICES = "Services"
TAG_APPOINTMENTS = "Appointments"

SERVICE_EXAMPLE = {
    "id": 1, "name": "УЗИ брюшной полости", "category": "Диагностика", "duration_minutes": 60, "price": "2500.00",
    "currency": "RUB", "specialist_ids": [1, 2], "cabinet_ids": [1, 2], "equipment": [{"item_id": 5, "units": 1}],
}


class ServicesView(PartnerAPIView):
    required_scope = READ_ITEMS

    @extend_schema(
        operation_id="services_list", tags=[TAG_SERVICES], summary="Every active service",
        description="Scope `read:items`. Ids are the platform's ids, as for items and cabinets. `cabinet_ids` are "
                    "the cabinets where the service can take place (every active cabinet when it lists none); "
                    "`equipment` is reserved with every appointment.",
        responses={200: s.ServicesOut, **error_responses(403)},
        examples=[OpenApiExample("services", response_only=True, value={"services": [SERVICE_EXAMPLE]})],
    )
    def get(self, request):
        return Response({"services": answers.services_list()})


class SpecialistsView(PartnerAPIView):
    required_scope = READ_ITEMS

    @extend_schema(
        operation_id="specialists_list", tags=[TAG_SERVICES], summary="Every active specialist",
        description="Scope `read:items`. `service_ids` are the active services the specialist performs.",
        responses={200: s.SpecialistsOut, **error_responses(403)},
        examples=[OpenApiExample("specialists", response_only=True, value={"specialists": [
            {"id": 1, "name": "Анна Смирнова", "service_ids": [1, 3]}]})],
    )
    def get(self, request):
        return Response({"specialists": answers.specialists_list()})


class ServiceAvailabilityView(PartnerAPIView):
    required_scope = READ_AVAILABILITY

    @extend_schema(
        operation_id="service_availability", tags=[TAG_SERVICES], summary="A service's free times",
        description="Scope `read:availability`. For `date`, or each day `from`..`to` (at most 31 days), the "
                    "start times at which the service can be booked now, each with the specialists free for its "
                    "whole length (an allowed cabinet and the service's equipment are free too). A day without "
                    "times says why in `reason`: `holiday`, `closed`, `day_off` (no specialist of the service "
                    "works), `no_capacity` (the equipment is out), `booked`. Times are clinic time.",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The service's id."),
            OpenApiParameter("date", OpenApiTypes.DATE, description="YYYY-MM-DD (or give `from` and `to`)."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="YYYY-MM-DD, the first day."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="YYYY-MM-DD, the last day."),
            OpenApiParameter("specialist_id", OpenApiTypes.INT,
                             description="Only this specialist's times: 404 `not_found` when there is no such "
                                         "active specialist, 400 `invalid` when they do not perform the service."),
        ],
        responses={200: s.ServiceAvailabilityOut, **error_responses(400, 403, 404)},
        examples=[OpenApiExample("availability", response_only=True, value={"service_id": 1, "days": [
            {"date": "2026-12-01", "reason": None, "slots": [
                {"starts_at": "2026-12-01T09:00:00+03:00", "specialist_ids": [1, 2]}]},
            {"date": "2026-12-02", "reason": "day_off", "slots": []}]})],
    )
    def get(self, request, service_id: int):
        data = parse(s.AvailabilityQuery, request.query_params)
        return Response(answers.service_availability(service_id, data["from"], data["to"], timezone.now(),
                                                     data.get("specialist_id")))


def appointment_body(booking: CabinetBooking) -> dict:
    return {
        "id": booking.pk, "reference": booking.reference, "external_booking_id": booking.external_booking_id,
        "status": booking.status, "payment_status": "not_required", "service_id": booking.service_id,
        "specialist_id": booking.specialist_id,
        "cabinet_id": booking.cabinet_id,
        "starts_at": local_iso(booking.starts_at), "ends_at": local_iso(booking.ends_at),
        "equipment": [{"item_id": line.item_id, "item_name": line.item.name, "units": line.units}
                      for line in booking.equipment_bookings.select_related("item").order_by("item_id")],
        "client_name": booking.client_name, "client_phone": booking.client_phone, "comment": booking.comment,
        "price": booking_price_body(CABINET_RESOURCE, booking), "created_at": local_iso(booking.created_at),
    }


APPOINTMENT_EXAMPLE = {
    "id": 21, "reference": "C-21", "external_booking_id": "crm-901", "status": "approved",
    "payment_status": "not_required", "service_id": 1,
    "specialist_id": 2, "cabinet_id": 1, "starts_at": "2026-12-01T10:00:00+03:00",
    "ends_at": "2026-12-01T11:00:00+03:00", "equipment": [{"item_id": 5, "item_name": "УЗИ-сканер", "units": 1}],
    "client_name": "Иван Петров", "client_phone": "+79991234567", "comment": "",
    "created_at": "2026-11-23T10:00:00+03:00", "price": PRICE_EXAMPLE,
}


def _appointment(partner, external_booking_id: str) -> CabinetBooking:
    return partner_booking(CabinetBooking.objects.filter(service__isnull=False), partner=partner,
                           external_booking_id=external_booking_id)


class AppointmentsView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="appointment_create", tags=[TAG_APPOINTMENTS],
        summary="Book a service with a specialist, a cabinet and the service's equipment",
        description="Scope `write:bookings`. Approved at once; the specialist, a cabinet and the equipment are "
                    "booked together or not at all, for the service's length. Without `specialist_id` the free "
                    "specialist with the fewest booked minutes that day is chosen (the lowest id on a tie); "
                    "without `cabinet_id` the first allowed cabinet free for the whole length. A repeat with the "
                    "same `external_booking_id` (or `Idempotency-Key`) and the same data returns the original "
                    "appointment with `Idempotent-Replayed: true`; different data is 409. A refused time "
                    "(`specialist_busy`, `outside_hours`, `day_off`, `slot_taken`, `no_capacity`, `closed`) lists "
                    "in `details.alternatives` free times `{\"service_id\", \"specialist_id\", \"starts_at\"}`: "
                    "the same specialist's nearest times that day, then other specialists at the asked time, "
                    "then the next days.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.AppointmentRequest,
        responses={201: s.AppointmentOut, **error_responses(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample("request", request_only=True, value={
                "service_id": 1, "specialist_id": None, "starts_at": "2026-12-01T10:00:00+03:00",
                "client_name": "Иван Петров", "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-901",
                "client_email": "ivan.petrov@example.com"}),
            OpenApiExample("created", response_only=True, status_codes=["201"], value=APPOINTMENT_EXAMPLE),
        ],
    )
    def post(self, request):
        data = parse(s.AppointmentRequest, request.data)
        service = Service.objects.filter(pk=data["service_id"], is_active=True).first()
        if service is None:
            raise BookingError("not_found", _("Service not found."), service_id=data["service_id"])
        specialist = None
        if data["specialist_id"] is not None:
            specialist = Specialist.objects.filter(pk=data["specialist_id"]).first()
            if specialist is None:
                raise BookingError("not_found", _("Specialist not found."), specialist_id=data["specialist_id"])
        cabinet = None
        if data["cabinet_id"] is not None:
            cabinet = Cabinet.objects.filter(pk=data["cabinet_id"]).first()
            if cabinet is None:
                raise BookingError("not_found", _("Cabinet not found."), cabinet_id=data["cabinet_id"])
        booking, replayed = appointment_create_for_partner(
            partner=self.partner, external_booking_id=data["external_booking_id"], service=service,
            specialist=specialist, cabinet=cabinet, starts_at=data["starts_at"], client_name=data["client_name"],
            client_phone=data["client_phone"], comment=data["comment"], now=timezone.now(),
            idempotency_key=idempotency_key(request),
            client_birthday=data.get("client_birthday"), client_email=data["client_email"],
        )
        return created(appointment_body(booking), replayed=replayed)


class AppointmentDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="appointment_read", tags=[TAG_APPOINTMENTS], summary="One of your appointments",
        description="Scope `write:bookings`.", parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.AppointmentOut, **error_responses(403, 404)},
        examples=[OpenApiExample("appointment", response_only=True, value=APPOINTMENT_EXAMPLE)],
    )
    def get(self, request, external_booking_id: str):
        return Response(appointment_body(_appointment(self.partner, external_booking_id)))

    @extend_schema(
        operation_id="appointment_cancel", tags=[TAG_APPOINTMENTS], summary="Cancel one of your appointments",
        description="Scope `write:bookings`. Frees the specialist, the cabinet and the equipment at once and "
                    "answers with the cancelled appointment. A repeated cancel answers 200 with it as it is; one "
                    "that was rejected or has completed is 409 `bad_transition`.",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: s.AppointmentOut, **error_responses(403, 404, 409)},
        examples=[OpenApiExample("cancelled", response_only=True,
                                 value={**APPOINTMENT_EXAMPLE, "status": "cancelled"})],
    )
    def delete(self, request, external_booking_id: str):
        booking = cancel_once(_appointment(self.partner, external_booking_id),
                              lambda booking: cabinet_booking_cancel(
                                  booking=booking, actor=Actor.for_partner(self.partner), now=timezone.now(),
                                  channel=Channel.API))
        return Response(appointment_body(booking))
