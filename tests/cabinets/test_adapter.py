"""The cabinets' adapter answers the kernel through the cabinets' public rules."""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from kernel.adapters import adapter_for
from kernel.errors import BookingError
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
TUE = date(2026, 11, 24)


def test_the_window_check_refuses_a_start_inside_the_lead_time():
    adapter = adapter_for("cabinet")
    adapter.check_window(starts_at=datetime.combine(TUE, time(10), tzinfo=MSK), now=NOW)
    with pytest.raises(BookingError) as refused:
        adapter.check_window(starts_at=NOW.replace(minute=30), now=NOW)
    assert refused.value.code == "too_soon"


def test_a_wait_fits_a_free_window_and_not_a_closed_day():
    cabinet = factories.with_week(factories.CabinetFactory(), lunch=None)
    wait = SimpleNamespace(resource_id=cabinet.pk, starts_at=datetime.combine(TUE, time(10), tzinfo=MSK),
                           duration_minutes=60, requester_id=None)
    assert adapter_for("cabinet").wait_fits(wait=wait, now=NOW) is True
    factories.holiday(TUE)
    assert adapter_for("cabinet").wait_fits(wait=wait, now=NOW) is False
