"""A client's weekly series in the cabinet bot's "My bookings": each date names its series and can be
cancelled alone or together with every later date."""

from __future__ import annotations

from datetime import datetime

import pytest

from cabinets.models import CabinetBooking, CabinetSeries
from cabinets.series import cabinet_series_create
from kernel.bookings import Status
from kernel.channels import Actor, Channel
from tests.conftest import MSK, NOW
from tests.factories import CabinetFactory, StaffUserFactory, with_week
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ann_cab(user_factory):
    return user_factory(1001, bot="cabinet", first_name="Ann")


@pytest.fixture
def ben_cab(user_factory):
    return user_factory(1002, bot="cabinet", first_name="Ben")


@pytest.fixture
def series(ann_cab, transactional_db):
    from accounts.models import TelegramAccount

    ann_cab.send("/start")
    return cabinet_series_create(
        cabinet=with_week(CabinetFactory(name="Кабинет 1")), starts_at=datetime(2026, 11, 24, 10, tzinfo=MSK),
        duration_minutes=60, every_weeks=1, count=4, client_name="Anna Smirnova", client_phone="+79991234567",
        requester=TelegramAccount.objects.get(telegram_id=ann_cab.id), actor=Actor.staff(StaffUserFactory()),
        channel=Channel.ADMIN, now=NOW)


def occurrence(series, index: int) -> CabinetBooking:
    return series.occurrences.get(series_index=index)


def statuses(series) -> list[str]:
    return list(series.occurrences.order_by("starts_at").values_list("status", flat=True))


def test_my_bookings_shows_each_date_with_its_series_and_both_cancels(ann_cab, series):
    shown = said(ann_cab.send("/my_bookings"))
    assert shown.count(f"Series #{series.pk}") == 4 and "date 2 (every week)" in shown
    assert ann_cab.find("❌ Cancel this one")[0]["callback_data"].startswith("cab:cancel:")
    assert ann_cab.find("⏭ Cancel this and later")[0]["callback_data"].startswith("cab:cxl:")


def test_cancel_this_one_cancels_only_that_date(ann_cab, series):
    second = occurrence(series, 2)
    ann_cab.send("/my_bookings")
    assert "Cancel this booking?" in said(ann_cab.press_data(f"cab:cancel:{second.pk}", 1))
    assert f"Booking {second.reference} is cancelled" in said(ann_cab.press("Yes, cancel it"))
    assert statuses(series) == [Status.APPROVED, Status.CANCELLED, Status.APPROVED, Status.APPROVED]


def test_cancel_this_and_later_cancels_the_rest_of_the_series(ann_cab, series):
    third = occurrence(series, 3)
    ann_cab.send("/my_bookings")
    assert "every later date" in said(ann_cab.press_data(f"cab:cxl:{third.pk}", 1))
    calls = ann_cab.press("Yes, cancel it")
    assert "2 dates of series" in said(calls) and "08.12.2026" in said(calls) and "15.12.2026" in said(calls)
    assert statuses(series) == [Status.APPROVED, Status.APPROVED, Status.CANCELLED, Status.CANCELLED]
    assert CabinetSeries.objects.get().status == Status.APPROVED


def test_another_user_cannot_cancel_someone_elses_series(ann_cab, ben_cab, series):
    ben_cab.send("/start")
    assert "not found" in said(ben_cab.press_data(f"cab:cxly:{occurrence(series, 1).pk}", 1))
    assert statuses(series) == [Status.APPROVED] * 4
