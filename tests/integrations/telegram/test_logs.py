"""What the logs say about a whole day's work: a partner booking through the API, a client's bot dialog and
the worker's delivery to the manager. Every record, as the configured handler writes it (readable and JSON),
carries its request id and never a phone number, a client name or a bot token."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import timedelta

import pytest

from booking_site.logging import JsonFormatter, ReadableFormatter
from equipment.models import EquipmentBooking
from integrations.models import Delivery
from kernel.outbox.models import Event
from tests.api.conftest import ApiClient
from tests.factories import ItemFactory, partner_with_key
from tests.integrations.telegram.conftest import TOKENS
from tests.integrations.telegram.test_equipment_bot import book_until_name

pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = ["+79991234567", "79991234567", "999 123-45-67", "123-45-67", "+79997654321", "79997654321",
           "Иван", "Петров", "Anna Smirnova", "Smirnova", *TOKENS.values()]


def console_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


def written(records: list[logging.LogRecord], formatter: logging.Formatter) -> list[str]:
    """The lines the console handler writes for these records, with its own filters."""
    handler = console_handler()
    lines = []
    for record in records:
        copy = logging.makeLogRecord(record.__dict__)
        if all(f.filter(copy) for f in handler.filters):
            lines.append(formatter.format(copy))
    return lines


def test_a_booking_through_the_api_a_bot_dialog_and_a_worker_delivery_log_nothing_personal(
        ann, boss, bot_api, clock, caplog):
    from integrations.tasks import events_follow_up_task

    ItemFactory(name="ЭКГ аппарат", quantity=2)
    _partner, key = partner_with_key(name="ClinicCRM")
    caplog.set_level(logging.DEBUG)
    bot_api.failing_chats.add(boss.id)  # the manager's messages wait for the worker

    booked = ApiClient(key).post("/api/v1/equipment-bookings", {
        "item_id": ItemFactory(name="Аппарат УЗИ", quantity=1).pk, "external_booking_id": "crm-9",
        "start_date": "2026-12-01", "end_date": "2026-12-01", "units": 1, "client_name": "Иван Петров",
        "client_phone": "+7 999 765-43-21"}, **{"X-Request-ID": "crm-req-9"})
    book_until_name(ann, units="2")
    ann.send("Anna Smirnova")
    ann.send("8 (999) 123-45-67")
    ann.press("Skip")  # the birthday question
    ann.press("✅ Confirm")
    bot_api.failing_chats.clear()
    clock.shift(timedelta(minutes=1))  # the retries' backoff has passed
    events_follow_up_task.apply(args=[list(Event.objects.values_list("pk", flat=True))])

    assert booked.status_code == 201 and EquipmentBooking.objects.count() == 2
    assert Delivery.objects.filter(chat_id=boss.id, status=Delivery.Status.SENT).count() == 2
    records = list(caplog.records)
    readable = written(records, ReadableFormatter())
    as_json = [json.loads(line) for line in written(records, JsonFormatter())]
    assert len(readable) == len(records)
    # The project's own lines are there (the libraries' debug lines come and go with their caches).
    ours = [r for r in records if r.name.split(".")[0] in {"integrations", "kernel", "booking_site", "equipment"}]
    assert len(ours) >= 6, [r.name for r in records]
    everything = "\n".join(readable + [json.dumps(entry, ensure_ascii=False) for entry in as_json])
    leaked = [secret for secret in SECRETS if secret in everything]
    assert not leaked, leaked
    # The worker's lines about the partner's booking name the API call that made it.
    api_event = Event.objects.get(channel="api")
    sent = [e for e in as_json if e["logger"] == "integrations.delivery" and "sent on attempt 2" in e["message"]]
    assert api_event.request_id == "crm-req-9"
    assert "crm-req-9" in {e["request_id"] for e in sent}
    # The rest name the Telegram updates that made them (update ids count up across the whole test run).
    assert all(re.fullmatch(r"tg-equipment-\d+", rid) for rid in {e["request_id"] for e in sent} - {"crm-req-9"})


def test_phone_numbers_and_tokens_are_masked_even_inside_a_traceback():
    handler = console_handler()
    try:
        raise ValueError("could not call +7 999 123-45-67 via https://api.telegram.org/bot1234567:AAH"
                         "dqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage")
    except ValueError:
        record = logging.getLogger("tests").makeRecord("tests", logging.ERROR, __file__, 1,
                                                       "failed for %s", ("+79991234567",), sys.exc_info())
    for f in handler.filters:
        f.filter(record)
    for formatter in (ReadableFormatter(), JsonFormatter()):
        line = formatter.format(record)
        assert "+7******4567" in line
        assert "999 123-45-67" not in line and "79991234567" not in line
        assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in line and "/bot***/sendMessage" in line
