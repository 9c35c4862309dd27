"""No log line holds a client's phone number or name in clear: not for an admin phone booking, a move or a
series; not for a partner's cabinet booking, series, waitlist entry, refusal or unknown id; not for a cabinet
bot dialog whose manager notification fails. Every record is checked as the configured console handler
writes it, readable and JSON. (tests/integrations/telegram/test_logs.py covers an equipment API booking, an
equipment bot dialog and the worker's delivery.)"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from booking_site.logging import JsonFormatter, ReadableFormatter
from cabinets.models import CabinetBooking
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.api.conftest import ApiClient
from tests.conftest import MSK, NOW

pytestmark = pytest.mark.django_db

NAME, PHONE = "Нина Орлова", "8 (916) 555-44-33"
SECRETS = ["Нина", "Орлова", "Orlova", "+79165554433", "79165554433", "89165554433", "9165554433", "916 555-44-33",
           "(916) 555-44-33", "555-44-33", "5554433", "17.05.1990", "1990-05-17"]


def console_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


def written(records: list[logging.LogRecord]) -> str:
    """Everything the console handler would write for these records, in both of its formats."""
    handler, lines = console_handler(), []
    for formatter in (ReadableFormatter(), JsonFormatter()):
        for record in records:
            copy = logging.makeLogRecord(record.__dict__)
            if all(f.filter(copy) for f in handler.filters):
                line = formatter.format(copy)
                lines.append(line if formatter.__class__ is ReadableFormatter
                             else json.dumps(json.loads(line), ensure_ascii=False))
    return "\n".join(lines)


def leaked(records: list[logging.LogRecord]) -> list[str]:
    text = written(records)
    digits = re.sub(r"\D", "", text)
    return [secret for secret in SECRETS if secret in text] + (["phone digits"] if "9165554433" in digits else [])


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def place(db):
    item = factories.ItemFactory(name="УЗИ-аппарат", quantity=1)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 1"))
    return item, cabinet


def test_an_admin_booking_a_move_and_a_series_log_nothing_personal(place, logs, frozen, alice, bot_api,
                                                                    django_capture_on_commit_callbacks):
    item, cabinet = place
    # A client's own booking, which the manager moves: the client's notice fails and is logged.
    visit = cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 26, 10, tzinfo=MSK),
                                   duration_minutes=60, client_name=NAME, client_phone=PHONE,
                                   actor=Actor.telegram(alice), channel=Channel.BOT, now=NOW)
    bot_api.failing_chats.add(alice.telegram_id)
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    admin = Client()
    admin.force_login(user)
    client = {"client_name": NAME, "client_phone": PHONE, "comment": f"перезвонить {PHONE}"}
    lines = {"equipment-TOTAL_FORMS": "3", "equipment-INITIAL_FORMS": "0"}

    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(reverse("admin:cabinets_cabinetbooking_move", args=[visit.pk]), {
            "cabinet": cabinet.pk, "day": "2026-11-26", "start_time": "16:00",
            "duration_minutes": "60"}).status_code == 302
    assert admin.post(reverse("admin:equipment_equipmentbooking_add"), {
        "item": item.pk, "start_date": "2026-12-01", "end_date": "2026-12-01", "units": 1, **client}).status_code == 302
    refused = admin.post(reverse("admin:equipment_equipmentbooking_add"), {
        "item": item.pk, "start_date": "2026-12-01", "end_date": "2026-12-01", "units": 1, **client})
    assert refused.status_code == 200  # the unit is taken: a form error
    assert admin.post(reverse("admin:cabinets_cabinetbooking_add"), {
        "cabinet": cabinet.pk, "day": "2026-11-24", "start_time": "10:00", "duration_minutes": "60", "equipment-0-item":
        item.pk, "equipment-0-units": "1", **client, **lines}).status_code == 302
    booking = CabinetBooking.objects.exclude(pk=visit.pk).get()
    assert admin.post(reverse("admin:cabinets_cabinetbooking_move", args=[booking.pk]), {
        "cabinet": cabinet.pk, "day": "2026-11-24", "start_time": "15:00", "duration_minutes": "60"}).status_code == 302
    assert admin.post(reverse("admin:cabinets_cabinetseries_add"), {
        "cabinet": cabinet.pk, "day": "2026-11-25", "start_time": "11:00", "duration_minutes": "60",
        "every_weeks": "1", "count": "3", "until": "", **client, **lines}).status_code == 302
    assert admin.get(reverse("admin:cabinets_cabinetbooking_changelist"), {"q": PHONE}).status_code == 200

    assert EquipmentBooking.objects.filter(client_name=NAME).count() == 2
    assert any(r.levelno >= logging.WARNING for r in logs.records)  # the failed notice was logged
    assert not leaked(logs.records), leaked(logs.records)


def test_partner_bookings_refusals_and_unknown_ids_log_nothing_personal(place, logs, frozen):
    item, cabinet = place
    api = ApiClient(factories.partner_with_key(name="ClinicCRM")[1])
    client = {"client_name": NAME, "client_phone": PHONE}
    equipment_booking_create(item=item, start_date=date(2026, 12, 10), end_date=date(2026, 12, 10), units=1,
                             client_name="Пётр И", client_phone="+79990000000", actor=Actor.system(),
                             channel=Channel.ADMIN, now=NOW)

    made = api.post("/api/v1/cabinet-bookings", {"cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00",
                                                 "duration_minutes": 60, "external_booking_id": "crm-1", **client})
    taken = api.post("/api/v1/cabinet-bookings", {"cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00",
                                                  "duration_minutes": 60, "external_booking_id": "crm-2", **client})
    series = api.post("/api/v1/cabinet-bookings", {
        "cabinet_id": cabinet.pk, "starts_at": "2026-11-25T10:00:00+03:00", "duration_minutes": 60,
        "external_booking_id": "crm-3", "repeat": {"every_weeks": 1, "count": 3}, **client})
    wait = api.post("/api/v1/waitlist", {"item_id": item.pk, "start_date": "2026-12-10",
                                         "external_booking_id": "crm-4", **client})
    invalid = api.post("/api/v1/equipment-bookings", {"item_id": item.pk, "start_date": "1.12.2026",
                                                      "external_booking_id": "crm-5", **client})
    unknown = api.delete("/api/v1/equipment-bookings/+79165554433")  # a phone number sent as an id
    conflict = api.post("/api/v1/cabinet-bookings", {"cabinet_id": cabinet.pk,
                                                     "starts_at": "2026-11-24T10:00:00+03:00",
                                                     "duration_minutes": 30, "external_booking_id": "crm-1", **client})

    assert [r.status_code for r in (made, taken, series, wait, invalid, unknown, conflict)] == [
        201, 409, 201, 201, 400, 404, 409]
    assert logs.records and not leaked(logs.records), leaked(logs.records)


def test_a_cabinet_bot_dialog_with_a_failed_manager_notice_logs_nothing_personal(
        place, user_factory, bot_api, logs, django_capture_on_commit_callbacks):
    factories.TelegramAccountFactory(telegram_id=9001, username="boss", first_name="Maria", is_manager=True,
                                     language_code="en")
    bot_api.failing_chats.add(9001)  # the manager's notice fails and is logged
    client = user_factory(1001, bot="cabinet", first_name="Нина")
    with django_capture_on_commit_callbacks(execute=True):
        client.send("/start")
        client.send("/book")
        client.press("Кабинет 1")
        client.press("24")
        client.press("10:00")
        client.press("1 h")
        client.press("No equipment")
        client.send(NAME)
        client.send(PHONE)
        client.send("17.05.1990")  # the birthday, asked once
        client.press("✅ Confirm")
    booking = CabinetBooking.objects.get()
    assert (booking.client_name, booking.starts_at) == (NAME, datetime(2026, 11, 24, 10, tzinfo=MSK))
    assert any(r.levelno >= logging.WARNING for r in logs.records)  # the failed notice was logged
    assert not leaked(logs.records), leaked(logs.records)
