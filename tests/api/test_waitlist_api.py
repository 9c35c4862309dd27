"""The partner waitlist: join, poll the place, leave, and accept an offer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from cabinets.services import cabinet_booking_cancel, cabinet_booking_create
from equipment.models import EquipmentBooking
from equipment.services import equipment_booking_cancel, equipment_booking_create
from kernel.channels import Actor, Channel
from kernel.outbox.models import Event
from kernel.waitlist.models import Wait
from tests.api.conftest import ApiClient
from tests.conftest import MSK, NOW
from tests.factories import partner_with_key

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
JOIN = {"start_date": "2026-12-01", "end_date": "2026-12-02", "units": 1, "client_name": "Иван Петров",
        "client_phone": "8 (999) 123-45-67", "external_booking_id": "crm-w1"}


def fill(item, start=DAY, end=DAY + timedelta(days=1)):
    return [equipment_booking_create(item=item, start_date=start, end_date=end, units=1, client_name="Пётр Иванов",
                                     client_phone="+79990000000", actor=Actor.system(), channel=Channel.ADMIN,
                                     now=NOW) for _ in range(item.quantity)]


def join(api, item, **changes):
    return api.post("/api/v1/waitlist", {**JOIN, "item_id": item.pk, **changes})


def test_a_partner_joins_the_waitlist_and_sees_its_place(api, infini):
    fill(infini)
    first = join(api, infini)
    second = join(api, infini, external_booking_id="crm-w2")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["status"], body["position"], body["item_id"], body["units"]) == ("waiting", 1, infini.pk, 1)
    assert body["offer_expires_at"] is None and body["client_phone"] == "+79991234567"
    assert second.json()["position"] == 2
    assert api.get(f"/api/v1/waitlist/{body['id']}").json() == body


def test_joining_again_with_the_same_external_id_replays_and_with_other_data_is_refused(api, infini):
    fill(infini)
    first = join(api, infini)
    again = join(api, infini)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = join(api, infini, units=1, end_date="2026-12-01")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Wait.objects.count() == 1


def test_an_external_id_of_a_booking_cannot_name_a_wait(api, infini):
    fill(infini, start=DAY + timedelta(days=5), end=DAY + timedelta(days=5))
    api.post("/api/v1/equipment-bookings", {**JOIN, "item_id": infini.pk, "external_booking_id": "crm-b"})
    response = join(api, infini, external_booking_id="crm-b")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"


def test_leaving_the_waitlist(api, infini):
    fill(infini)
    wait_id = join(api, infini).json()["id"]
    response = api.delete(f"/api/v1/waitlist/{wait_id}")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["position"]) == ("cancelled", None)
    again = api.delete(f"/api/v1/waitlist/{wait_id}")
    assert again.status_code == 409 and again.json()["code"] == "bad_transition"


def test_an_offer_is_polled_and_accepted_into_an_approved_booking(api, infini, crm,
                                                                  django_capture_on_commit_callbacks):
    taken = fill(infini)
    wait_id = join(api, infini).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_cancel(booking=taken[0], actor=Actor.system(), now=NOW)
    body = api.get(f"/api/v1/waitlist/{wait_id}").json()
    assert body["status"] == "offered"
    assert body["offer_expires_at"] == "2026-11-23T10:30:00+03:00"
    event = Event.objects.get(topic=Event.Topic.WAITLIST_OFFERED)
    assert event.payload == {"wait_id": wait_id, "partner_id": crm.pk,
                             "offer_expires_at": "2026-11-23T07:30:00+00:00"}
    accepted = api.post(f"/api/v1/waitlist/{wait_id}/accept")
    assert accepted.status_code == 201, accepted.json()
    booking = accepted.json()
    assert (booking["status"], booking["external_booking_id"], booking["item_id"], booking["start_date"],
            booking["end_date"]) == ("approved", "crm-w1", infini.pk, "2026-12-01", "2026-12-02")
    assert api.get("/api/v1/equipment-bookings/crm-w1").json()["id"] == booking["id"]
    assert booking["reference"] == f"E-{booking['id']}"
    assert api.get(f"/api/v1/waitlist/{wait_id}").json()["status"] == "booked"
    again = api.post(f"/api/v1/waitlist/{wait_id}/accept")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == booking
    assert EquipmentBooking.objects.filter(external_booking_id="crm-w1").count() == 1


def test_a_wait_that_is_not_offered_cannot_be_accepted(api, infini):
    fill(infini)
    wait_id = join(api, infini).json()["id"]
    response = api.post(f"/api/v1/waitlist/{wait_id}/accept")
    assert response.status_code == 409 and response.json()["code"] == "not_offered"


def test_an_expired_offer_cannot_be_accepted(api, infini, time_machine, django_capture_on_commit_callbacks):
    taken = fill(infini)
    wait_id = join(api, infini).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        equipment_booking_cancel(booking=taken[0], actor=Actor.system(), now=NOW)
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    response = api.post(f"/api/v1/waitlist/{wait_id}/accept")
    assert response.status_code == 409 and response.json()["code"] == "offer_expired"


def test_a_cabinet_wait_is_offered_and_accepted(api, cabinet, django_capture_on_commit_callbacks):
    start = datetime.combine(date(2026, 11, 24), time(10), tzinfo=MSK)
    taken = cabinet_booking_create(cabinet=cabinet, starts_at=start, duration_minutes=60, client_name="Ольга С",
                                   client_phone="+79990001122", actor=Actor.system(), channel=Channel.ADMIN, now=NOW)
    response = api.post("/api/v1/waitlist", {
        "cabinet_id": cabinet.pk, "starts_at": "2026-11-24T10:00:00+03:00", "duration_minutes": 60,
        "client_name": "Иван Петров", "client_phone": "+79991234567", "external_booking_id": "crm-c1"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["cabinet_id"], body["starts_at"], body["ends_at"], body["item_id"]) == (
        cabinet.pk, "2026-11-24T10:00:00+03:00", "2026-11-24T11:00:00+03:00", None)
    with django_capture_on_commit_callbacks(execute=True):
        cabinet_booking_cancel(booking=taken, actor=Actor.system(), now=NOW)
    accepted = api.post(f"/api/v1/waitlist/{body['id']}/accept")
    assert accepted.status_code == 201
    assert (accepted.json()["cabinet_id"], accepted.json()["starts_at"], accepted.json()["status"]) == (
        cabinet.pk, "2026-11-24T10:00:00+03:00", "approved")


@pytest.mark.parametrize("body, field", [
    ({"start_date": "2026-12-01"}, "non_field_errors"),
    ({"item_id": 1, "cabinet_id": 1, "start_date": "2026-12-01"}, "non_field_errors"),
    ({"cabinet_id": 1}, "starts_at"),
    ({"item_id": 1}, "start_date"),
])
def test_a_join_that_names_no_resource_or_both_is_a_clear_400(api, body, field):
    response = api.post("/api/v1/waitlist", {"client_name": "Иван Петров", "client_phone": "+79991234567",
                                             "external_booking_id": "x", **body})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_another_partners_wait_is_not_found(api, infini):
    fill(infini)
    wait_id = join(api, infini).json()["id"]
    other = ApiClient(partner_with_key(name="Other")[1])
    assert other.get(f"/api/v1/waitlist/{wait_id}").status_code == 404
    assert other.delete(f"/api/v1/waitlist/{wait_id}").status_code == 404
    assert other.post(f"/api/v1/waitlist/{wait_id}/accept").status_code == 404


def test_the_waitlist_needs_the_write_bookings_scope(infini):
    reader = ApiClient(partner_with_key(name="Reader", scopes=("read:items",))[1])
    assert reader.post("/api/v1/waitlist", {**JOIN, "item_id": infini.pk}).status_code == 403
