"""A staff member who may only view (every view_* permission, nothing else) reads the clinic's admin but
cannot open or submit an add, change or delete page, nor any custom page that changes something (moving a
booking, cancelling a series). Every admin registration of ours and every custom URL of it is walked, so a
page added later is covered as soon as it exists. (Admin actions are tested with the actions.)"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from cabinets.models import CabinetBooking, CabinetSeries
from cabinets.series import cabinet_series_create
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from integrations.calendar.services import calendar_token_issue
from integrations.webhooks.services import webhook_create
from kernel.channels import Actor, Channel
from payments.direct import mark_paid_in_cash
from tests import factories
from tests.conftest import MSK, NOW
from tests.security.conftest import OUR_APPS, changed_tables, snapshot

pytestmark = pytest.mark.django_db

# Custom pages that only show something.
READING_PAGES = {"equipment_occupancy", "cabinets_day_schedule", "clinic_statistics", "clinic_period_statistics",
                 "integrations_auditexport_download", "payments_reconciliation"}
CLIENT = {"client_name": "Нина Орлова", "client_phone": "8 916 555-44-33", "comment": ""}
NO_LINES = {"equipment-TOTAL_FORMS": "3", "equipment-INITIAL_FORMS": "0"}


def our_admins() -> list[str]:
    return sorted(model._meta.label for model in admin.site._registry if model._meta.app_label in OUR_APPS)


def admin_of(label: str):
    return next(ma for model, ma in admin.site._registry.items() if model._meta.label == label)


def custom_urls(model_admin) -> list:
    standard = {p.name for p in admin.ModelAdmin(model_admin.model, admin.site).get_urls()}
    return [p for p in model_admin.get_urls() if p.name not in standard]


@pytest.fixture
def clinic(alice, frozen):
    """One of each thing the admin shows, bookings made as clients and partners make them."""
    item = factories.ItemFactory(name="УЗИ-аппарат", quantity=3, price_per_day=Decimal("500.00"))
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 1"))
    as_alice = Actor.telegram(alice)
    equipment = equipment_booking_create(item=item, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2),
                                         units=1, actor=as_alice, channel=Channel.BOT, now=NOW, **CLIENT)
    booking = cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 24, 10, tzinfo=MSK),
                                     duration_minutes=60, actor=as_alice, channel=Channel.BOT, now=NOW, **CLIENT)
    series = cabinet_series_create(cabinet=cabinet, starts_at=datetime(2026, 11, 25, 15, tzinfo=MSK),
                                   duration_minutes=60, every_weeks=1, count=3, requester=alice,
                                   actor=Actor.staff(factories.StaffUserFactory(username="reception")),
                                   channel=Channel.ADMIN, now=NOW, **CLIENT)
    factories.holiday(date(2026, 12, 31))
    factories.closure(cabinet, date(2026, 12, 30))
    partner, _key = factories.partner_with_key(name="ClinicCRM")
    webhook_create(partner=partner, url="https://93.184.216.34/hook", event_types=["booking.created"], now=NOW)
    calendar_token_issue(cabinet=cabinet, now=NOW)
    mark_paid_in_cash(booking=equipment, resource_type="equipment", actor=Actor.system(), now=NOW,
                      idempotency_key="clinic")  # a payment to refund
    unpaid = equipment_booking_create(item=item, start_date=date(2026, 12, 3), units=1, actor=as_alice,
                                      channel=Channel.BOT, now=NOW, **CLIENT)
    return {"item": item, "cabinet": cabinet, "equipment": equipment, "booking": booking, "series": series,
            "unpaid": unpaid}


def post_bodies(clinic) -> dict[str, dict]:
    """For each page that writes: a body that a manager's submit would act on."""
    item, cabinet = clinic["item"], clinic["cabinet"]
    return {
        "equipment_equipmentbooking_add": {"item": item.pk, "start_date": "2026-12-05", "end_date": "2026-12-05",
                                           "units": 1, **CLIENT},
        "cabinets_cabinetbooking_add": {"cabinet": cabinet.pk, "day": "2026-11-26", "start_time": "11:00",
                                        "duration_minutes": "60", **CLIENT, **NO_LINES},
        "cabinets_cabinetseries_add": {"cabinet": cabinet.pk, "day": "2026-11-27", "start_time": "11:00",
                                       "duration_minutes": "60", "every_weeks": "1", "count": "2", "until": "",
                                       **CLIENT, **NO_LINES},
        "equipment_equipmentbooking_move": {"item": item.pk, "start_date": "2026-12-08", "end_date": "2026-12-08",
                                            "units": 1},
        "cabinets_cabinetbooking_move": {"cabinet": cabinet.pk, "day": "2026-11-24", "start_time": "16:00",
                                         "duration_minutes": "60"},
        "cabinets_cabinetseries_cancel": {"from_date": "2026-11-25", "reason": "переезд"},
        "equipment_equipmentbooking_price": {"total": "100.00", "reason": "постоянный клиент"},
        "cabinets_cabinetbooking_price": {"total": "100.00", "reason": "постоянный клиент"},
        "payments_payment_cash": {"booking": clinic["unpaid"].reference, "note": ""},
        "payments_payment_refund": {"amount": "10.00", "destination": "card", "reason": "сбой аппарата"},
    }


def object_of(label: str, clinic):
    """The object a page of this admin is opened on: the clinic's own, else any there is."""
    model = admin_of(label).model
    chosen = {EquipmentBooking: clinic["equipment"], CabinetBooking: clinic["booking"],
              CabinetSeries: clinic["series"]}.get(model)
    return chosen or model.objects.order_by("pk").first()


@pytest.fixture
def viewer(client, db):
    user = factories.StaffUserFactory(username="auditor")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture
def manager(db):
    from django.test import Client

    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client = Client()
    client.force_login(user)
    return client


def test_the_viewer_reads_the_bookings(viewer, clinic):
    for name, args in (("admin:equipment_equipmentbooking_changelist", []),
                       ("admin:cabinets_cabinetbooking_changelist", []),
                       ("admin:equipment_equipmentbooking_change", [clinic["equipment"].pk]),
                       ("admin:cabinets_cabinetbooking_change", [clinic["booking"].pk]),
                       ("admin:cabinets_cabinetseries_change", [clinic["series"].pk]),
                       ("admin:cabinets_day_schedule", []), ("admin:equipment_occupancy", [])):
        assert viewer.get(reverse(name, args=args)).status_code == 200, name


@pytest.mark.parametrize("label", our_admins())
def test_the_viewer_cannot_add_change_or_delete(viewer, clinic, label):
    opts = admin_of(label).model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    body = post_bodies(clinic).get(f"{opts.app_label}_{opts.model_name}_add", {})
    target = object_of(label, clinic)
    before = snapshot()

    assert viewer.get(reverse(f"{prefix}_add")).status_code == 403
    assert viewer.post(reverse(f"{prefix}_add"), body).status_code == 403
    if target is not None:
        change, delete = reverse(f"{prefix}_change", args=[target.pk]), reverse(f"{prefix}_delete", args=[target.pk])
        assert viewer.post(change, {"manager_comment": "changed", "name": "changed"}).status_code == 403
        assert viewer.get(delete).status_code == 403
        assert viewer.post(delete, {"post": "yes"}).status_code == 403

    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("label", [label for label in our_admins() if custom_urls(admin_of(label))])
def test_the_viewer_cannot_use_a_custom_page_that_changes_something(viewer, manager, clinic, label):
    bodies = post_bodies(clinic)
    target = object_of(label, clinic)
    for pattern in custom_urls(admin_of(label)):
        if pattern.name in READING_PAGES:
            continue
        assert pattern.name in bodies, f"say whether {pattern.name} only reads, or how a manager submits it"
        url = reverse(f"admin:{pattern.name}", args=[target.pk] if pattern.pattern.converters else [])
        before = snapshot()

        assert viewer.get(url).status_code == 403, pattern.name
        assert viewer.post(url, bodies[pattern.name]).status_code == 403, pattern.name
        assert changed_tables(before, snapshot()) == []

        # A manager's submit of the same body acts: the 403 above was the permission's.
        assert manager.post(url, bodies[pattern.name]).status_code == 302, pattern.name
        assert changed_tables(before, snapshot()) != []


@pytest.mark.parametrize("name", ["equipment_equipmentbooking_add", "cabinets_cabinetbooking_add",
                                  "cabinets_cabinetseries_add"])
def test_a_managers_submit_of_the_same_add_page_books(manager, clinic, name):
    before = snapshot()
    assert manager.post(reverse(f"admin:{name}"), post_bodies(clinic)[name]).status_code == 302
    assert changed_tables(before, snapshot()) != []


@pytest.mark.parametrize("label", [label for label in our_admins() if admin_of(label).list_editable])
def test_the_viewer_cannot_save_a_list_edited_in_place(viewer, clinic, label):
    model_admin = admin_of(label)
    opts = model_admin.model._meta
    rows = list(model_admin.model.objects.order_by("pk"))
    body = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)), "_save": "Save"}
    for index, row in enumerate(rows):
        body[f"form-{index}-id"] = str(row.pk)
        body.update({f"form-{index}-{field}": "99" for field in model_admin.list_editable})
    before = snapshot()

    response = viewer.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), body)

    assert response.status_code == 403
    assert changed_tables(before, snapshot()) == []
