"""The gRPC servicers: thin doors over the REST API's answers. Each method checks the key and scope, parses
the request with the REST API's serializers (the same formats and limits), asks the same answer function the
REST view asks, and copies the answer into the message."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import grpc
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone, translation
from rest_framework import serializers

from accounts.models import Partner
from cabinets.api import answers as cabinet_answers
from cabinets.api.serializers import DateQuery, RangeQuery
from equipment.api import answers as equipment_answers
from equipment.api.serializers import BulkAvailabilityRequest
from integrations.grpc.auth import Refusal, authorize
from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2 as bronivik_pb2
from integrations.grpc.generated.bronivik.availability.v1 import availability_pb2_grpc as bronivik_grpc
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2 as clinic_pb2
from integrations.grpc.generated.clinic.booking.v1 import availability_pb2_grpc as clinic_grpc
from kernel.api import READ_AVAILABILITY, READ_ITEMS, first_error, parse
from kernel.errors import BookingError
from specialists.api import answers as service_answers
from specialists.api.serializers import AvailabilityQuery

logger = logging.getLogger(__name__)

# BookingError's HTTP status -> the gRPC code.
STATUS_CODES = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.FAILED_PRECONDITION,
}


def message(cls, row: dict):
    """A message from an answer row: the fields the message has, None (JSON null) left unset."""
    fields = cls.DESCRIPTOR.fields_by_name
    return cls(**{name: value for name, value in row.items() if name in fields and value is not None})


def rpc(scope: str) -> Callable:
    """A partner method: database connections handled like a request's, English messages, the key, scope and
    rate limit checked, and every refusal turned into its status code (an unexpected error into INTERNAL)."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def handler(self, request, context: grpc.ServicerContext):
            close_old_connections()
            try:
                with translation.override("en"):
                    try:
                        return method(self, request, authorize(context, scope))
                    except BookingError as error:
                        raise Refusal(STATUS_CODES.get(error.http_status, grpc.StatusCode.FAILED_PRECONDITION),
                                      str(error.message)) from error
                    except serializers.ValidationError as error:
                        raise Refusal(grpc.StatusCode.INVALID_ARGUMENT, first_error(error.detail)) from error
                    except (OperationalError, InterfaceError) as error:
                        logger.warning("gRPC: the database is unavailable (%s)", error.__class__.__name__)
                        raise Refusal(grpc.StatusCode.UNAVAILABLE, "The service is briefly unavailable. Please "
                                                                   "retry in a few seconds.") from error
            except Refusal as refusal:
                refused = refusal
            except Exception:
                logger.exception("unexpected error in the gRPC service (%s)", method.__name__)
                refused = Refusal(grpc.StatusCode.INTERNAL, "Internal error. Please try again later.")
            finally:
                close_old_connections()
            if refused.trailers:
                context.set_trailing_metadata(refused.trailers)
            context.abort(refused.code, refused.message)

        return handler

    return decorate


class BronivikAvailability(bronivik_grpc.AvailabilityServiceServicer):
    """bronivik.availability.v1.AvailabilityService: the original system's service, for its clients."""

    @rpc(READ_AVAILABILITY)
    def GetAvailability(self, request, partner: Partner):
        day = parse(DateQuery, {"date": request.date})["date"]
        item = equipment_answers.item_by_name(request.item_name)
        row = equipment_answers.item_availability(item, day, partner)
        return message(bronivik_pb2.GetAvailabilityResponse, {**row, "item_name": item.name, "date": request.date})

    @rpc(READ_AVAILABILITY)
    def GetAvailabilityBulk(self, request, partner: Partner):
        data = parse(BulkAvailabilityRequest, {"items": list(request.items), "dates": list(request.dates)})
        answer = equipment_answers.bulk_availability(data["items"], data["dates"], partner)
        return bronivik_pb2.GetAvailabilityBulkResponse(
            results=[message(bronivik_pb2.Availability, row) for row in answer["results"]])

    @rpc(READ_ITEMS)
    def ListItems(self, request, partner: Partner):
        return bronivik_pb2.ListItemsResponse(
            items=[message(bronivik_pb2.Item, row) for row in equipment_answers.items_list()])


class ClinicAvailability(clinic_grpc.AvailabilityServicer):
    """clinic.booking.v1.Availability: items, an item's days, a cabinet's slots, a service's free times."""

    @rpc(READ_ITEMS)
    def ListItems(self, request, partner: Partner):
        return clinic_pb2.ListItemsResponse(
            items=[message(clinic_pb2.Item, row) for row in equipment_answers.items_list()])

    @rpc(READ_AVAILABILITY)
    def GetItemAvailability(self, request, partner: Partner):
        span = parse(RangeQuery, {"start_date": request.start_date, "end_date": request.end_date})
        item = equipment_answers.item_by_id(request.item_id)
        rows = equipment_answers.item_range(item, span["start_date"], span["end_date"], partner)
        return clinic_pb2.GetItemAvailabilityResponse(
            item_id=item.pk, item_name=item.name, total=item.quantity,
            days=[message(clinic_pb2.ItemDay, row) for row in rows])

    @rpc(READ_AVAILABILITY)
    def ListCabinetSlots(self, request, partner: Partner):
        day = parse(DateQuery, {"date": request.date})["date"]
        answer = cabinet_answers.cabinet_slots(request.cabinet_id, day, timezone.now())
        return clinic_pb2.ListCabinetSlotsResponse(
            **{key: value for key, value in answer.items() if key not in ("slots", "breaks") and value is not None},
            slots=[message(clinic_pb2.CabinetSlot, slot) for slot in answer["slots"]],
            breaks=[message(clinic_pb2.CabinetBreak, gap) for gap in answer["breaks"]])

    @rpc(READ_AVAILABILITY)
    def ListServiceSlots(self, request, partner: Partner):
        query = {"date": request.date}
        if request.HasField("specialist_id"):
            query["specialist_id"] = request.specialist_id
        data = parse(AvailabilityQuery, query)
        answer = service_answers.service_slots(request.service_id, data["from"], timezone.now(),
                                               data.get("specialist_id"))
        return clinic_pb2.ListServiceSlotsResponse(
            service_id=answer["service_id"], date=answer["date"],
            slots=[message(clinic_pb2.ServiceSlot, slot) for slot in answer["slots"]])
