"""PostgreSQL's exclusion constraint: holding bookings of one cabinet never overlap, even unaligned."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from cabinets.models import CabinetBooking
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
AT = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def booking(cabinet, start, minutes, status="pending"):
    return CabinetBooking.objects.create(
        cabinet=cabinet, starts_at=start, ends_at=start + timedelta(minutes=minutes), status=status,
        client_name="Иван", client_phone="+79990000000", created_at=AT, updated_at=AT)


def test_an_overlapping_holding_booking_is_refused_without_any_service_code():
    cabinet = factories.CabinetFactory()
    booking(cabinet, AT, 90)
    with pytest.raises(IntegrityError), transaction.atomic():
        booking(cabinet, AT + timedelta(minutes=75), 30, status="approved")


def test_touching_bookings_and_cancelled_ones_do_not_clash():
    cabinet = factories.CabinetFactory()
    booking(cabinet, AT, 60)
    booking(cabinet, AT + timedelta(minutes=60), 30)
    booking(cabinet, AT, 60, status="cancelled")
    booking(cabinet, AT, 60, status="rejected")
    assert CabinetBooking.objects.count() == 4
