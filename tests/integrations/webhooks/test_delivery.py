"""Partner webhooks end to end: a booking change through the API, the admin or a service becomes a signed
POST to the partner's receiver (a real HTTP server), retried with backoff until it is answered 2xx, or
given up as a dead letter after 24 h."""

from __future__ import annotations

import itertools
import time as _time
from datetime import timedelta

import pytest

from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create, equipment_booking_move
from integrations.webhooks.delivery import webhook_deliveries_retry, webhook_deliveries_send_due
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.services import webhook_create
from kernel.channels import Actor, Channel
from kernel.outbox.services import event_record, events_dispatch
from tests import factories
from tests.conftest import NOW
from tests.integrations.webhooks.conftest import book_accent
from tests.integrations.webhooks.receiver import verify

pytestmark = pytest.mark.django_db(transaction=True)


def sweep(at=NOW):
    return webhook_deliveries_send_due(now=at)


def test_a_partner_booking_is_posted_signed_with_the_booking_as_the_api_returns_it(api, accent, hook, receiver):
    _webhook, secret = hook
    booking = book_accent(api, accent)
    assert sweep() == {"delivered": 1}
    [request] = receiver.received
    body = request.json
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == "booking.created"
    assert body["data"] == booking  # exactly what POST /api/v1/equipment-bookings answered
    assert body["created_at"] == "2026-11-23T10:00:00+03:00"
    header = request.headers["x-clinic-signature"]
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    assert verify(secret=secret, header=header, body=request.body, tolerance=300, now=int(NOW.timestamp()))
    assert not verify(secret="whsec_someone-else", header=header, body=request.body)
    assert not verify(secret=secret, header=header, body=request.body.replace(b"crm-1", b"crm-2"))
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-clinic-event-id"] == body["id"]


def test_a_cancellation_by_the_clinic_and_a_move_reach_the_partner(api, accent, hook, receiver, staff):
    book_accent(api, accent)
    booking = EquipmentBooking.objects.get()
    equipment_booking_move(booking=booking, start_date=NOW.date() + timedelta(days=3),
                           end_date=NOW.date() + timedelta(days=3), actor=Actor.staff(staff), now=NOW,
                           channel=Channel.ADMIN)
    equipment_booking_cancel(booking=EquipmentBooking.objects.get(), actor=Actor.staff(staff), now=NOW,
                             channel=Channel.ADMIN, reason="Аппарат сломался")
    assert sweep() == {"delivered": 3}
    events = receiver.events()
    assert [e["type"] for e in events] == ["booking.created", "booking.moved", "booking.cancelled"]
    assert events[1]["data"]["start_date"] == "2026-11-26"
    assert events[2]["data"]["status"] == "cancelled"
    assert len({e["id"] for e in events}) == 3


def test_a_cabinet_booking_carries_its_equipment(api, accent, cabinet, hook, receiver):
    response = api.post("/api/v1/cabinet-bookings", {
        "cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 60,
        "equipment": [{"item_id": accent.pk, "units": 1}], "client_name": "Иван Петров",
        "client_phone": "+7 999 123-45-67", "external_booking_id": "crm-cab"})
    assert response.status_code == 201, response.content
    api.delete("/api/v1/cabinet-bookings/crm-cab")
    sweep()
    events = receiver.events()
    assert [e["type"] for e in events] == ["booking.created", "booking.cancelled"]
    assert events[0]["data"] == response.json()
    assert events[0]["data"]["equipment"] == [{"item_id": accent.pk, "item_name": "Accent", "units": 1}]


def test_only_the_subscribed_types_of_the_partners_own_bookings_are_sent(api, accent, crm, receiver, staff):
    webhook_create(partner=crm, url=receiver.url, event_types=["booking.cancelled"], now=NOW)
    other, _key = factories.partner_with_key(name="OtherCRM")
    webhook_create(partner=other, url=receiver.url + "/other", event_types=["booking.created"], now=NOW)
    book_accent(api, accent)
    api.delete("/api/v1/equipment-bookings/crm-1")
    # A Telegram client's booking belongs to no partner: no webhook hears of it.
    equipment_booking_create(item=accent, start_date=NOW.date() + timedelta(days=2), client_name="Анна",
                             client_phone="+7 999 765-43-21", actor=Actor.staff(staff), channel=Channel.ADMIN,
                             now=NOW)
    sweep()
    assert [(r.json["type"], r.json["data"]["external_booking_id"]) for r in receiver.received] == [
        ("booking.cancelled", "crm-1")]


def test_a_waitlist_offer_is_one_entry_of_the_table(crm, hook, receiver, other_partner_hook, frozen):
    event = event_record(topic="waitlist.offered", resource_type="cabinet", booking_id=None, now=NOW,
                         payload={"partner_id": crm.pk, "offer_id": 5, "starts_at": "2026-11-24T10:00:00+03:00"})
    events_dispatch([event.pk])
    sweep()
    [body] = receiver.events()
    assert body["type"] == "waitlist.offered"
    assert body["data"] == {"offer_id": 5, "starts_at": "2026-11-24T10:00:00+03:00"}


@pytest.fixture
def other_partner_hook(receiver):
    other, _key = factories.partner_with_key(name="OtherCRM")
    return webhook_create(partner=other, url=receiver.url + "/other", event_types=["waitlist.offered"], now=NOW)


def test_a_receiver_answering_500_is_retried_with_growing_pauses_until_it_answers(api, accent, hook, receiver):
    receiver.answer(500, 500, 503)
    book_accent(api, accent)
    delivery = WebhookDelivery.objects.get()
    moments = [NOW]
    assert sweep(NOW) == {"pending": 1}
    for _attempt in range(5):
        delivery.refresh_from_db()
        if delivery.status != "pending":
            break
        assert sweep(delivery.next_attempt_at - timedelta(seconds=1)) == {}  # not due yet
        moments.append(delivery.next_attempt_at)
        sweep(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 4, 200)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
    assert gaps == [30, 60, 120]
    # Every attempt was the same event, freshly signed.
    assert len({r.json["id"] for r in receiver.received}) == 1 and len(receiver.received) == 4
    assert sweep(NOW + timedelta(hours=30)) == {}


def test_one_delivery_per_event_after_the_receiver_recovers(api, accent, hook, receiver):
    receiver.stop()
    book_accent(api, accent, "crm-1")
    book_accent(api, accent, "crm-2")
    api.delete("/api/v1/equipment-bookings/crm-1")
    assert sweep(NOW) == {"pending": 3}
    # The outbox hands the same events over again (as after a crash): no second delivery is made.
    from kernel.outbox.models import Event

    events_dispatch(list(Event.objects.values_list("pk", flat=True)))
    assert WebhookDelivery.objects.count() == 3
    receiver.start()
    assert sweep(NOW + timedelta(minutes=1)) == {"delivered": 3}
    assert sweep(NOW + timedelta(hours=2)) == {}
    ids = [r.json["id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == 3


def test_a_receiver_down_for_the_whole_window_ends_as_a_dead_letter_and_can_be_retried(
        api, accent, hook, receiver, client, staff):
    receiver.stop()
    book_accent(api, accent)
    delivery = WebhookDelivery.objects.get()
    at, attempts = NOW, 0
    while attempts < 100:
        attempts += 1
        sweep(at)
        delivery.refresh_from_db()
        if delivery.status == "dead":
            break
        at = delivery.next_attempt_at
    assert delivery.status == "dead"
    assert at == NOW + timedelta(hours=24)  # the last attempt falls on the end of the window
    assert 20 < delivery.attempts < 40
    assert "connection failed" in delivery.last_error
    assert sweep(at + timedelta(days=2)) == {}

    metrics = client.get("/metrics").content.decode()
    assert "webhook_dead_letters 1.0" in metrics

    receiver.start()
    assert webhook_deliveries_retry(delivery_ids=[delivery.pk], now=at + timedelta(days=2)) == 1
    assert sweep(at + timedelta(days=2)) == {"delivered": 1}
    assert "webhook_dead_letters 0.0" in client.get("/metrics").content.decode()


def test_a_slow_receiver_times_out_and_is_retried(api, accent, hook, receiver, monkeypatch):
    import integrations.webhooks.delivery as delivery_module

    book_accent(api, accent)
    receiver.stop()
    # A listening socket that never answers: the connection opens, the answer never comes.
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", receiver.port))
    silent.listen(5)
    try:
        started = _time.monotonic()
        assert webhook_deliveries_send_due(now=NOW, timeout=0.5) == {"pending": 1}
        assert _time.monotonic() - started < 3
    finally:
        silent.close()
    delivery = WebhookDelivery.objects.get()
    assert "timeout" in delivery.last_error and delivery.last_status_code is None
    assert delivery_module.TIMEOUT_SECONDS == 5.0


def test_a_switched_off_endpoint_hears_nothing(api, accent, hook, receiver):
    webhook, _secret = hook
    webhook.is_active = False
    webhook.save(update_fields=["is_active"])
    book_accent(api, accent)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []


def test_a_receiver_that_now_resolves_to_a_private_address_is_not_called_in_production(
        api, accent, hook, receiver, settings):
    book_accent(api, accent)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert sweep() == {"dead": 1}
    assert receiver.received == []
    assert "private" in WebhookDelivery.objects.get().last_error


def test_the_readme_verification_snippet_accepts_a_real_delivery_and_refuses_a_forged_one(api, accent, hook,
                                                                                        receiver):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    snippet = readme.split("Verifying a delivery", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)
    _webhook, secret = hook
    book_accent(api, accent)
    sweep()
    [request] = receiver.received
    header = request.headers["x-clinic-signature"]
    assert namespace["verify"](secret, header, request.body)
    assert not namespace["verify"](secret, header, request.body + b" ")
    assert not namespace["verify"](secret, header.replace("t=", "t=1"), request.body)
