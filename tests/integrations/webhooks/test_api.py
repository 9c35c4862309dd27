"""GET|POST /api/v1/webhooks and DELETE /api/v1/webhooks/{id}: a partner manages its own endpoints; the
secret is in the creation answer only; bad URLs and, in production, private receivers are refused."""

from __future__ import annotations

import pytest

from integrations.webhooks.models import PartnerWebhook
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"
PUBLIC = "https://93.184.216.34/hooks/clinic"  # a public address, written as one (no DNS needed)


def test_a_partner_adds_an_endpoint_and_sees_the_secret_only_once(api, crm):
    response = api.post(URL, {"url": PUBLIC, "event_types": ["booking.cancelled", "booking.created"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["event_types"] == ["booking.created", "booking.cancelled"]
    assert body["is_active"] is True and body["created_at"] == "2026-11-23T10:00:00+03:00"
    assert PartnerWebhook.objects.get().secret == body["secret"]

    listed = api.get(URL).json()
    assert listed == {"webhooks": [{k: v for k, v in body.items() if k != "secret"}]}


def test_every_event_type_is_subscribed_when_none_is_named(api):
    body = api.post(URL, {"url": PUBLIC}).json()
    assert body["event_types"] == ["booking.created", "booking.approved", "booking.rejected", "booking.cancelled",
                                   "booking.moved", "booking.completed", "waitlist.offered"]


def test_a_partner_sees_and_deletes_only_its_own_endpoints(api):
    mine = api.post(URL, {"url": PUBLIC}).json()
    _other, other_key = factories.partner_with_key(name="OtherCRM")
    theirs = ApiClient(other_key).post(URL, {"url": PUBLIC + "/other"}).json()

    assert [w["id"] for w in api.get(URL).json()["webhooks"]] == [mine["id"]]
    refused = api.delete(f"{URL}/{theirs['id']}")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert PartnerWebhook.objects.filter(pk=theirs["id"]).exists()

    assert api.delete(f"{URL}/{mine['id']}").status_code == 204
    assert api.get(URL).json() == {"webhooks": []}
    assert api.delete(f"{URL}/{mine['id']}").status_code == 404
    assert api.delete(f"{URL}/99999999999999999999").status_code == 404


def test_the_endpoints_need_the_write_bookings_scope(frozen):
    _partner, key = factories.partner_with_key(name="Reader", scopes=("read:items",))
    reader = ApiClient(key)
    for response in (reader.get(URL), reader.post(URL, {"url": PUBLIC}), reader.delete(f"{URL}/1")):
        assert response.status_code == 403 and response.json()["code"] == "missing_scope"
    assert ApiClient(None).get(URL).status_code == 401


@pytest.mark.parametrize("url", ["ftp://93.184.216.34/x", "javascript:alert(1)", "not a url", "https://",
                                 "https://user:pw@93.184.216.34/x"])
def test_only_full_http_urls_are_accepted(api, url):
    response = api.post(URL, {"url": url})
    assert response.status_code == 400, response.content
    assert response.json()["details"]["field"] == "url"
    assert PartnerWebhook.objects.count() == 0


def test_unknown_event_types_and_fields_are_refused(api):
    response = api.post(URL, {"url": PUBLIC, "event_types": ["booking.exploded"]})
    assert response.status_code == 400 and "event_types" in response.json()["error"]
    assert api.post(URL, {"url": PUBLIC, "secret": "mine"}).status_code == 400


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook"])
def test_in_production_loopback_private_and_link_local_receivers_are_refused(api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = api.post(URL, {"url": url})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "private" in response.json()["error"]


def test_private_receivers_are_allowed_when_the_setting_says_so(api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert api.post(URL, {"url": "http://10.1.2.3/hook"}).status_code == 201


def test_a_partner_has_at_most_ten_endpoints(api):
    for n in range(10):
        assert api.post(URL, {"url": f"{PUBLIC}/{n}"}).status_code == 201
    response = api.post(URL, {"url": PUBLIC})
    assert response.status_code == 400 and "at most 10" in response.json()["error"]
