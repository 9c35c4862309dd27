"""A refusal for capacity or a taken slot says what would work instead: the service's BookingError gets
`details["alternatives"]`, ready-to-post values computed by the app's own finder from its calculators.

The finder runs after the refused transaction (or its savepoint) has rolled back, reads only, and takes a
fixed number of queries. A finder that fails leaves the refusal as it was: a missing suggestion must never
turn a clear answer into a 500."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from kernel.errors import BookingError

logger = logging.getLogger(__name__)

# Refusals that another date, item, time or cabinet can answer.
ALTERNATIVE_CODES = frozenset({"no_capacity", "slot_taken", "held", "closed"})


def offers_alternatives(find: Callable[..., list[dict]]):
    """Decorate a keyword-only booking service: on a refusal in ALTERNATIVE_CODES, call `find(**kwargs)`
    with the service's own arguments and attach what it returns."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except BookingError as error:
                if error.code in ALTERNATIVE_CODES and "alternatives" not in error.details:
                    try:
                        error.details["alternatives"] = find(**kwargs)
                    except Exception:
                        logger.exception("alternatives could not be computed")
                raise

        return wrapper

    return decorate
