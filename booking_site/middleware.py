"""Request id: echoed from X-Request-ID or generated, bound to log records of the request. The client's
address behind the trusted reverse proxies (TRUSTED_PROXIES)."""

from __future__ import annotations

import functools
import ipaddress
import re
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings

from booking_site.logging import request_id_var

_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _request_id(request) -> str:
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _VALID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    async_capable = True
    sync_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request.request_id = _request_id(request)
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response

    async def __acall__(self, request):
        request.request_id = _request_id(request)
        token = request_id_var.set(request.request_id)
        try:
            response = await self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


@functools.lru_cache(maxsize=4)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str | None:
    """The address of the client that made the request (django-axes locks logins by username and it).

    The socket's peer is the client, unless it is one of TRUSTED_PROXIES: then X-Forwarded-For (each proxy
    appends the address it was called from) is read from the right, past the trusted proxies, and the first
    address that is not one of them is the client. Entries left of it were written by the client and are
    ignored, so a client can neither pass for another nor, without a trusted proxy in between, set the
    header at all."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    client = _address(remote or "")
    if client is None or not networks:
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not any(client in network for network in networks):
            break
        hop_address = _address(hop)
        if hop_address is None:  # nothing trustworthy further left
            break
        client = hop_address
    return str(client)
