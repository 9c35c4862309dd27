"""The HTTP transport of webhook deliveries: it connects only to an address it has just checked.

Checking a receiver's name and then letting the HTTP client connect to it resolves the name twice, and a
name can answer a public address to the check and 127.0.0.1 to the connection (DNS rebinding). So the
check is done where the connection is made: an httpcore network backend resolves the name once, refuses
the connection unless every address it answered is public (unless WEBHOOK_ALLOW_PRIVATE), and opens the
TCP connection to those very addresses. Everything above TCP is httpx's, unchanged: the URL keeps the
receiver's name, so the Host header, TLS SNI and the certificate check are for that name, and pooled
connections are per name (a kept-alive connection is one that was checked when it was opened).

Environment proxies (HTTP_PROXY and the like) are not used: the connection must go to the checked address.
"""

from __future__ import annotations

import ssl
import typing

import httpcore
import httpx
from django.conf import settings

from integrations.webhooks.services import addresses_refusal, resolve

# A name with many addresses that never answer must not hold the sender for many timeouts.
MAX_ADDRESSES_TRIED = 3
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's defaults


class DestinationRefused(httpcore.ConnectError):
    """The receiver's name leads to an address deliveries must not reach (the message says why)."""


class CheckedNetworkBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        refusal = None if settings.WEBHOOK_ALLOW_PRIVATE else addresses_refusal(addresses)
        if refusal:
            raise DestinationRefused(refusal)
        error: Exception | None = None
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            try:
                # A numeric address: the socket layer connects to it without resolving anything.
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


class CheckedTransport(httpx.HTTPTransport):
    """httpx's own transport with the checking network backend under its connection pool."""

    def __init__(self, verify: ssl.SSLContext | bool = True, limits: httpx.Limits = LIMITS) -> None:
        super().__init__(verify=verify, trust_env=False, limits=limits)
        # httpx does not take a network backend; its pool is rebuilt with the same options and ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=CheckedNetworkBackend())


def refusal_of(error: httpx.HTTPError) -> str | None:
    """The refusal behind a failed request, if the transport refused the destination."""
    cause = error.__cause__
    return str(cause) if isinstance(cause, DestinationRefused) else None
