"""What the log filter masks: phone numbers in any format, and never the ids that merely contain digits."""

from __future__ import annotations

import logging

import pytest

from booking_site.logging import RedactPersonalData, redact

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
