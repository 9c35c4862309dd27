"""The calculators read a grid in a constant handful of queries, whatever its size."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cabinets.availability import cabinets_days
from cabinets.models import Cabinet
from cabinets.services import cabinet_booking_create
from equipment.availability import equipment_grid
from equipment.models import Item
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
TUE = date(2026, 11, 24)


def test_availability_of_200_items_over_90_days_takes_at_most_5_queries(staff, django_assert_max_num_queries):
    Item.objects.bulk_create([Item(name=f"Аппарат {n}", quantity=1 + n % 4) for n in range(200)])
    items = list(Item.objects.all()[:20])
    for n, item in enumerate(items):
        equipment_booking_create(item=item, start_date=TUE + timedelta(days=n), end_date=TUE + timedelta(days=n + 2),
                                 client_name="Иван Петров", client_phone="89990000000", actor=Actor.staff(staff),
                                 channel=Channel.ADMIN, now=NOW)
    with django_assert_max_num_queries(5):
        grid = equipment_grid(items=Item.objects.all(), start_date=TUE, end_date=TUE + timedelta(days=89))
        cells = [(item_id, day, grid.free(item_id, day)) for item_id in grid.items for day in grid.days]
    assert len(cells) == 200 * 90
    assert grid.peak(items[0].pk, TUE) == 1 and grid.peak(items[0].pk, TUE + timedelta(days=3)) == 0


def test_slots_of_50_cabinets_over_30_days_take_at_most_5_queries(staff, django_assert_max_num_queries):
    for n in range(50):
        factories.with_week(factories.CabinetFactory(name=f"Кабинет {n}"), days_off=(6,))
    factories.holiday(TUE + timedelta(days=10))
    first = Cabinet.objects.first()
    factories.closure(first, TUE + timedelta(days=1), time(15), time(16))
    for n in range(5):
        cabinet_booking_create(cabinet=first, starts_at=datetime.combine(TUE + timedelta(days=n), time(10), tzinfo=MSK),
                               duration_minutes=60, client_name="Ольга Смирнова", client_phone="89990000000",
                               actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)
    with django_assert_max_num_queries(5):
        days = cabinets_days(cabinets=Cabinet.objects.prefetch_related("schedules"), start_date=TUE,
                             end_date=TUE + timedelta(days=29), now=NOW)
        free = sum(len(day.free_slots) for by_day in days.values() for day in by_day.values())
    assert len(days) == 50 and all(len(by_day) == 30 for by_day in days.values())
    assert free > 50 * 20 * 20
    assert days[first.pk][TUE].slot_at(datetime.combine(TUE, time(10), tzinfo=MSK)).state == "taken"
