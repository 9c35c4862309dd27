"""The one domain error. Every interface translates it: HTTP 4xx in the API, a form error or message
in the admin, a reply in the bots. Messages are user-safe and translatable; `code` is for machines.

The kernel's table holds the codes every resource shares; a resource adds its own (`register_errors`, from its
`errors.py`, imported by its `AppConfig.ready()`), so the kernel names no resource's rule."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# code -> (HTTP status, default message). One table, so every channel says the same thing.
ERRORS: dict[str, tuple[int, Any]] = {
    "invalid": (400, _("The request is not valid.")),
    "not_found": (404, _("Not found.")),
    "inactive": (409, _("This resource is not available for booking.")),
    "date_in_past": (400, _("The date is in the past.")),
    "too_far_ahead": (400, _("The date is too far in the future.")),
    "range_too_long": (400, _("The date range is too long.")),
    "bad_range": (400, _("The end must not be before the start.")),
    "no_capacity": (409, _("Not enough free units.")),
    "too_soon": (409, _("It is too late to book this time.")),
    "too_long": (400, _("The booking is too long.")),
    "slot_taken": (409, _("This time is already taken.")),
    "held": (409, _("Someone is booking this time right now.")),
    "limit_reached": (409, _("You have reached the limit of active bookings.")),
    "blocked": (403, _("Booking is not available for your account.")),
    "unauthorized": (401, _("Sign in first.")),
    "forbidden": (403, _("You are not allowed to do this.")),
    "already_decided": (409, _("This booking has already been decided.")),
    "bad_transition": (409, _("This booking cannot change to that status.")),
    "already_started": (409, _("The booking has already started.")),
    "not_started": (409, _("The booking has not started yet.")),
    "idempotency_conflict": (409, _("This id was already used with different data.")),
    "external_id_reused": (409, _("This external booking id was used by a cancelled booking.")),
    "schedule_conflict": (409, _("The change would strand existing bookings.")),
    "already_waiting": (409, _("You are already on the waitlist for this.")),
    "not_offered": (409, _("This place on the waitlist has no offer to accept.")),
    "offer_expired": (409, _("This offer has expired.")),
    "busy": (409, _("The system is busy, please try again.")),
    "awaiting_payment": (409, _("This booking is waiting for its payment.")),
}


def register_errors(codes: dict[str, tuple[int, Any]]) -> None:
    """Add a resource's own codes -> (HTTP status, default message). A code already in the table with another
    status or message is refused: one code means one thing in every channel."""
    for code, (status, message) in codes.items():
        if not 400 <= status < 500:
            raise ValueError(f"booking error {code!r} must be a 4xx status, not {status}")
        known = ERRORS.get(code)
        if known is not None and (known[0] != status or str(known[1]) != str(message)):
            raise ValueError(f"booking error code {code!r} is already registered with another meaning")
        ERRORS[code] = (status, message)


class BookingError(Exception):
    """A rule refused the request. `message` is safe to show to the person who asked."""

    def __init__(self, code: str, message: Any = None, **details: Any) -> None:
        if code not in ERRORS:
            raise ValueError(f"unknown booking error code {code!r}")
        self.code = code
        self.message = message if message is not None else ERRORS[code][1]
        self.details = details
        super().__init__(str(self.message))

    @property
    def http_status(self) -> int:
        return ERRORS[self.code][0]

    def __str__(self) -> str:
        return str(self.message)
