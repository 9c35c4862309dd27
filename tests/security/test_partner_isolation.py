"""One partner never reads, cancels, accepts or deletes what another partner owns: every route of the partner
API that names one object (walked from the URL resolver) answers another partner's object as unknown (404),
and nothing of the owner's changes. Lists show only the caller's own objects."""

from __future__ import annotations

import pytest

from kernel.waitlist.models import Wait
from tests.security.conftest import changed_tables, partner_routes, snapshot

pytestmark = pytest.mark.django_db

# Routes naming a public catalogue object (an item, a cabinet), not anything a partner owns.
CATALOGUE_ROUTES = {"api-availability", "api-cabinet-slots", "api-service-availability"}

# For every route naming a partner's object: the paths that name the objects of the holdings `h`.
OWNED = {
    "api-book-device-cancel": lambda h: [f"/api/book-device/{h.device_booking}",
                                         f"/api/book-device/{h.equipment_booking}"],
    "api-equipment-booking": lambda h: [f"/api/v1/equipment-bookings/{h.equipment_booking}",
                                        f"/api/v1/equipment-bookings/{h.device_booking}"],
    "api-cabinet-booking": lambda h: [f"/api/v1/cabinet-bookings/{h.cabinet_booking}",
                                      f"/api/v1/cabinet-bookings/{h.cabinet_booking.replace('cab', 'ser')}%231"],
    "api-cabinet-series": lambda h: [f"/api/v1/cabinet-series/{h.series}"],
    "api-wait": lambda h: [f"/api/v1/waitlist/{h.waiting}", f"/api/v1/waitlist/{h.offered}"],
    "api-wait-accept": lambda h: [f"/api/v1/waitlist/{h.offered}/accept", f"/api/v1/waitlist/{h.waiting}/accept"],
    "api-webhook": lambda h: [f"/api/v1/webhooks/{h.webhook}"],
    "api-appointment": lambda h: [f"/api/v1/appointments/{h.appointment}"],
}


def object_operations() -> list[tuple[str, str]]:
    return sorted((route.name, method) for route in partner_routes() if route.parameters
                  and route.name not in CATALOGUE_ROUTES for method in route.methods)


def send(api, method: str, path: str):
    return api.post(path, {}) if method == "post" else getattr(api, method)(path)


@pytest.mark.parametrize(("name", "method"), object_operations())
def test_another_partners_object_is_not_found_and_stays_as_it_was(crm, medis, name, method):
    assert name in OWNED, f"say in OWNED which objects {name} names"
    before = snapshot()
    for path in OWNED[name](crm):
        response = send(medis.api, method, path)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["code"] == "not_found"
        assert "Иван" not in response.content.decode()
    assert changed_tables(before, snapshot()) == []

    # The owner reaches the same objects through the same route: the 404 above was the owner check.
    assert send(crm.api, method, OWNED[name](crm)[0]).status_code < 400


def test_the_routes_naming_objects_are_all_checked():
    assert {name for name, _method in object_operations()} == set(OWNED)


def test_lists_show_only_the_callers_own_webhooks(crm, medis):
    assert [hook["id"] for hook in crm.api.get("/api/v1/webhooks").json()["webhooks"]] == [crm.webhook]
    assert [hook["id"] for hook in medis.api.get("/api/v1/webhooks").json()["webhooks"]] == [medis.webhook]


def test_an_offer_made_to_one_partner_cannot_be_taken_by_another(crm, medis):
    taken = medis.api.post(f"/api/v1/waitlist/{crm.offered}/accept")
    assert taken.status_code == 404
    assert Wait.objects.get(pk=crm.offered).status == Wait.Status.OFFERED
    assert crm.api.post(f"/api/v1/waitlist/{crm.offered}/accept").status_code == 201
