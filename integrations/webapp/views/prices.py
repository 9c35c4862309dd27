"""The price of what the page is about to book, shown on its confirmation before Confirm: the body of a booking
(`kind` equipment or cabinet) or of an appointment (`service_id`), as the page would send it to book, priced by
the one pricing function (integrations.prices) for the client of the phone typed. Nothing is booked. Open like
availability, but the phone counts only in a signed request: nobody outside the bots learns a client's
discounts."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from integrations.prices import request_price
from integrations.webapp.shapes import AppointmentRequest, booking_request, parse
from integrations.webapp.views.bookings import chosen_equipment, resource_fields
from integrations.webapp.views.plumbing import body, endpoint
from integrations.webapp.views.presenters import price_json
from integrations.webapp.views.services import active_service
from specialists.services import RESOURCE as APPOINTMENT


def _priced_request(data: dict) -> tuple[str, dict, date | None]:
    """The resource type, what the pricing function takes of the body and the birthday typed (a shape error is
    the page's 400)."""
    if "service_id" in data:
        fields = parse(AppointmentRequest, data)
        return (APPOINTMENT, {"service": active_service(fields["service_id"]), "starts_at": fields["starts_at"]},
                fields.get("client_birthday"))
    kind, fields = booking_request(data)
    priced = resource_fields(kind, fields)
    if kind == "cabinet":
        priced["equipment"] = chosen_equipment(fields["equipment"])
    return kind, priced, fields.get("client_birthday")


@require_POST
@endpoint(signed=False)
def quote(request: HttpRequest, *, account, now: datetime):
    """`{"price": {...}}` as the bookings carry it, or `{"price": null}` when nothing in the request is priced."""
    data = body(request)
    resource_type, priced, birthday = _priced_request(data)
    phone = data.get("client_phone") if account is not None else None
    price = request_price(resource_type=resource_type, request=priced, now=now,
                          phone=phone if isinstance(phone, str) else None,
                          birthday=birthday if account is not None else None)
    return JsonResponse({"price": price_json(price)})
