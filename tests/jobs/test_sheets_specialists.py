"""A worksheet per specialist equals their appointments: date, full date, time, client id, client name and
service, in time order, rewritten when one of their appointments changes."""

from __future__ import annotations

import pytest

from cabinets.services import cabinet_booking_cancel
from integrations.sheets.specialists import HEADER, sheet_title
from integrations.sheets.sync import sheets_sync
from kernel.channels import Actor, Channel
from specialists.services import appointment_create
from tests.jobs import test_sheets
from tests.specialists import conftest as cast
from tests.specialists.conftest import TUE, at

pytestmark = pytest.mark.django_db

google, pauses, gateway = test_sheets.google, test_sheets.pauses, test_sheets.gateway
rooms, anna, boris, ultrasound = cast.rooms, cast.anna, cast.boris, cast.ultrasound


def book(service, specialist, starts_at, *, account, now, name):
    return appointment_create(service=service, specialist=specialist, starts_at=starts_at, client_name=name,
                              client_phone="+79990001111", actor=Actor.telegram(account), channel=Channel.BOT,
                              now=now)


def test_each_specialist_has_a_worksheet_of_their_appointments(gateway, google, ultrasound, anna, boris, alice,
                                                                now):
    book(ultrasound, anna, at(TUE, 15), account=alice, now=now, name="Ольга")
    book(ultrasound, anna, at(TUE, 10), account=alice, now=now, name="Пётр")
    book(ultrasound, boris, at(TUE, 11), account=alice, now=now, name="Ирина")

    sheets_sync(now=now, gateway=gateway)

    assert google.values(sheet_title(anna)) == [
        HEADER,
        ["24.11", "24.11.2026", "10:00", str(alice.telegram_id), "Пётр", "УЗИ брюшной полости"],
        ["24.11", "24.11.2026", "15:00", str(alice.telegram_id), "Ольга", "УЗИ брюшной полости"],
    ]
    assert [row[2:5] for row in google.values(sheet_title(boris))[1:]] == [
        ["11:00", str(alice.telegram_id), "Ирина"]]


def test_a_cancelled_appointment_leaves_its_specialist_s_sheet_on_the_next_run(gateway, google, ultrasound, anna,
                                                                                alice, staff, now):
    kept = book(ultrasound, anna, at(TUE, 10), account=alice, now=now, name="Пётр")
    gone = book(ultrasound, anna, at(TUE, 15), account=alice, now=now, name="Ольга")
    sheets_sync(now=now, gateway=gateway)
    assert len(google.values(sheet_title(anna))) == 3

    cabinet_booking_cancel(booking=gone, actor=Actor.staff(staff), now=now)
    sheets_sync(now=now, gateway=gateway)

    assert [row[4] for row in google.values(sheet_title(anna))[1:]] == [kept.client_name]


def test_a_full_run_writes_a_sheet_even_for_a_specialist_without_appointments(gateway, google, ultrasound, anna,
                                                                               boris, now):
    sheets_sync(now=now, gateway=gateway, full=True)
    assert google.values(sheet_title(anna)) == [HEADER]
    assert google.values(sheet_title(boris)) == [HEADER]
