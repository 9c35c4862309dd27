"""`manage.py backup` and `manage.py restore`: a backup of the test database restored into a fresh one holds
the same rows in every model's table, on PostgreSQL (pg_dump / pg_restore) and on SQLite (online backup)."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import UTC, date, datetime, time

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from booking_site.backups import backup_path, backups_prune, row_counts
from cabinets.services import cabinet_booking_create
from equipment.services import equipment_booking_approve, equipment_booking_create
from kernel.channels import Actor, Channel
from tests import factories
from tests.conftest import MSK, NOW, file_mode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_databases]


def live_counts() -> dict[str, int]:
    return {model._meta.db_table: model._base_manager.count()
            for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy}


@pytest.fixture
def clinic_day(frozen):
    """A few bookings of each kind, made through the services, with their history, events and accounts."""
    alice = factories.TelegramAccountFactory(username="alice", telegram_id=1001)
    staff = factories.StaffUserFactory(username="manager")
    factories.partner_with_key(name="ClinicCRM")
    item = factories.ItemFactory(name="Аппарат УЗИ", quantity=3)
    cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 3"), opens=time(9), closes=time(21))
    for day in (1, 2, 3):
        booking = equipment_booking_create(item=item, start_date=date(2026, 12, day), client_name="Иван Петров",
                                           client_phone="+79991234567", actor=Actor.telegram(alice),
                                           channel=Channel.BOT, now=NOW)
        equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=NOW)
    cabinet_booking_create(cabinet=cabinet, starts_at=datetime(2026, 11, 25, 10, 0, tzinfo=MSK), duration_minutes=60,
                           client_name="Анна Смирнова", client_phone="+79997654321", actor=Actor.telegram(alice),
                           channel=Channel.BOT, now=NOW)


def fresh_target(tmp_path) -> tuple[str, dict, callable]:
    """A URL and settings of an empty database beside the test database, and how to drop it."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{settings_dict['NAME']}_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        url = f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"

        def drop():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return url, {**settings_dict, "NAME": name}, drop
    path = tmp_path / "restored.sqlite3"
    return f"sqlite:///{path}", {**settings_dict, "NAME": str(path)}, lambda: None


def test_a_backup_restored_into_a_fresh_database_has_every_row_of_every_model(clinic_day, tmp_path):
    before = live_counts()
    stdout, stderr = io.StringIO(), io.StringIO()

    call_command("backup", output=str(tmp_path / "backups"), keep=3, stdout=stdout, stderr=stderr)

    backup = tmp_path / "backups" / stdout.getvalue().strip().rsplit("/", 1)[-1]
    assert backup.is_file() and backup.suffix == (".dump" if connection.vendor == "postgresql" else ".sqlite3")
    assert "backing up" in stderr.getvalue() and "wrote" in stderr.getvalue()
    url, target, drop = fresh_target(tmp_path)
    try:
        restored_out = io.StringIO()
        call_command("restore", str(backup), target=url, stdout=restored_out, stderr=io.StringIO())
        restored = row_counts(target)
    finally:
        drop()
    assert restored == before
    assert before["equipment_equipmentbooking"] == 3 and before["cabinets_cabinetbooking"] == 1
    assert before["outbox_event"] >= 7 and before["accounts_telegramaccount"] >= 1
    assert "equipment_equipmentbooking\t3" in restored_out.getvalue()


def test_the_backup_directory_keeps_only_the_newest_backups(clinic_day, tmp_path):
    made = []
    for _ in range(3):
        out = io.StringIO()
        call_command("backup", output=str(tmp_path), keep=2, stdout=out, stderr=io.StringIO())
        made.append(out.getvalue().strip())

    left = sorted(str(p) for p in tmp_path.iterdir())
    assert left == sorted(made[1:])


def test_restore_over_the_configured_database_needs_clean(clinic_day, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out, stderr=io.StringIO())

    with pytest.raises(CommandError, match="--clean"):
        call_command("restore", out.getvalue().strip(), stdout=io.StringIO(), stderr=io.StringIO())


def test_backups_are_private_files_in_a_private_folder_whatever_the_umask(clinic_day, tmp_path, open_umask,
                                                                          monkeypatch):
    folder = tmp_path / "var" / "backups"
    seen = {}
    real_run = subprocess.run

    def watching_run(argv, **kwargs):  # the file the dump goes into is private before the tool writes a byte
        seen.update({p.name: file_mode(p) for p in folder.iterdir()})
        return real_run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", watching_run)
    out = io.StringIO()

    call_command("backup", output=str(folder), stdout=out, stderr=io.StringIO())

    backup = tmp_path / out.getvalue().strip()
    assert file_mode(folder) == 0o700 and file_mode(folder.parent) == 0o700
    assert file_mode(backup) == 0o600
    if connection.vendor == "postgresql":
        assert seen == {backup.name + ".partial": 0o600}


def test_an_open_backup_folder_is_narrowed_and_a_backup_to_a_file_is_private(clinic_day, tmp_path, open_umask):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    call_command("backup", output=str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    single = tmp_path / "elsewhere" / f"one{suffix}"

    call_command("backup", output=str(single), stdout=io.StringIO(), stderr=io.StringIO())

    assert file_mode(folder) == 0o700
    assert file_mode(single) == 0o600 and file_mode(single.parent) == 0o700


def test_a_backup_is_named_in_the_clinics_time_with_its_offset(tmp_path, settings):
    at_three_in_moscow = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    assert backup_path(tmp_path, "postgresql", now=at_three_in_moscow).name == "booking-2026-12-06T0300+0300.dump"
    (tmp_path / "booking-2026-12-06T0300+0300.dump").touch()
    assert backup_path(tmp_path, "postgresql", now=at_three_in_moscow).name == "booking-2026-12-06T0300+0300-1.dump"
    settings.TIME_ZONE = "Europe/Berlin"  # a zone with summer time: the offset says which 02:30 it was
    assert backup_path(tmp_path, "sqlite", now=datetime(2026, 10, 25, 0, 30, tzinfo=UTC)).name == \
        "booking-2026-10-25T0230+0200.sqlite3"
    assert backup_path(tmp_path, "sqlite", now=datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).name == \
        "booking-2026-10-25T0230+0100.sqlite3"


def test_rotation_keeps_the_newest_of_old_utc_names_and_new_local_names(tmp_path):
    names = ["booking-20261203-000000.dump", "booking-2026-12-04T0300+0300.dump", "booking-20261205-000000.dump",
             "booking-2026-12-06T0300+0300.dump", "booking-2026-12-06T0300+0300-1.dump", "notes.txt"]
    for age, name in enumerate(reversed(names)):
        (tmp_path / name).touch()
        os.utime(tmp_path / name, (1_800_000_000 - age * 86400,) * 2)
    removed = backups_prune(tmp_path, keep=3)
    assert {p.name for p in removed} == {"booking-20261203-000000.dump", "booking-2026-12-04T0300+0300.dump"}
    assert {p.name for p in tmp_path.iterdir()} == set(names[2:])
