"""A resource the kernel has never heard of, registered for one test: it proves the kernel reaches resources
through adapters only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kernel import adapters
from kernel.pricing.lines import BASE, Line, PriceBase


class ProbeResource:
    """Stands for a third resource's model (a specialist, a room): only its identity matters here."""


class ProbeAdapter:
    resource_type = "probe"
    verbose_name = "Probe"
    booking_model = None
    resource_model = ProbeResource

    def __init__(self, *, names=None, no_shows=0):
        self.names = names or {}
        self.no_show_count = no_shows
        self.offered: list[int] = []
        self.asked_no_shows: list[tuple] = []
        self.status_changes: list[tuple] = []

    def booking_resource_id(self, booking):
        return booking.resource_id

    def moved_from(self, before):
        return before.get("probe_id")

    def resource_names(self, resource_ids):
        return {pk: self.names[pk] for pk in resource_ids if pk in self.names}

    def lock(self, resource_ids):
        return {}

    def check_window(self, **request):
        return None

    def booking_starts_at(self, booking):
        return booking.starts_at

    def booking_ends_at(self, booking):
        return booking.ends_at

    def horizon_days(self):
        return 7

    def lead_time(self):
        return timedelta(0)

    def can_cancel(self, *, booking, actor, now):
        return True

    def offer_freed(self, *, resource_id, now):
        self.offered.append(resource_id)
        return []

    def wait_fits(self, *, wait, now):
        return True

    def no_shows(self, *, who, since):
        self.asked_no_shows.append((who, since))
        return self.no_show_count

    def status_change(self, *, booking, to_status, actor, channel, now, reason="", topic=None):
        self.status_changes.append((booking, to_status, topic))

    def price_base(self, *, day, prices=(), **_request):
        """A probe request names its day and the prices of what it books: {"name": amount}."""
        return PriceBase(day, tuple(Line(BASE, "flat", Decimal(amount), {"name": name})
                                    for name, amount in dict(prices).items()))


@pytest.fixture
def probe():
    adapter = adapters.register(ProbeAdapter(names={7: "Кабинет УЗИ (проба)", 8: "Зал 2"}, no_shows=2))
    yield adapter
    adapters.unregister("probe")
