"""The partner path reads its rows with statements built once per shape (kernel.rows); the instances
are the ORM's own, converters included (JSON scopes, aware datetimes, dates)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from accounts.models import Partner
from equipment.models import EquipmentBooking
from kernel import locking, rows
from tests import factories

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_partner_read_by_its_key_prefix_equals_the_orms(crm):
    read = rows.first(Partner, key_prefix=crm.key_prefix, is_active=True)
    assert fields_of(read) == fields_of(Partner.objects.get(pk=crm.pk))
    assert read.scopes == ["read:availability", "read:items", "write:bookings"]
    assert read.created_at.tzinfo is not None and read.has_scope("write:bookings")


def test_an_inactive_partner_or_another_prefix_reads_as_none(crm):
    assert rows.first(Partner, key_prefix="x" * 12, is_active=True) is None
    Partner.objects.filter(pk=crm.pk).update(is_active=False)
    assert rows.first(Partner, key_prefix=crm.key_prefix, is_active=True) is None


def test_a_booking_read_by_its_external_id_equals_the_orms(api, accent):
    api.post("/api/v1/equipment-bookings", {"item_id": accent.pk, "start_date": "2026-12-01",
                                            "end_date": "2026-12-02", "units": 1, "client_name": "Иван Петров",
                                            "client_phone": "+79991234567", "external_booking_id": "crm-7"})
    booking = EquipmentBooking.objects.get()
    read = rows.first(EquipmentBooking, partner=booking.partner_id, external_booking_id="crm-7")
    assert fields_of(read) == fields_of(booking)
    assert read.start_date == date(2026, 12, 1) and read.item.name == "Accent"


def test_locked_rows_are_the_orms_and_an_empty_lock_locks_nothing(accent, infini):
    with transaction.atomic():
        locked = locking.lock(type(accent), [infini.pk, accent.pk, 10**9])
        assert list(locked) == sorted([accent.pk, infini.pk])
        assert fields_of(locked[accent.pk]) == fields_of(type(accent).objects.get(pk=accent.pk))
        assert locking.lock(Partner, []) == {}


def test_a_partner_with_an_extra_secret_still_needs_it(db):
    from accounts.services import partner_authenticate

    partner, key = factories.partner_with_key(name="Extra", extra="s3cret-extra")
    assert partner_authenticate(key=key, extra="s3cret-extra").pk == partner.pk
    assert partner_authenticate(key=key, extra="wrong") is None
    assert partner_authenticate(key=key[:-1] + ("A" if key[-1] != "A" else "B")) is None
