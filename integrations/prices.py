"""What the doors show of prices: the price a request would get for the client behind a phone number (the one
pricing function, `kernel.pricing.services.price_quote`: nothing is booked and the daily discount quota is not
touched), and the prices bookings stored when they were made. Both bots and the booking page read them here.

A price without lines (nothing in the request has a price) is no price to show: these answer None for it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db.models import OuterRef, Subquery

from accounts.clients import client_by_phone
from kernel.adapters import adapter_for
from kernel.errors import BookingError
from kernel.pricing.lines import Price
from kernel.pricing.models import BookingPrice
from kernel.pricing.services import booking_prices, price_quote


def shown(price: Price | None) -> Price | None:
    """The price, when it has something to show."""
    return price if price is not None and price.lines else None


def request_price(*, resource_type: str, request: Mapping, now: datetime, phone: str | None = None,
                  birthday: date | None = None) -> Price | None:
    """What booking `request` (the keyword arguments of its adapter's `price_base`) would cost now for the client
    of `phone`, with `birthday` when the door was given one. None when nothing in it is priced, or when the
    resource refuses its dates or time as they stand (the booking's own Confirm then says why)."""
    try:
        adapter_for(resource_type).check_window(now=now, **request)  # dates or a time that could never be booked
        price = price_quote(resource_type=resource_type, request=request, now=now, client=client_by_phone(phone),
                            client_birthday=birthday)
    except BookingError:
        return None
    return shown(price)


def stored_prices(resource_type: str, booking_ids: Iterable[int]) -> dict[int, Price]:
    """The prices these bookings stored, by booking id, in one query; a booking with nothing to show is left
    out."""
    found = booking_prices(resource_type=resource_type, booking_ids=booking_ids)
    return {booking_id: price for booking_id, price in found.items() if shown(price) is not None}


def stored_price(resource_type: str, booking_id: int) -> Price | None:
    return stored_prices(resource_type, [booking_id]).get(booking_id)


def stored_total(resource_type: str) -> Subquery:
    """The total a booking of `resource_type` stored, as an annotation of a query of those bookings: for the
    sheets that list many bookings at once. Null, like `shown`, when it stored none or one without lines."""
    return Subquery(BookingPrice.objects.filter(resource_type=resource_type, booking_id=OuterRef("pk"),
                                                lines__isnull=False).values("total")[:1])
