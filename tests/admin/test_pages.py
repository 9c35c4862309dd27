"""The day schedule, the occupancy month and the statistics: what they show, and that their number of
queries does not grow with the number of cabinets, items or days."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.bookings import Status
from tests import factories
from tests.clock import at


def queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_day_schedule_shows_bookings_lunch_closures_and_free_slots(manager_client, cabinet, item,
                                                                        book_cabinet):
    booking = book_cabinet(cabinet, at(1, 10), 90, equipment=[(item, 1)])
    factories.closure(cabinet, at(1, 0).date(), time(16), time(17), reason="Уборка")
    closed = factories.with_week(factories.CabinetFactory(name="Кабинет 2"))
    factories.closure(closed, at(1, 0).date(), reason="Ремонт")

    response = manager_client.get(reverse("admin:cabinets_day_schedule"), {"date": at(1, 0).date().isoformat()})
    page = response.content.decode()

    assert f'data-booking="{booking.pk}"' in page and "Ольга Иванова" in page and f"{item.name} ×1" in page
    assert 'class="lunch"' in page and "Уборка" in page and "Ремонт" in page
    assert "start_time=09:00" in page and f"cabinet={cabinet.pk}" in page
    row = next(r for r in response.context["schedule"].rows if r.cabinet == cabinet)
    block = next(c for c in row.cells if c.kind == "booking")
    assert block.span == 3  # 90 minutes of 30-minute columns


def test_the_day_schedule_defaults_to_today_with_yesterday_and_tomorrow(manager_client, cabinet):
    response = manager_client.get(reverse("admin:cabinets_day_schedule"))

    assert response.context["day"] == at(0, 0).date()
    assert response.context["yesterday"] == at(-1, 0).date().isoformat()
    assert response.context["tomorrow"] == at(1, 0).date().isoformat()
    kinds = {c.kind for row in response.context["schedule"].rows for c in row.cells}
    assert {"past", "too_soon", "free"} <= kinds  # it is 10:00: the morning is over, 10:30 is too soon


def test_a_holiday_closes_every_cabinet_on_the_schedule(manager_client, cabinet):
    factories.holiday(at(3, 0).date(), "Праздник")

    page = manager_client.get(reverse("admin:cabinets_day_schedule"), {"date": at(3, 0).date().isoformat()})

    assert "Праздник" in page.content.decode()


def test_the_occupancy_month_shows_used_over_total_and_links_to_the_bookings(manager_client, item, book_item):
    book_item(item, at(2, 0).date(), at(3, 0).date(), units=2)
    book_item(factories.ItemFactory(name="Другой"), at(2, 0).date())

    response = manager_client.get(reverse("admin:equipment_occupancy"), {"month": "2026-11"})

    row = next(r for r in response.context["rows"] if r["item"] == item)
    day = at(2, 0).date().day - 1
    assert (row["cells"][day]["used"], row["cells"][day]["total"], row["cells"][day]["level"]) == (2, 2, "full")
    assert row["cells"][0]["level"] == "free"
    linked = manager_client.get(row["cells"][day]["url"])
    assert [b.item_id for b in linked.context["cl"].result_list] == [item.pk]


def test_the_occupancy_month_moves_between_months(manager_client, item):
    response = manager_client.get(reverse("admin:equipment_occupancy"), {"month": "2026-12"})

    assert response.context["prev_month"] == "2026-11" and response.context["next_month"] == "2027-01"
    assert len(response.context["days"]) == 31


def test_statistics_count_bookings_per_status_and_channel(manager_client, cabinet, item, book_cabinet,
                                                          book_item):
    book_cabinet(cabinet, at(1, 10))
    approved = book_cabinet(cabinet, at(1, 12))
    type(approved).objects.filter(pk=approved.pk).update(status=Status.APPROVED)
    book_item(item, at(2, 0).date())

    response = manager_client.get(reverse("admin:clinic_statistics"))

    today = response.context["periods"][0]["tables"]
    cabinets = {status: total for status, _label, _per, total in today[0].rows}
    assert cabinets["pending"] == 1 and cabinets["approved"] == 1 and today[0].total == 2
    assert today[1].total == 1
    assert response.context["top_cabinets"][0] == {"cabinet__name": cabinet.name, "n": 2}
    assert response.context["top_items"][0]["item__name"] == item.name
    utilisation = response.context["cabinet_utilisation"][0]
    assert utilisation["taken"] == 4 and utilisation["percent"] > 0


@pytest.fixture
def big_clinic(db):
    cabinets = [factories.with_week(factories.CabinetFactory()) for _ in range(50)]
    items = factories.ItemFactory.create_batch(200, quantity=3)
    return cabinets, items


def test_the_day_schedule_needs_the_same_queries_for_5_or_50_cabinets(manager_client, big_clinic, book_cabinet,
                                                                       book_item):
    cabinets, items = big_clinic
    for index, cabinet in enumerate(cabinets[:10]):
        book_cabinet(cabinet, at(1, (9, 10, 11, 12, 14, 15, 16, 17)[index % 8]), equipment=[(items[index], 1)])
    url, params = reverse("admin:cabinets_day_schedule"), {"date": at(1, 0).date().isoformat()}

    with_50 = queries(manager_client, url, params)
    type(cabinets[0]).objects.filter(pk__in=[c.pk for c in cabinets[5:]]).update(is_active=False)
    with_5 = queries(manager_client, url, params)

    assert with_50 == with_5
    assert with_50 <= 15


def test_the_occupancy_month_needs_the_same_queries_for_20_or_200_items(manager_client, big_clinic, book_item):
    _cabinets, items = big_clinic
    for index, item in enumerate(items[:30]):
        book_item(item, at(1 + index % 5, 0).date(), at(3 + index % 5, 0).date())
    url, params = reverse("admin:equipment_occupancy"), {"month": "2026-11"}

    with_200 = queries(manager_client, url, params)
    type(items[0]).objects.filter(pk__in=[i.pk for i in items[20:]]).update(is_active=False)
    with_20 = queries(manager_client, url, params)

    assert with_200 == with_20
    assert with_200 <= 10


def test_the_statistics_page_stays_bounded_with_a_big_clinic(manager_client, big_clinic):
    assert queries(manager_client, reverse("admin:clinic_statistics"), {}) <= 25
