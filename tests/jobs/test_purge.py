"""The retention purge deletes only what an audit holds and nobody still needs."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from cabinets.models import CabinetBooking, SlotHold
from equipment.models import EquipmentBooking
from equipment.services import equipment_bookings_complete_ended
from integrations.audit.services import audit_export
from integrations.models import Delivery
from integrations.purge import purge_expired, register_purger
from kernel.channels import Actor
from kernel.models import IdempotencyKey
from tests.clock import at
from tests.conftest import MSK
from tests.jobs.conftest import approved_cabinet_booking, approved_equipment_booking

pytestmark = pytest.mark.django_db
NOVEMBER = date(2026, 11, 1)
FEBRUARY = datetime(2027, 2, 10, 3, 0, tzinfo=MSK)  # more than 31 days after November ended


@pytest.fixture
def november(item, cabinet, alice, staff, now):
    equipment = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2026, 11, 25),
                                           now=now)
    slot = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff, starts_at=at(date(2026, 11, 26), 10),
                                    now=now)
    return equipment, slot


def complete_everything(moment):
    from cabinets.services import cabinet_bookings_complete_ended

    equipment_bookings_complete_ended(now=moment)
    cabinet_bookings_complete_ended(now=moment)


def test_it_deletes_ended_bookings_of_a_month_audited_after_it_ended(november):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    counts = purge_expired(now=FEBRUARY)

    assert counts["equipment_bookings"] == 1 and counts["cabinet_bookings"] == 1
    assert not EquipmentBooking.objects.exists() and not CabinetBooking.objects.exists()


def test_it_keeps_bookings_whose_month_has_no_audit(november):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))

    counts = purge_expired(now=FEBRUARY)

    assert counts["equipment_bookings"] == 0 and EquipmentBooking.objects.count() == 1
    assert CabinetBooking.objects.count() == 1


def test_an_audit_made_before_the_month_ended_does_not_count(november):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 11, 30, 23, 0, tzinfo=MSK))

    assert purge_expired(now=FEBRUARY)["cabinet_bookings"] == 0


def test_it_keeps_bookings_younger_than_the_retention(november):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    counts = purge_expired(now=datetime(2026, 12, 20, tzinfo=MSK))

    assert counts["equipment_bookings"] == 0 and counts["cabinet_bookings"] == 0


def test_it_never_deletes_a_holding_booking_even_when_old_and_audited(november):
    # No sweep ran: the bookings are still "approved" although long over.
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    counts = purge_expired(now=FEBRUARY)

    assert counts["equipment_bookings"] == 0 and counts["cabinet_bookings"] == 0
    assert EquipmentBooking.objects.count() == 1


def test_it_never_deletes_upcoming_bookings(item, alice, staff, now):
    upcoming = approved_equipment_booking(item=item, account=alice, staff=staff, start_date=date(2027, 3, 1),
                                          now=now)
    audit_export(month=date(2027, 3, 1), now=datetime(2027, 4, 1, 0, 5, tzinfo=MSK))

    purge_expired(now=datetime(2027, 2, 1, tzinfo=MSK))

    assert EquipmentBooking.objects.filter(pk=upcoming.pk).exists()


def test_dry_run_counts_and_deletes_nothing(november, capsys):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    assert purge_expired(now=FEBRUARY, dry_run=True)["equipment_bookings"] == 1
    assert EquipmentBooking.objects.count() == 1


def test_it_purges_expired_holds_delivered_messages_and_old_idempotency_keys(cabinet, alice, partner, now):
    SlotHold.objects.create(cabinet=cabinet, holder=alice, starts_at=at(date(2026, 11, 24), 10),
                            ends_at=at(date(2026, 11, 24), 11), expires_at=now - timedelta(minutes=1), created_at=now)
    old = now - timedelta(days=40)
    Delivery.objects.create(dedupe_key="sent", bot="equipment", chat_id=1, status="sent", next_attempt_at=old,
                            created_at=old)
    Delivery.objects.create(dedupe_key="dead", bot="equipment", chat_id=1, status="dead", next_attempt_at=old,
                            created_at=old)
    IdempotencyKey.objects.create(partner=partner, key="k1", request_hash="x", resource_type="equipment",
                                  created_at=now - timedelta(hours=25))
    IdempotencyKey.objects.create(partner=partner, key="k2", request_hash="x", resource_type="equipment",
                                  created_at=now - timedelta(hours=23))

    counts = purge_expired(now=now)

    assert counts["slot_holds"] == 1 and counts["deliveries"] == 1 and counts["idempotency_keys"] == 1
    assert list(Delivery.objects.values_list("dedupe_key", flat=True)) == ["dead"]  # dead letters stay visible
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k2"]


def test_other_apps_can_add_their_expired_rows(alice, now):
    register_purger("test_accounts", lambda moment: type(alice).objects.filter(pk=alice.pk, is_blocked=True))
    try:
        assert purge_expired(now=now, dry_run=True)["test_accounts"] == 0
    finally:
        from integrations import purge

        purge._purgers.pop("test_accounts")


def test_the_command_reports_counts(db, capsys):
    call_command("purge_expired", "--dry-run")

    out = capsys.readouterr().out
    assert "equipment_bookings: would delete 0" in out and "slot_holds: would delete 0" in out


def test_a_cancelled_booking_goes_like_a_completed_one(november, staff, now):
    from cabinets.services import cabinet_booking_cancel

    cabinet_booking_cancel(booking=november[1], actor=Actor.staff(staff), now=now)
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    assert purge_expired(now=FEBRUARY)["cabinet_bookings"] == 1


def test_it_forgets_expired_dialogs_and_old_update_ids(db, now):
    from integrations.models import Dialog, SeenUpdate

    Dialog.objects.create(bot="equipment", chat_id=1, user_id=1, state="pick_date", updated_at=now,
                          expires_at=now - timedelta(minutes=1))
    Dialog.objects.create(bot="equipment", chat_id=2, user_id=2, state="pick_date", updated_at=now,
                          expires_at=now + timedelta(minutes=20))
    SeenUpdate.objects.create(bot="cabinet", update_id=1, received_at=now - timedelta(days=3))
    SeenUpdate.objects.create(bot="cabinet", update_id=2, received_at=now - timedelta(hours=1))

    counts = purge_expired(now=now)

    assert counts["dialogs"] == 1 and counts["seen_updates"] == 1
    assert list(Dialog.objects.values_list("chat_id", flat=True)) == [2]
    assert list(SeenUpdate.objects.values_list("update_id", flat=True)) == [2]


def test_a_final_audit_is_kept_when_exported_again_after_the_purge(november, tmp_path):
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    first = audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))
    purge_expired(now=FEBRUARY)
    assert not EquipmentBooking.objects.exists()

    again = audit_export(month=NOVEMBER, now=FEBRUARY, output=tmp_path / "copy.xlsx")

    assert (again.pk, again.sha256, again.row_counts) == (first.pk, first.sha256, first.row_counts)
    assert again.row_counts["equipment_bookings"] == 1 and (tmp_path / "copy.xlsx").stat().st_size > 0


def test_it_forgets_waitlist_entries_that_left_the_queue_long_ago(item, alice, bob, now):
    from equipment.waitlist import equipment_wait_join
    from kernel.channels import Channel
    from kernel.waitlist.models import Wait
    from kernel.waitlist.services import wait_cancel

    def join(account):
        return equipment_wait_join(item=item, start_date=date(2026, 12, 1), client_name="Анна Смирнова",
                                   client_phone="+79991112233", actor=Actor.telegram(account), channel=Channel.BOT,
                                   now=now)

    left, waiting = join(alice), join(bob)
    wait_cancel(wait=left, actor=Actor.telegram(alice), now=now)
    assert purge_expired(now=now + timedelta(days=30))["waits"] == 0
    assert purge_expired(now=now + timedelta(days=32))["waits"] == 1
    assert list(Wait.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_a_client_whose_last_booking_was_purged_is_anonymised(november, alice):
    from accounts.models import Client

    Client.objects.update(email="ivan@example.com", birthday=date(1980, 1, 2), telegram_account=alice,
                          birthday_asked_at=datetime(2026, 11, 23, tzinfo=MSK))
    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))

    assert purge_expired(now=FEBRUARY, dry_run=True)["clients_anonymised"] == 0  # their bookings are still there
    counts = purge_expired(now=FEBRUARY)

    assert counts["clients_anonymised"] == 2  # Иван (the cabinet booking) and Анна (the equipment)
    for client in Client.objects.all():
        assert (client.name, client.phone, client.email, client.birthday) == ("", f"anonymised-{client.pk}", "",
                                                                               None)
        assert client.telegram_account is None and client.anonymised_at == FEBRUARY
    assert purge_expired(now=FEBRUARY + timedelta(days=1))["clients_anonymised"] == 0  # once


def test_a_client_with_a_booking_left_or_changed_within_the_retention_keeps_their_details(november, item, staff):
    from accounts.models import Client
    from equipment.services import equipment_booking_create
    from kernel.channels import Channel

    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))
    # Анна books again in January: that booking is kept, so is she. Иван's record changed a week ago.
    equipment_booking_create(item=item, start_date=date(2027, 1, 20), client_name="Анна Смирнова",
                             client_phone="+7 999 765-43-21", actor=Actor.staff(staff), channel=Channel.ADMIN,
                             now=datetime(2027, 1, 10, tzinfo=MSK))
    Client.objects.filter(phone="+79991234567").update(updated_at=FEBRUARY - timedelta(days=7))

    assert purge_expired(now=FEBRUARY)["clients_anonymised"] == 0
    assert set(Client.objects.values_list("name", flat=True)) == {"Анна Смирнова", "Иван Петров"}


def test_a_phone_booked_again_after_anonymisation_starts_a_new_client(november, item, staff):
    from accounts.models import Client
    from equipment.services import equipment_booking_create
    from kernel.channels import Channel

    complete_everything(datetime(2026, 12, 1, 1, 0, tzinfo=MSK))
    audit_export(month=NOVEMBER, now=datetime(2026, 12, 1, 0, 5, tzinfo=MSK))
    purge_expired(now=FEBRUARY)

    booking = equipment_booking_create(item=item, start_date=date(2027, 2, 20), client_name="Анна Смирнова",
                                       client_phone="+7 999 765-43-21", actor=Actor.staff(staff),
                                       channel=Channel.ADMIN, now=FEBRUARY)

    assert booking.client.name == "Анна Смирнова" and booking.client.anonymised_at is None
    assert Client.objects.count() == 3
