"""The waitlist on generic resource ids: a wait names (resource_type, resource_id); queues, counts, names and
offer passes are per resource and go through that resource's adapter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from kernel.waitlist.models import Wait
from kernel.waitlist.services import (
    capacity_freed,
    wait_position,
    waiting_by_day,
    waitlist_offer_pass,
    with_resource_names,
)
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def wait(resource_type="probe", resource_id=7, *, minutes=0, status=Wait.Status.WAITING, **fields) -> Wait:
    return Wait.objects.create(
        resource_type=resource_type, resource_id=resource_id, status=status, start_date=fields.pop("start", DAY),
        end_date=fields.pop("end", DAY), client_name="Клиент", client_phone="+79990000000",
        offer_expires_at=NOW + timedelta(minutes=30) if status == Wait.Status.OFFERED else None,
        created_at=NOW + timedelta(minutes=minutes), updated_at=NOW, **fields)


def test_the_queue_is_per_resource_type_and_id(probe):
    first, other_probe, same_id_elsewhere, second = (
        wait(minutes=0), wait(resource_id=8, minutes=1), wait("equipment", 7, minutes=2), wait(minutes=3))
    assert [wait_position(w) for w in (first, other_probe, same_id_elsewhere, second)] == [1, 1, 1, 2]


def test_a_freed_resource_is_offered_through_its_adapter_after_commit(probe, django_capture_on_commit_callbacks):
    wait(resource_id=7)
    with django_capture_on_commit_callbacks(execute=True):
        capacity_freed(resource_type="probe", resource_ids=[7, 8, None, 7], now=NOW)
    assert probe.offered == [7]  # 8 has nobody waiting: its adapter is not asked


def test_an_offer_pass_for_a_resource_nobody_waits_for_asks_no_adapter(probe):
    wait(resource_id=7, status=Wait.Status.OFFERED)
    assert waitlist_offer_pass(resource_type="probe", resource_id=7, now=NOW) == []
    assert probe.offered == []


def test_waiting_by_day_counts_live_waits_by_resource_id(probe):
    wait(resource_id=7, end=DAY + timedelta(days=1))
    wait(resource_id=7, status=Wait.Status.OFFERED)
    wait(resource_id=8, status=Wait.Status.CANCELLED)
    wait("equipment", 7)
    counts = waiting_by_day(resource_type="probe", resource_ids=[7, 8], start_date=DAY,
                            end_date=DAY + timedelta(days=2))
    assert counts == {(7, DAY): 2, (7, DAY + timedelta(days=1)): 1}


def test_names_come_from_each_resources_adapter_one_query_per_type(probe, django_assert_num_queries):
    item = factories.ItemFactory(name="Холтер")
    waits = [wait(resource_id=7), wait(resource_id=8), wait("equipment", item.pk)]
    with django_assert_num_queries(2):  # the waits, then equipment's items once; the probe reads no table
        named = with_resource_names(Wait.objects.filter(pk__in=[w.pk for w in waits]).order_by("id"))
    assert [w.resource_name for w in named] == ["Кабинет УЗИ (проба)", "Зал 2", "Холтер"]


def test_deleting_a_resource_deletes_its_waits_only():
    item, other = factories.ItemFactory(), factories.ItemFactory()
    mine, theirs, same_id_other_type = wait("equipment", item.pk), wait("equipment", other.pk), wait("cabinet", item.pk)
    item.delete()
    assert set(Wait.objects.values_list("pk", flat=True)) == {theirs.pk, same_id_other_type.pk}
    assert not Wait.objects.filter(pk=mine.pk).exists()


def test_the_database_refuses_a_wait_without_a_resource_type_or_with_a_backwards_window():
    with pytest.raises(IntegrityError), transaction.atomic():
        wait("")
    with pytest.raises(IntegrityError), transaction.atomic():
        wait(starts_at=NOW, ends_at=NOW - timedelta(minutes=30))
    assert wait(starts_at=NOW, ends_at=NOW + timedelta(minutes=30)).pk
