"""Managers see the waitlist: a list with filters by item, cabinet and day, the waiting count in the occupancy
month and the day schedule, and an action that takes people off the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cabinets.waitlist import cabinet_wait_join
from equipment.waitlist import equipment_wait_join
from kernel.channels import Actor, Channel
from kernel.waitlist.models import Wait
from tests import factories
from tests.admin.test_pages import queries
from tests.clock import at
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def waits(item, cabinet, book_item, book_cabinet, bob):
    book_item(item, at(2, 0).date(), units=2)
    book_cabinet(cabinet, at(1, 10))
    carol = factories.TelegramAccountFactory(username="carol")
    on_item = equipment_wait_join(item=item, start_date=at(2, 0).date(), end_date=at(3, 0).date(), units=1,
                                  client_name="Борис Белов", client_phone="+79990001111", actor=Actor.telegram(bob),
                                  channel=Channel.BOT, now=NOW)
    on_cabinet = cabinet_wait_join(cabinet=cabinet, starts_at=at(1, 10), duration_minutes=60,
                                   client_name="Карина Цой", client_phone="+79990002222",
                                   actor=Actor.telegram(carol), channel=Channel.BOT, now=NOW)
    return on_item, on_cabinet


def test_the_waitlist_lists_waits_with_their_place_and_filters_by_item_and_day(manager_client, item, waits):
    on_item, on_cabinet = waits
    changelist = reverse("admin:waitlist_wait_changelist")
    page = manager_client.get(changelist)
    assert page.status_code == 200
    assert {w.pk for w in page.context["cl"].result_list} == {on_item.pk, on_cabinet.pk}
    assert "Борис Белов" in page.content.decode() and "Карина Цой" in page.content.decode()
    assert {w.pk: w.place for w in page.context["cl"].result_list} == {on_item.pk: 1, on_cabinet.pk: 1}
    by_item = manager_client.get(changelist, {"resource_type": "equipment", "resource_id": item.pk})
    assert [w.pk for w in by_item.context["cl"].result_list] == [on_item.pk]
    # An equipment wait for days 2..3 is listed on day 3, the cabinet wait only on day 1.
    on_day_3 = manager_client.get(changelist, {"day": at(3, 0).date().isoformat()})
    assert [w.pk for w in on_day_3.context["cl"].result_list] == [on_item.pk]
    on_day_1 = manager_client.get(changelist, {"day": at(1, 0).date().isoformat()})
    assert [w.pk for w in on_day_1.context["cl"].result_list] == [on_cabinet.pk]


def test_a_manager_takes_someone_off_the_waitlist(manager_client, waits):
    on_item, _on_cabinet = waits
    response = manager_client.post(reverse("admin:waitlist_wait_changelist"), {
        "action": "cancel_selected", "_selected_action": [on_item.pk]}, follow=True)
    assert response.status_code == 200
    on_item.refresh_from_db()
    assert on_item.status == Wait.Status.CANCELLED


def test_the_occupancy_month_and_the_day_schedule_show_how_many_wait(manager_client, item, cabinet, waits):
    occupancy = manager_client.get(reverse("admin:equipment_occupancy"), {"month": "2026-11"})
    row = next(r for r in occupancy.context["rows"] if r["item"] == item)
    day2, day3 = at(2, 0).date().day - 1, at(3, 0).date().day - 1
    assert (row["cells"][day2]["waiting"], row["cells"][day3]["waiting"], row["cells"][0]["waiting"]) == (1, 1, 0)
    linked = manager_client.get(row["cells"][day3]["waitlist_url"])
    assert [w.resource_id for w in linked.context["cl"].result_list] == [item.pk]

    schedule = manager_client.get(reverse("admin:cabinets_day_schedule"), {"date": at(1, 0).date().isoformat()})
    cabinet_row = next(r for r in schedule.context["schedule"].rows if r.cabinet == cabinet)
    assert cabinet_row.waiting == 1
    assert "⏳ 1" in schedule.content.decode()


def test_the_waitlist_pages_take_a_constant_number_of_queries(manager_client, item, cabinet):
    counts = []
    for n in (1, 8):
        for i in range(n):
            account = factories.TelegramAccountFactory()
            equipment_wait_join(item=item, start_date=at(2 + i % 3, 0).date(), units=1, client_name="Клиент Тестов",
                                client_phone="+79990003333", actor=Actor.telegram(account), channel=Channel.BOT,
                                now=NOW)
        counts.append((queries(manager_client, reverse("admin:equipment_occupancy"), {"month": "2026-11"}),
                       queries(manager_client, reverse("admin:cabinets_day_schedule"),
                               {"date": at(1, 0).date().isoformat()}),
                       queries(manager_client, reverse("admin:waitlist_wait_changelist"), {})))
    assert counts[0] == counts[1], counts
