"""Recurring cabinet bookings for partners: a POST to /api/v1/cabinet-bookings with "repeat" books a series
(cabinets.series decides); /api/v1/cabinet-series/{id} reads it and cancels it from a date on."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cabinets.models import CabinetSeries
from cabinets.series import cabinet_series_cancel, cabinet_series_create_for_partner, series_occurrences
from equipment.models import Item
from kernel.api import (
    WRITE_BOOKINGS,
    IsoDateField,
    PartnerAPIView,
    StrictSerializer,
    created,
    error_responses,
    idempotency_key,
    local_iso,
    parse,
)
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.errors import BookingError

TAG_SERIES = "Cabinet series"
SERIES_ID_PARAMETER = OpenApiParameter("series_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                       description="The series' `id` from the create answer.")


class OccurrenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The booking's reference as the clinic says it (`C-40`).")
    external_booking_id = serializers.CharField(allow_null=True, help_text="`<series id>#<index>`.")
    index = serializers.IntegerField(help_text="1 for the first date of the series, 2 for the next...")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.ChoiceField(["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed"])


class SkippedOut(serializers.Serializer):
    date = serializers.DateField()
    code = serializers.CharField(help_text="Why the date was not booked, e.g. `slot_taken`, `closed`.")
    reason = serializers.CharField()


class SeriesEquipmentOut(serializers.Serializer):
    item_id = serializers.IntegerField()
    units = serializers.IntegerField()


class CabinetSeriesOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_booking_id = serializers.CharField(allow_null=True)
    cabinet_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField(help_text="The first date's start; every occurrence keeps its local time.")
    duration_minutes = serializers.IntegerField()
    every_weeks = serializers.IntegerField()
    count = serializers.IntegerField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(["awaiting_payment", "pending", "approved", "rejected", "cancelled", "completed"],
                                     help_text="`approved` while dates are ahead; `cancelled` once all are.")
    equipment = SeriesEquipmentOut(many=True)
    client_name = serializers.CharField()
    client_phone = serializers.CharField()
    comment = serializers.CharField()
    occurrences = OccurrenceOut(many=True)
    skipped = SkippedOut(many=True)
    created_at = serializers.DateTimeField()


class SeriesCancelQuery(StrictSerializer):
    date_from = IsoDateField(required=False, help_text="YYYY-MM-DD")

    def to_internal_value(self, data):
        data = {("date_from" if key == "from" else key): value for key, value in data.items()}
        return super().to_internal_value(data)


def series_body(series: CabinetSeries) -> dict:
    return {
        "id": series.pk, "external_booking_id": series.external_booking_id, "cabinet_id": series.cabinet_id,
        "starts_at": local_iso(series.starts_at), "duration_minutes": series.duration_minutes,
        "every_weeks": series.every_weeks, "count": series.count,
        "until": series.until.isoformat() if series.until else None, "status": series.status,
        "equipment": [{"item_id": item_id, "units": units} for item_id, units in series.equipment],
        "client_name": series.client_name, "client_phone": series.client_phone, "comment": series.comment,
        "occurrences": [
            {"id": b.pk, "reference": b.reference, "external_booking_id": b.external_booking_id,
             "index": b.series_index,
             "starts_at": local_iso(b.starts_at), "ends_at": local_iso(b.ends_at), "status": b.status}
            for b in series.occurrences.order_by("starts_at", "pk")
        ],
        "skipped": series.skipped, "created_at": local_iso(series.created_at),
    }


SERIES_EXAMPLE = {
    "id": 5, "external_booking_id": "crm-900", "cabinet_id": 1, "starts_at": "2026-12-01T10:00:00+03:00",
    "duration_minutes": 60, "every_weeks": 1, "count": 3, "until": None, "status": "approved", "equipment": [],
    "client_name": "Иван Петров", "client_phone": "+79991234567", "comment": "",
    "occurrences": [
        {"id": 40, "reference": "C-40", "external_booking_id": "crm-900#1", "index": 1,
         "starts_at": "2026-12-01T10:00:00+03:00",
         "ends_at": "2026-12-01T11:00:00+03:00", "status": "approved"},
        {"id": 41, "reference": "C-41", "external_booking_id": "crm-900#3", "index": 3,
         "starts_at": "2026-12-15T10:00:00+03:00",
         "ends_at": "2026-12-15T11:00:00+03:00", "status": "approved"}],
    "skipped": [{"date": "2026-12-08", "code": "slot_taken", "reason": "10:00 in Кабинет №1 is already taken."}],
    "created_at": "2026-11-23T10:00:00+03:00",
}


def series_create(view: PartnerAPIView, request, data: dict, cabinet, lines: list[tuple[Item, int]]):
    """The "repeat" branch of POST /api/v1/cabinet-bookings."""
    repeat = data["repeat"]
    series, replayed = cabinet_series_create_for_partner(
        partner=view.partner, external_booking_id=data["external_booking_id"], cabinet=cabinet,
        starts_at=data["starts_at"], duration_minutes=data["duration_minutes"], every_weeks=repeat["every_weeks"],
        count=repeat.get("count"), until=repeat.get("until"), skip_conflicts=repeat["skip_conflicts"],
        equipment=lines, client_name=data["client_name"], client_phone=data["client_phone"],
        comment=data["comment"], now=timezone.now(), idempotency_key=idempotency_key(request),
        client_birthday=data.get("client_birthday"), client_email=data["client_email"],
    )
    return created(series_body(series), replayed=replayed)


def _partner_series(partner, series_id: str) -> CabinetSeries:
    # Any path segment reaches the view (a DELETE that matched no route would meet CSRF's HTML 403 instead).
    known = series_id.isascii() and series_id.isdigit() and int(series_id) <= 2**63 - 1
    series = CabinetSeries.objects.filter(partner=partner, pk=int(series_id)).first() if known else None
    if series is None:
        raise BookingError("not_found", _("Series not found."), series_id=series_id)
    return series


def _cancelled_from(series: CabinetSeries, from_date: date | None) -> bool:
    """Whether the series has a cancelled date on or after `from_date` (any date without it)."""
    occurrences = series.occurrences.filter(status=Status.CANCELLED)
    if from_date is not None:
        occurrences = occurrences.filter(starts_at__gte=datetime.combine(from_date, time(0), tzinfo=clinic_zone()))
    return occurrences.exists()


class CabinetSeriesDetailView(PartnerAPIView):
    required_scope = WRITE_BOOKINGS

    @extend_schema(
        operation_id="cabinet_series_read", tags=[TAG_SERIES], summary="One of your cabinet series",
        description="Scope `write:bookings`. The series with every occurrence and the skipped dates.",
        parameters=[SERIES_ID_PARAMETER],
        responses={200: CabinetSeriesOut, **error_responses(403, 404)},
        examples=[OpenApiExample("series", response_only=True, value=SERIES_EXAMPLE)],
    )
    def get(self, request, series_id: str):
        return Response(series_body(_partner_series(self.partner, series_id)))

    @extend_schema(
        operation_id="cabinet_series_cancel", tags=[TAG_SERIES],
        summary="Cancel a cabinet series from a date on",
        description="Scope `write:bookings`. Cancels every occurrence that has not started, on or after `from` "
                    "(default: all of them), frees their slots and equipment and answers with the series. One "
                    "occurrence alone is cancelled with `DELETE /api/v1/cabinet-bookings/<id>#<n>`. A repeated "
                    "cancel (those dates are already cancelled) answers 200 with the series as it is; nothing "
                    "ever cancellable from that date (every date has started) is 409.",
        parameters=[SERIES_ID_PARAMETER,
                    OpenApiParameter("from", OpenApiTypes.DATE, description="YYYY-MM-DD, clinic time")],
        responses={200: CabinetSeriesOut, **error_responses(400, 403, 404, 409)},
        examples=[OpenApiExample("cancelled", response_only=True, value={**SERIES_EXAMPLE, "status": "cancelled"})],
    )
    def delete(self, request, series_id: str):
        from_date = parse(SeriesCancelQuery, request.query_params).get("date_from")
        series = _partner_series(self.partner, series_id)
        try:
            cabinet_series_cancel(series=series, actor=Actor.for_partner(self.partner), now=timezone.now(),
                                  from_date=from_date, channel=Channel.API)
        except BookingError as error:
            # A retry: nothing is left ahead because an earlier call cancelled it.
            if error.code != "bad_transition" or not _cancelled_from(series, from_date):
                raise
        series.refresh_from_db()
        return Response(series_body(series))


__all__ = ["CabinetSeriesDetailView", "CabinetSeriesOut", "series_body", "series_create", "series_occurrences"]
