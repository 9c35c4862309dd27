"""What the log filter masks: phone numbers in any format, and never the ids that merely contain digits."""

from __future__ import annotations

import logging

import pytest

from booking_site.logging import RedactPersonalData, mask_name, mask_phone, redact

TASK_LINE = ("Task integrations.tasks.deliveries_send_due[64ed3294-1234-4567-8388-0123456789ab] succeeded in "
             "0.01s: None")


@pytest.mark.parametrize("text", [
    TASK_LINE,
    "task 12345678-1234-5678-9012-123456789012 started",
    "event 0f8fad5b-d9cb-469f-a165-70867728950e",
    "delivery 5f3a9c2e81234567890123 sent",
    "commit 3f9a1c2d4e5b60718293a4b5c6d7e8f901234567",
    "a run of 20 digits 12345678901234567890 is an id",
    "GET /calendar/9123456789012.ics 404",
])
def test_ids_that_merely_contain_digits_are_left_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(("text", "masked"), [
    ("client +7 912 345-67-89 booked", "client +7******6789 booked"),
    ("client 89123456789 booked", "client +8******6789 booked"),
    ("client +79123456789 booked", "client +7******6789 booked"),
    ("phone=8 (912) 345-67-89.", "phone=+8******6789."),
    ("tel:+79123456789, again 9123456789", "tel:+7******6789, again +9*****6789"),
])
def test_real_phone_numbers_are_masked_in_every_format(text, masked):
    assert redact(text) == masked


def test_the_filter_keeps_a_task_id_whole_and_masks_the_phone_beside_it():
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, "%s for %s", (TASK_LINE,
                               "+7 912 345-67-89"), None)
    RedactPersonalData().filter(record)
    assert record.getMessage() == f"{TASK_LINE} for +7******6789"


# --- Quiet periodic sweeps --------------------------------------------------------------------------


@pytest.fixture
def sweeps(monkeypatch):
    """The two periodic sweeps, with what they find to send set by the test."""
    from integrations import tasks
    from integrations.webhooks import tasks as webhook_tasks

    found = {"counts": {}}
    monkeypatch.setattr(tasks, "deliveries_send_due", lambda **_kw: dict(found["counts"]))
    monkeypatch.setattr(webhook_tasks, "webhook_deliveries_send_due", lambda **_kw: dict(found["counts"]))
    return found, [tasks.deliveries_send_due_task, webhook_tasks.webhook_deliveries_send_due_task]


def run_lines(caplog, tasks, level=logging.INFO):
    caplog.clear()
    with caplog.at_level(level):
        logging.getLogger("celery").setLevel(level)  # Celery's loggers follow the configured level
        try:
            for task in tasks:
                task.apply()
        finally:
            logging.getLogger("celery").setLevel(logging.NOTSET)
    return [(r.levelname, r.getMessage()) for r in caplog.records
            if "sweep" in r.getMessage() or "succeeded" in r.getMessage()]


def test_a_sweep_that_sends_nothing_logs_nothing_at_info(sweeps, caplog):
    found, tasks = sweeps
    found["counts"] = {}
    assert run_lines(caplog, tasks) == []
    found["counts"] = {"locked": 1}
    assert run_lines(caplog, tasks) == []


def test_a_sweep_that_sent_something_says_so_at_info_and_celerys_own_line_stays_at_debug(sweeps, caplog):
    found, tasks = sweeps
    found["counts"] = {"sent": 2}
    lines = run_lines(caplog, tasks)
    assert lines == [("INFO", "deliveries sweep: {'sent': 2}"), ("INFO", "webhook deliveries sweep: {'sent': 2}")]
    debug = run_lines(caplog, tasks, logging.DEBUG)
    succeeded = [line for line in debug if "succeeded" in line[1]]
    assert len(succeeded) == 2 and {level for level, _ in succeeded} == {"DEBUG"}


def test_other_tasks_keep_celerys_info_line(caplog, db):
    from integrations.tasks import heartbeat_task

    lines = run_lines(caplog, [heartbeat_task])
    assert [level for level, message in lines if "integrations.heartbeat" in message] == ["INFO"]


@pytest.mark.parametrize(("phone", "masked"), [
    ("+79991234567", "+7******4567"), ("+7 999 123-45-67", "+7******4567"), ("+4930901820", "+4*****1820"),
    ("123", "***"), ("", "***")])
def test_a_phone_is_masked_to_its_country_digit_and_last_four(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("name", "masked"), [("Иванов Иван", "И. И."), ("  Анна  ", "А."), ("", "-")])
def test_a_name_is_masked_to_its_initials(name, masked):
    assert mask_name(name) == masked
