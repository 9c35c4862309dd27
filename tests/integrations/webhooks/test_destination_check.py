"""A delivery connects to the address that was checked, never to one the receiver's name answers a moment
later (DNS rebinding); IPv6 forms that embed a private IPv4 address are private; a receiver reached by
name gets its own name in the Host header and in TLS (SNI and the certificate check)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

import integrations.webhooks.delivery as delivery_module
from integrations.webhooks.delivery import webhook_deliveries_send_due
from integrations.webhooks.events import EVENT_TYPE_NAMES
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.services import is_public, webhook_create
from tests.conftest import NOW
from tests.integrations.webhooks.conftest import book_accent
from tests.integrations.webhooks.receiver import Receiver, certificate_authority

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_ADDRESS = "93.184.216.34"
EMBEDDING_IPV4 = ["::ffff:127.0.0.1", "::ffff:0:7f00:1", "::7f00:1", "2002:7f00:1::1", "2002:a00:1::1",
                  "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::a9fe:a9fe",
                  "2001:0:4136:e378:8000:63bf:3fff:fdd2"]  # Teredo: its client is 192.0.2.45


class Dns:
    """Answers for names, one list per lookup (the last one repeats); numeric hosts resolve as they are.
    It records the names it was asked and the addresses connections were opened to, as a socket layer that
    reaches nothing but loopback: a connection to any other address is refused."""

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []
        self.connected_to: list[tuple[str, int]] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in self.answers:
                return real_getaddrinfo(host, port, *args, **kwargs)
            self.asked.append(host)
            answers = self.answers[host]
            addresses = answers.pop(0) if len(answers) > 1 else answers[0]
            return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (address, port)) for address in addresses]

        def create_connection(address, *args, **kwargs):
            host, port = address
            try:
                unreachable = not ipaddress.ip_address(host).is_loopback
            except ValueError:  # a name: resolved by getaddrinfo above
                unreachable = False
            if unreachable:
                self.connected_to.append((host, port))
                raise ConnectionRefusedError(f"{host} is not reachable from the tests")
            connection = real_connect(address, *args, **kwargs)
            self.connected_to.append(connection.getpeername()[:2])
            return connection

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", create_connection)

    def answer(self, name: str, *lookups: list[str]) -> None:
        """From now on: what the next lookups of `name` answer (and the records start again)."""
        self.answers[name] = [list(addresses) for addresses in lookups]
        self.asked.clear()
        self.connected_to.clear()


@pytest.fixture
def dns(monkeypatch):
    return Dns(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_connections(monkeypatch):
    """No kept-alive connection from another test is reused."""
    monkeypatch.setattr(delivery_module, "_client", None)
    yield
    if delivery_module._client is not None:
        delivery_module._client.close()


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    return settings


def endpoint(crm, url):
    webhook, _secret = webhook_create(partner=crm, url=url, event_types=EVENT_TYPE_NAMES, now=NOW)
    return webhook


def test_a_name_that_answers_a_public_address_and_then_loopback_gets_nothing_on_loopback(
        api, crm, accent, receiver, dns, production):
    dns.answer("hooks.partner.example", [PUBLIC_ADDRESS])
    endpoint(crm, receiver.url_for("hooks.partner.example"))
    dns.answer("hooks.partner.example", [PUBLIC_ADDRESS], ["127.0.0.1"])
    book_accent(api, accent)

    assert webhook_deliveries_send_due(now=NOW) == {"pending": 1}

    assert receiver.received == []
    assert dns.asked == ["hooks.partner.example"]  # resolved once, for the check and the connection
    assert dns.connected_to == [(PUBLIC_ADDRESS, receiver.port)]  # the address that was checked
    assert "connection failed" in WebhookDelivery.objects.get().last_error


def test_one_private_answer_among_public_ones_refuses_the_delivery(api, crm, accent, receiver, dns, production):
    dns.answer("hooks.partner.example", [PUBLIC_ADDRESS])
    endpoint(crm, receiver.url_for("hooks.partner.example"))
    dns.answer("hooks.partner.example", [PUBLIC_ADDRESS, "127.0.0.1"])
    book_accent(api, accent)

    assert webhook_deliveries_send_due(now=NOW) == {"dead": 1}

    assert receiver.received == [] and dns.connected_to == []
    assert "private" in WebhookDelivery.objects.get().last_error


@pytest.mark.parametrize("address", EMBEDDING_IPV4)
def test_ipv6_forms_of_a_private_ipv4_address_are_private(address):
    assert not is_public(address)
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8", "2606:4700::1111",
                                     PUBLIC_ADDRESS])
def test_ipv6_forms_of_a_public_ipv4_address_and_public_addresses_are_public(address):
    assert is_public(address)


@pytest.mark.parametrize("address", EMBEDDING_IPV4)
def test_an_endpoint_at_an_ipv6_form_of_a_private_address_is_refused(api, production, address):
    response = api.post("/api/v1/webhooks", {"url": f"https://[{address}]/hooks/clinic"})
    assert response.status_code == 400, response.content
    assert "private" in response.json()["error"]


def test_a_name_that_now_answers_an_ipv6_form_of_the_metadata_address_gets_nothing(
        api, crm, accent, receiver, dns, production):
    dns.answer("hooks.partner.example", [PUBLIC_ADDRESS])
    endpoint(crm, receiver.url_for("hooks.partner.example"))
    dns.answer("hooks.partner.example", ["64:ff9b::a9fe:a9fe"])
    book_accent(api, accent)

    assert webhook_deliveries_send_due(now=NOW) == {"dead": 1}
    assert dns.connected_to == []


def test_a_receiver_reached_by_name_gets_its_name_in_the_host_header(api, crm, accent, receiver, dns):
    dns.answer("hooks.partner.example", ["127.0.0.1"], ["127.0.0.2"])  # WEBHOOK_ALLOW_PRIVATE is on in tests
    endpoint(crm, receiver.url_for("hooks.partner.example"))
    book_accent(api, accent)

    assert webhook_deliveries_send_due(now=NOW) == {"delivered": 1}

    [request] = receiver.received
    assert request.headers["host"] == f"hooks.partner.example:{receiver.port}"
    assert dns.asked == ["hooks.partner.example"]
    assert dns.connected_to == [("127.0.0.1", receiver.port)]


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    server, client = certificate_authority(tmp_path, "hooks.partner.example")
    monkeypatch.setattr(delivery_module, "_client", delivery_module.new_client(verify=client))
    receiver = Receiver(tls=server).start()
    yield receiver
    receiver.stop()


def test_over_https_the_receiver_gets_its_name_in_sni_and_the_certificate_is_checked_for_it(
        api, crm, accent, tls_receiver, dns):
    dns.answer("hooks.partner.example", ["127.0.0.1"])
    dns.answer("other.partner.example", ["127.0.0.1"])
    endpoint(crm, tls_receiver.url_for("hooks.partner.example"))
    endpoint(crm, tls_receiver.url_for("other.partner.example"))
    book_accent(api, accent)

    assert webhook_deliveries_send_due(now=NOW) == {"delivered": 1, "pending": 1}

    [request] = tls_receiver.received
    assert request.headers["host"] == f"hooks.partner.example:{tls_receiver.port}"
    assert set(tls_receiver.server_names) == {"hooks.partner.example", "other.partner.example"}
    failed = WebhookDelivery.objects.get(status=WebhookDelivery.Status.PENDING)
    assert failed.webhook.url.startswith("https://other.partner.example")  # its certificate is not for that name
    assert "connection failed" in failed.last_error
