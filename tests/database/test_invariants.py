"""The database itself refuses bad rows, whatever code writes them. Runs on SQLite and on PostgreSQL."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Partner
from cabinets.models import Cabinet, CabinetBooking, CabinetOccupancy, Closure, Holiday, WeeklySchedule
from equipment.models import EquipmentBooking, Item
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]
MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 12, 1, 10, 0, tzinfo=MSK)


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


def equipment_booking(item, **overrides):
    fields = dict(item=item, units=1, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1),
                  client_name="Иван", client_phone="+79990000000", created_at=AT, updated_at=AT)
    fields.update(overrides)
    return EquipmentBooking.objects.create(**fields)


def cabinet_booking(cabinet, starts_at=AT, minutes=30, **overrides):
    fields = dict(cabinet=cabinet, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                  client_name="Иван", client_phone="+79990000000", created_at=AT, updated_at=AT)
    fields.update(overrides)
    return CabinetBooking.objects.create(**fields)


def test_item_names_are_unique():
    Item.objects.create(name="Infini, УФА", quantity=1)
    with refused(), transaction.atomic():
        Item.objects.create(name="Infini, УФА", quantity=2)


def test_item_quantity_cannot_be_negative():
    with refused(), transaction.atomic():
        Item.objects.create(name="X", quantity=-1)


def test_equipment_booking_needs_at_least_one_unit():
    item = factories.ItemFactory()
    with refused(), transaction.atomic():
        equipment_booking(item, units=0)


def test_equipment_booking_cannot_end_before_it_starts():
    item = factories.ItemFactory()
    with refused(), transaction.atomic():
        equipment_booking(item, start_date=date(2026, 12, 2), end_date=date(2026, 12, 1))


def test_equipment_window_needs_start_before_end():
    item = factories.ItemFactory()
    with refused(), transaction.atomic():
        equipment_booking(item, starts_at=AT, ends_at=AT)
    with refused(), transaction.atomic():
        equipment_booking(item, starts_at=AT, ends_at=None)


def test_unknown_status_is_refused():
    item = factories.ItemFactory()
    with refused(), transaction.atomic():
        equipment_booking(item, status="lost")


def test_external_booking_id_is_unique_per_partner_but_not_across_partners():
    item = factories.ItemFactory()
    first, _ = factories.partner_with_key(name="A")
    second, _ = factories.partner_with_key(name="B")
    equipment_booking(item, partner=first, external_booking_id="crm-1")
    equipment_booking(item, partner=second, external_booking_id="crm-1")
    with refused(), transaction.atomic():
        equipment_booking(item, partner=first, external_booking_id="crm-1")


def test_bookings_without_partner_may_share_an_empty_external_id():
    item = factories.ItemFactory()
    equipment_booking(item)
    equipment_booking(item)
    assert EquipmentBooking.objects.count() == 2


def test_cabinet_names_are_unique():
    Cabinet.objects.create(name="Кабинет №1")
    with refused(), transaction.atomic():
        Cabinet.objects.create(name="Кабинет №1")


def test_cabinet_booking_must_start_before_it_ends():
    cabinet = factories.CabinetFactory()
    with refused(), transaction.atomic():
        cabinet_booking(cabinet, minutes=0)


def test_a_second_overlapping_occupancy_of_a_cabinet_is_refused_by_the_database():
    cabinet = factories.CabinetFactory()
    first = cabinet_booking(cabinet)
    second = cabinet_booking(cabinet, status="cancelled")
    CabinetOccupancy.objects.create(cabinet=cabinet, booking=first, starts_at=AT)
    with refused(), transaction.atomic():
        CabinetOccupancy.objects.create(cabinet=cabinet, booking=second, starts_at=AT)


def test_the_same_time_in_two_cabinets_is_fine():
    one, two = factories.CabinetFactory(), factories.CabinetFactory()
    CabinetOccupancy.objects.create(cabinet=one, booking=cabinet_booking(one), starts_at=AT)
    CabinetOccupancy.objects.create(cabinet=two, booking=cabinet_booking(two), starts_at=AT)
    assert CabinetOccupancy.objects.count() == 2


def test_one_weekly_schedule_row_per_weekday():
    cabinet = factories.CabinetFactory()
    WeeklySchedule.objects.create(cabinet=cabinet, weekday=0, opens=time(9), closes=time(21))
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=0, opens=time(10), closes=time(22))


def test_a_working_day_must_open_before_it_closes():
    cabinet = factories.CabinetFactory()
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=1, opens=time(21), closes=time(9))
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=1, opens=None, closes=None)
    WeeklySchedule.objects.create(cabinet=cabinet, weekday=1, is_day_off=True)


def test_lunch_must_be_ordered_and_within_working_hours():
    cabinet = factories.CabinetFactory()
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=2, opens=time(9), closes=time(21),
                                      lunch_start=time(14), lunch_end=time(13))
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=2, opens=time(9), closes=time(21),
                                      lunch_start=time(20), lunch_end=time(22))
    with refused(), transaction.atomic():
        WeeklySchedule.objects.create(cabinet=cabinet, weekday=2, opens=time(9), closes=time(21),
                                      lunch_start=time(13), lunch_end=None)


def test_holidays_are_one_per_date():
    Holiday.objects.create(date=date(2026, 1, 1), name="Новый год")
    with refused(), transaction.atomic():
        Holiday.objects.create(date=date(2026, 1, 1), name="again")


def test_a_partial_closure_needs_ordered_times():
    cabinet = factories.CabinetFactory()
    with refused(), transaction.atomic():
        Closure.objects.create(cabinet=cabinet, date=date(2026, 12, 1), start_time=time(12), end_time=time(11))
    Closure.objects.create(cabinet=cabinet, date=date(2026, 12, 1))


def test_partner_names_are_unique():
    factories.partner_with_key(name="CRM")
    with refused(), transaction.atomic():
        Partner.objects.create(name="CRM", key_prefix="x" * 12, key_hash="0" * 64)


def test_stored_instants_are_utc():
    cabinet = factories.CabinetFactory()
    booking = cabinet_booking(cabinet)
    booking.refresh_from_db()
    assert booking.starts_at == AT
    assert timezone.localtime(booking.starts_at).hour == 10
