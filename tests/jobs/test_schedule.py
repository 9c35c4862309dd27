"""The beat schedule: defined once in code, every entry names a real task, listed and switchable in the admin."""

import pytest
from django_celery_beat.models import PeriodicTask

from booking_site.celery import BEAT_SCHEDULE, app
from integrations.schedule import beat_schedule_install
from integrations.tasks import bookings_sweep_task
from kernel import metrics

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_names_a_registered_task_with_time_limits():
    app.loader.import_default_modules()
    for name, entry in BEAT_SCHEDULE.items():
        task = app.tasks[entry["task"]]
        assert task.acks_late, name
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit, name


def test_the_jobs_the_issue_names_are_all_scheduled():
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert tasks == {"integrations.deliveries.send_due", "integrations.reminders.send_due",
                     "integrations.bookings.sweep", "integrations.audit.export_previous_month",
                     "integrations.purge.run", "integrations.sheets.sync", "integrations.heartbeat",
                     "integrations.bookings.approvals", "webhooks.deliveries.send_due",
                     "integrations.waitlist.sweep", "mail.messages.send_due", "mail.reminders.queue",
                     "integrations.payments.sweep"}
    audit = BEAT_SCHEDULE["audit: previous month"]["schedule"]
    assert (audit.minute, audit.hour, audit.day_of_month) == ({5}, {0}, {1})
    purge = BEAT_SCHEDULE["purge: expired data"]["schedule"]
    assert (purge.minute, purge.hour) == ({0}, {3})


def test_migrate_lists_every_job_in_the_admin(admin_client):
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(BEAT_SCHEDULE) <= names
    sweep = PeriodicTask.objects.get(name="deliveries: send due Telegram messages")
    assert sweep.interval.every == 10 and sweep.expire_seconds == 60
    page = admin_client.get("/admin/django_celery_beat/periodictask/").content.decode()
    assert "reminders: queue due reminders" in page


def test_a_job_switched_off_in_the_admin_stays_off_when_the_schedule_is_installed_again():
    PeriodicTask.objects.filter(name="sheets: sync changes").update(enabled=False)

    beat_schedule_install()

    assert PeriodicTask.objects.get(name="sheets: sync changes").enabled is False
    assert PeriodicTask.objects.filter(name__in=list(BEAT_SCHEDULE)).count() == len(BEAT_SCHEDULE)


def test_tasks_record_their_runs_in_metrics(now, time_machine):
    time_machine.move_to(now, tick=False)
    before = metrics.JOB_RUNS.labels("integrations.bookings.sweep", "ok")._value.get()

    counts = bookings_sweep_task.apply().get()

    assert counts == {"equipment_completed": 0, "equipment_expired": 0, "cabinet_completed": 0,
                      "cabinet_expired": 0}
    assert metrics.JOB_RUNS.labels("integrations.bookings.sweep", "ok")._value.get() == before + 1


def test_the_hourly_sweep_completes_ended_bookings_through_the_core(cabinet, alice, staff, now, time_machine):
    from datetime import timedelta

    from tests.jobs.conftest import approved_cabinet_booking

    booking = approved_cabinet_booking(cabinet=cabinet, account=alice, staff=staff,
                                       starts_at=now + timedelta(hours=2), now=now)
    time_machine.move_to(now + timedelta(hours=4), tick=False)

    assert bookings_sweep_task.apply().get()["cabinet_completed"] == 1
    booking.refresh_from_db()
    assert booking.status == "completed"
