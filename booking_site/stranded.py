"""A manager's change that would strand holding bookings (new hours, a holiday, a closure, units taken out
of service) is refused with the list of those bookings, unless the manager chose to cancel them: then each
is cancelled through its own service, so the client is told why through the usual cancellation notice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from booking_site.errors import BookingError


def resolve_stranded(
    *,
    stranded: Sequence[Any],
    cancel_affected: bool,
    what: Any,
    describe: Callable[[Any], str],
    cancel: Callable[[Any], None],
) -> list:
    """Refuse (code schedule_conflict, `details["bookings"]` the ids) or cancel every stranded booking."""
    stranded = list(stranded)
    if not stranded:
        return []
    if not cancel_affected:
        listed = "; ".join(describe(b) for b in stranded[:20])
        raise BookingError(
            "schedule_conflict",
            _(
                "%(what)s would strand %(n)s booking(s): %(list)s. Move or cancel them first, or choose to cancel "
                "and notify."
            )
            % {"what": what, "n": len(stranded), "list": listed},
            bookings=[b.pk for b in stranded],
        )
    for booking in stranded:
        cancel(booking)
    return stranded
