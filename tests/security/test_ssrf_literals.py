"""Partner webhooks never point the clinic's server at itself or its network. In production, a receiver URL
written as a loopback, private, link-local or otherwise non-public IPv4 address, in any spelling (dotted,
short, decimal, octal, hexadecimal), hidden behind user-info tricks, or with a scheme other than http(s), is
refused by the API and the admin, and would not be called at delivery time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.permissions import MANAGERS_GROUP, managers_group_ensure
from integrations.webhooks.models import PartnerWebhook
from integrations.webhooks.services import webhook_url_refusal
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

LITERALS = [
    # Loopback, "this host", private, link-local (cloud metadata), shared, benchmarking, reserved, broadcast,
    # multicast, with and without a port.
    "http://127.0.0.1/hook", "http://127.1.2.3/hook", "http://127.0.0.1:8000/hook", "https://127.0.0.1:443/hook",
    "http://0.0.0.0/hook", "http://10.0.0.1/hook", "http://10.255.255.254/hook", "http://172.16.0.1/hook",
    "http://172.31.255.255/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/hook", "http://198.18.0.1/hook", "http://240.0.0.1/hook", "http://255.255.255.255/hook",
    "http://224.0.0.1/hook", "HTTP://127.0.0.1/hook", "hTTpS://10.0.0.1/hook", "http://localhost/hook",
]
SPELLINGS = [
    # The same addresses as one decimal number, in octal, in hexadecimal, shortened, zero-padded, with a
    # trailing dot or percent-encoded.
    "http://2130706433/hook", "http://167772161/hook", "http://2852039166/latest", "http://0177.0.0.1/hook",
    "http://017700000001/hook", "http://012.0.0.1/hook", "http://0x7f.0.0.1/hook", "http://0x7f000001/hook",
    "http://0xa9.0xfe.0xa9.0xfe/latest", "http://0xA9FEA9FE/latest", "http://0x7f.1/hook", "http://0177.1/hook",
    "http://127.1/hook", "http://10.1/hook", "http://0/hook", "http://127.000.000.001/hook",
    "http://127.0.0.1./hook", "http://%31%32%37.0.0.1/hook",
]
USERINFO = [
    # A public address shown first, the real host after the "@"; or credentials in the URL at all.
    "http://93.184.216.34@127.0.0.1/hook", "http://93.184.216.34:80@127.0.0.1/hook",
    "http://user:pass@93.184.216.34/hook", "http://127.0.0.1#@93.184.216.34/hook",
    "http://127.0.0.1\\@93.184.216.34/hook", "http://127.0.0.1%2f@93.184.216.34/hook", "http://@127.0.0.1/hook",
    "http://:@127.0.0.1/hook", "http://127.0.0.1:80:80@93.184.216.34/hook",
]
SCHEMES = [
    "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://93.184.216.34/x", "dict://127.0.0.1:11211/",
    "ldap://127.0.0.1/", "ws://93.184.216.34/hook", "jar:http://93.184.216.34/hook", "javascript:alert(1)",
    "data:text/plain,hi", "//93.184.216.34/hook", "https:/93.184.216.34/hook", "http:93.184.216.34/hook",
]
REFUSED = LITERALS + SPELLINGS + USERINFO + SCHEMES
PUBLIC = ["http://93.184.216.34/hook", "https://93.184.216.34:8443/hook"]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def api(frozen):
    return ApiClient(factories.partner_with_key(name="ClinicCRM")[1])


@pytest.mark.parametrize("url", REFUSED)
def test_the_api_refuses_the_receiver(api, url):
    response = api.post("/api/v1/webhooks", {"url": url})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not PartnerWebhook.objects.exists()


@pytest.mark.parametrize("url", REFUSED)
def test_a_stored_receiver_would_not_be_called(url):
    """Deliveries check the stored URL again before each call, with the same rule."""
    assert webhook_url_refusal(url)


@pytest.mark.parametrize("url", PUBLIC)
def test_a_public_address_is_accepted(api, url):
    assert api.post("/api/v1/webhooks", {"url": url}).status_code == 201
    assert webhook_url_refusal(url) is None


@pytest.fixture
def manager_client(client, frozen):
    managers_group_ensure()
    user = factories.StaffUserFactory(username="maria")
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", [*LITERALS[:12:3], *SPELLINGS[::4], *USERINFO[::3], *SCHEMES[:3]])
def test_the_admin_refuses_the_receiver(manager_client, url):
    partner, _key = factories.partner_with_key(name="ClinicCRM")
    response = manager_client.post(reverse("admin:webhooks_partnerwebhook_add"), {
        "partner": partner.pk, "url": url, "event_types": ["booking.created"], "is_active": "on"})
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors
    assert not PartnerWebhook.objects.exists()
