"""From the booking page a client refused for capacity waits for exactly that request, sees the wait in My
bookings and books the offer when capacity frees up, through the same waitlist services as the bots."""

import pytest

from equipment.models import EquipmentBooking
from kernel.waitlist.models import Wait
from tests.integrations.webapp.test_api import EQUIPMENT, cabinet_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def ben(mini_app_user):
    return mini_app_user(1002, first_name="Ben")


def test_a_refused_client_joins_the_waitlist_and_books_the_offer(ann, ben, catalogue,
                                                                 django_capture_on_commit_callbacks):
    ecg = {**EQUIPMENT, "item_id": catalogue["ecg"].pk, "units": 1}
    first = ann.post("/bookings", ecg).json()["booking"]
    assert ben.post("/bookings", ecg).json()["code"] == "no_capacity"
    joined = ben.post("/waitlist", ecg)
    assert joined.status_code == 201, joined.content
    assert (joined.json()["wait"]["status"], joined.json()["wait"]["position"]) == ("waiting", 1)
    assert [w["title"] for w in ben.get("/me").json()["waits"]] == ["Кардиограф"]

    with django_capture_on_commit_callbacks(execute=True):
        ann.post(f"/bookings/equipment/{first['id']}/cancel", {})
    wait = ben.get("/me").json()["waits"][0]
    assert wait["status"] == "offered" and wait["offer_expires_at"]
    assert ann.post("/bookings", ecg).json()["code"] == "no_capacity"  # held for Ben

    booked = ben.post(f"/waitlist/{wait['id']}/accept", {})
    assert booked.status_code == 201, booked.content
    booking = EquipmentBooking.objects.get(pk=booked.json()["booking"]["id"])
    assert (booking.requester.telegram_id, booking.units) == (1002, 1)
    assert Wait.objects.get(pk=wait["id"]).status == Wait.Status.BOOKED


def test_a_waiter_leaves_the_waitlist(ann, ben, catalogue):
    assert ann.post("/bookings", cabinet_request(catalogue)).status_code == 201
    wait = ben.post("/waitlist", cabinet_request(catalogue)).json()["wait"]
    left = ben.post(f"/waitlist/{wait['id']}/leave", {})
    assert left.status_code == 200 and left.json()["wait"]["status"] == "cancelled"
    assert ben.get("/me").json()["waits"] == []


def test_nobody_else_can_touch_a_wait(ann, ben, catalogue):
    ann.post("/bookings", cabinet_request(catalogue))
    wait = ben.post("/waitlist", cabinet_request(catalogue)).json()["wait"]
    for action in ("leave", "accept", "decline"):
        answer = ann.post(f"/waitlist/{wait['id']}/{action}", {})
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert ben.post(f"/waitlist/{wait['id']}/explode", {}).status_code == 404


def test_joining_without_initdata_is_refused(client, catalogue, clock):
    response = client.post("/app/api/waitlist", data=cabinet_request(catalogue), content_type="application/json")
    assert response.status_code == 401
