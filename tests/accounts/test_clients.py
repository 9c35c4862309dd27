"""The client record: one per phone, created or updated by every booking, written only when something changed."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.clients import (
    clean_birthday,
    clean_email,
    client_asks_birthday,
    client_birthday_skipped,
    client_change,
    client_upsert,
)
from accounts.models import Client
from cabinets.services import cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from tests import factories
from tests.clock import MSK, NOW, TUE, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(db):
    return factories.ItemFactory(name="Accent", quantity=10)


def book(item, actor, *, name="Мария Петрова", phone="8 999 123-45-67", **client):
    return equipment_booking_create(item=item, start_date=TUE, client_name=name, client_phone=phone, actor=actor,
                                    channel=Channel.ADMIN, now=NOW, **client)


def test_a_first_booking_creates_the_client_and_points_at_it(item, staff):
    booking = book(item, Actor.staff(staff), client_birthday=date(1990, 5, 17), client_email="Maria@Example.COM")

    client = Client.objects.get()
    assert (client.phone, client.name, client.birthday, client.email) == (
        "+79991234567", "Мария Петрова", date(1990, 5, 17), "Maria@example.com")
    assert client.created_at == client.updated_at == NOW
    assert booking.client_id == client.pk
    assert EquipmentBooking.objects.get().client_id == client.pk


def test_the_next_booking_updates_the_name_and_keeps_what_it_does_not_give(item, staff):
    book(item, Actor.staff(staff), client_birthday=date(1990, 5, 17), client_email="maria@example.com")

    second = book(item, Actor.staff(staff), name="Мария Сидорова", phone="+7 999 123 45 67")

    client = Client.objects.get()
    assert second.client_id == client.pk
    assert (client.name, client.birthday, client.email) == ("Мария Сидорова", date(1990, 5, 17), "maria@example.com")
    assert second.client_name == "Мария Сидорова"  # the booking keeps the name as booked, too


def test_a_booking_that_changes_nothing_reads_the_client_once_and_does_not_write_it(item, staff):
    book(item, Actor.staff(staff), client_email="maria@example.com")
    Client.objects.update(updated_at=NOW - timedelta(days=3))

    with CaptureQueriesContext(connection) as captured:
        booking = book(item, Actor.staff(staff))

    client = Client.objects.get()
    assert booking.client_id == client.pk and client.updated_at == NOW - timedelta(days=3)
    touching = [q["sql"] for q in captured.captured_queries if "accounts_client" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("SELECT")


def test_the_client_is_written_before_the_booking_row_which_is_never_updated(item, staff):
    with CaptureQueriesContext(connection) as captured:
        book(item, Actor.staff(staff))

    statements = [q["sql"] for q in captured.captured_queries]
    client_insert = next(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "accounts_client"'))
    booking_insert = next(i for i, sql in enumerate(statements)
                          if sql.startswith('INSERT INTO "equipment_equipmentbooking"'))
    assert client_insert < booking_insert
    assert not any(sql.startswith('UPDATE "equipment_equipmentbooking"') for sql in statements)


def test_a_refused_booking_leaves_no_client(item, staff):
    with pytest.raises(BookingError):
        book(item, Actor.staff(staff), client_email="not an address")
    item.quantity = 0
    item.save()
    with pytest.raises(BookingError):
        book(item, Actor.staff(staff))

    assert not Client.objects.exists()


def test_a_clients_own_telegram_booking_links_their_account_and_a_managers_does_not(item, alice, manager_account):
    book(item, Actor.telegram(manager_account), phone="+79990000001")
    book(item, Actor.telegram(alice), phone="+79990000002")

    assert Client.objects.get(phone="+79990000001").telegram_account is None
    assert Client.objects.get(phone="+79990000002").telegram_account == alice
    book(item, Actor.telegram(manager_account), phone="+79990000002")  # a manager booking for Alice keeps her link
    assert Client.objects.get(phone="+79990000002").telegram_account == alice


def test_a_cabinet_booking_and_the_equipment_taken_with_it_point_at_one_new_client(cabinet, item, staff):
    booking = cabinet_booking_create(cabinet=cabinet, starts_at=at(TUE, 10), duration_minutes=60,
                                     client_name="Ольга Смирнова", client_phone="+79995550000", equipment=[(item, 1)],
                                     actor=Actor.staff(staff), channel=Channel.ADMIN, now=NOW)

    client = Client.objects.get()
    assert booking.client_id == client.pk
    assert [line.client_id for line in booking.equipment_bookings.all()] == [client.pk]


def test_a_new_email_address_clears_the_bounce_mark(item, staff):
    book(item, Actor.staff(staff), client_email="old@example.com")
    Client.objects.update(email_bounced_at=NOW)

    book(item, Actor.staff(staff), client_email="old@example.com")
    assert Client.objects.get().email_bounced_at == NOW
    book(item, Actor.staff(staff), client_email="new@example.com")
    assert Client.objects.get().email_bounced_at is None


def test_only_given_values_overwrite_and_the_latest_wins():
    known = factories.ClientFactory(phone="+79991234567", name="Мария Петрова", birthday=date(1990, 5, 17),
                                    email="m@example.com")

    assert client_upsert(phone="+79991234567", name="Мария Петрова", now=NOW).pk == known.pk
    client_upsert(phone="+79991234567", name="Мария Петрова", birthday=date(1991, 5, 17), now=NOW)

    known.refresh_from_db()
    assert (known.birthday, known.email) == (date(1991, 5, 17), "m@example.com")


@pytest.mark.parametrize(("birthday", "refused"), [
    (date(2026, 11, 23), False),  # born today (NOW's clinic date)
    (date(2026, 11, 24), True),
    (date(1900, 1, 1), False),
    (date(1899, 12, 31), True),
])
def test_a_birthday_is_not_in_the_future_nor_before_1900(birthday, refused):
    if refused:
        with pytest.raises(BookingError) as refusal:
            clean_birthday(birthday, now=NOW)
        assert (refusal.value.code, refusal.value.details["field"]) == ("invalid", "client_birthday")
    else:
        assert clean_birthday(birthday, now=NOW) == birthday


def test_tomorrow_begins_at_the_clinics_midnight_not_utcs():
    late_evening = datetime(2026, 11, 23, 23, 30, tzinfo=MSK)  # already the 23rd everywhere east of UTC
    assert clean_birthday(date(2026, 11, 23), now=late_evening) == date(2026, 11, 23)
    just_after_midnight = datetime(2026, 11, 24, 0, 10, tzinfo=MSK)  # still the 23rd in UTC
    assert clean_birthday(date(2026, 11, 24), now=just_after_midnight) == date(2026, 11, 24)


def test_on_the_night_the_clocks_change_today_is_the_clinics_date(settings):
    from zoneinfo import ZoneInfo

    settings.TIME_ZONE = "Europe/Berlin"
    after_the_change = datetime(2027, 3, 28, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 01:30 UTC
    assert clean_birthday(date(2027, 3, 28), now=after_the_change) == date(2027, 3, 28)
    with pytest.raises(BookingError):
        clean_birthday(date(2027, 3, 29), now=after_the_change)


@pytest.mark.parametrize("raw", ["maria", "maria@", "@example.com", "maria@example", "ma ria@example.com"])
def test_an_invalid_email_address_is_refused_naming_the_field(raw):
    with pytest.raises(BookingError) as refusal:
        clean_email(raw)
    assert refusal.value.details["field"] == "client_email"


def test_an_email_address_is_trimmed_and_its_domain_lowered():
    assert clean_email("  Maria.P@Example.Com ") == "Maria.P@example.com"
    assert clean_email("") == clean_email(None) == ""


def test_the_birthday_is_asked_until_it_is_given_or_skipped(item, staff):
    assert client_asks_birthday("+79991234567")  # nobody yet
    first = book(item, Actor.staff(staff))
    assert client_asks_birthday("+79991234567")

    client_birthday_skipped(client_id=first.client_id, now=NOW)
    assert not client_asks_birthday("+79991234567")
    book(item, Actor.staff(staff), phone="+79990000009", client_birthday=date(1990, 1, 1))
    assert not client_asks_birthday("+79990000009")


def test_skipping_does_not_hide_a_birthday_given_meanwhile(item, staff):
    booking = book(item, Actor.staff(staff), client_birthday=date(1990, 1, 1))
    client_birthday_skipped(client_id=booking.client_id, now=NOW)
    assert Client.objects.get().birthday_asked_at is None


def test_a_managers_change_of_the_email_clears_the_bounce_and_stamps_the_record():
    client = factories.ClientFactory(email="old@example.com", email_bounced_at=NOW - timedelta(days=1))
    client.email = "new@example.com"

    client_change(client=client, changed=["email"], now=NOW)

    client.refresh_from_db()
    assert (client.email, client.email_bounced_at, client.updated_at) == ("new@example.com", None, NOW)
