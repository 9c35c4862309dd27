"""A manager's change that would strand holding bookings (new hours, a holiday, a closure, units taken out
of service) is refused with the list of those bookings, unless the manager chose to cancel them: then each
is cancelled through its own service, so the client is told why through the usual cancellation notice.

`refuse_stranded` is the pure half (read-only, safe in a form's validation); `resolve_stranded` is the acting
half, called by the services under their locks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from kernel.errors import BookingError


def describe_booking(booking: Any) -> str:
    """How a refusal names a booking: its reference (E-3, C-5), the one every door shows."""
    return booking.reference


def refuse_stranded(*, stranded: Sequence[Any], what: Any, describe: Callable[[Any], str] = describe_booking) -> None:
    """Refuse (code schedule_conflict, `details["bookings"]` the ids, `details["references"]` their
    references) when the change would strand bookings. Writes nothing."""
    stranded = list(stranded)
    if not stranded:
        return
    listed = "; ".join(describe(b) for b in stranded[:20])
    raise BookingError(
        "schedule_conflict",
        _(
            "%(what)s would strand %(n)s booking(s): %(list)s. Move or cancel them first, or choose to cancel "
            "and notify."
        )
        % {"what": what, "n": len(stranded), "list": listed},
        bookings=[b.pk for b in stranded],
        references=[b.reference for b in stranded],
    )


def resolve_stranded(
    *,
    stranded: Sequence[Any],
    cancel_affected: bool,
    what: Any,
    describe: Callable[[Any], str] = describe_booking,
    cancel: Callable[[Any], None],
) -> list:
    """Refuse as `refuse_stranded` does, or, when the manager chose so, cancel every stranded booking."""
    stranded = list(stranded)
    if not cancel_affected:
        refuse_stranded(stranded=stranded, what=what, describe=describe)
    for booking in stranded:
        cancel(booking)
    return stranded
