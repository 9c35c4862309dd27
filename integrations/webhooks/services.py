"""Partner webhook endpoints: creating one (its secret is returned once), removing one, and the URL rule
(http or https only; in production no loopback, private or link-local address, unless WEBHOOK_ALLOW_PRIVATE).

The address rule is applied twice: here when an endpoint is saved (a clear refusal for the partner), and by
the delivery transport at the moment it connects, to the very addresses it connects to (a name may answer
a public address here and a private one a second later)."""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner
from integrations.webhooks.events import EVENT_TYPE_NAMES
from integrations.webhooks.models import PartnerWebhook
from kernel.errors import BookingError

MAX_WEBHOOKS_PER_PARTNER = 10
SECRET_PREFIX = "whsec_"


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms that carry an IPv4 address a packet ends up at; `ipaddress` calls most of them global.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 6145 (SIIT): ::ffff:0:a.b.c.d
# RFC 8215 local-use NAT64 prefix: where the IPv4 address sits depends on the prefix length the local network
# chose (/48 to /96), so what it leads to cannot be judged; IANA lists it as not globally reachable.
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def resolve(host: str, port: int) -> list[str]:
    """Every address the name answers (IPv6 ones may carry a %scope), in the resolver's order; [] if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped, IPv4-compatible (::a.b.c.d), 6to4,
    Teredo (its server and its client), IPv4-translated and well-known-prefix NAT64; [] for any other address."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if int(address) >> 32 == 0:  # ::a.b.c.d, and :: and ::1 as 0.0.0.0 and 0.0.0.1
        return [ipaddress.IPv4Address(int(address))]
    if address.sixtofour:
        return [address.sixtofour]
    if address.teredo:
        return list(address.teredo)
    if address in _NAT64_WELL_KNOWN or address in _IPV4_TRANSLATED:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def is_public(address: str | IPAddress) -> bool:
    """A globally reachable unicast address; an IPv6 form that embeds IPv4 is judged by what it embeds."""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return False
    if address in _NAT64_LOCAL_USE:
        return False
    embedded = embedded_ipv4(address)
    if embedded:
        return all(is_public(inner) for inner in embedded)
    return address.is_global and not address.is_multicast


def addresses_refusal(addresses: list[str]) -> str | None:
    """Why a connection to these addresses (all of a name's answers) is not allowed, or None."""
    if not addresses:
        return str(_("The host name of the URL does not resolve."))
    if not all(is_public(address) for address in addresses):
        return str(_("The URL points to a loopback, private or link-local address, which is not allowed."))
    return None


def webhook_url_refusal(url: str) -> str | None:
    """Why this URL cannot receive webhooks, or None. Checked when an endpoint is saved; a delivery checks
    the addresses again as it connects (see integrations.webhooks.transport)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return str(_("Use a full http:// or https:// URL."))
    parts = urlsplit(url)
    if parts.username or parts.password:
        return str(_("The URL must not contain a user name or password."))
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return str(_("Use a full http:// or https:// URL."))
    return addresses_refusal(resolve(parts.hostname or "", port))


def check_webhook_url(url: str) -> None:
    refusal = webhook_url_refusal(url)
    if refusal:
        raise BookingError("invalid", refusal, field="url")


def check_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types))
    unknown = [name for name in chosen if name not in EVENT_TYPE_NAMES]
    if unknown or not chosen:
        raise BookingError("invalid", _("Choose event types among: %(names)s.")
                           % {"names": ", ".join(EVENT_TYPE_NAMES)}, field="event_types", unknown=unknown)
    return [name for name in EVENT_TYPE_NAMES if name in chosen]


def check_room(partner: Partner) -> None:
    if PartnerWebhook.objects.filter(partner=partner).count() >= MAX_WEBHOOKS_PER_PARTNER:
        raise BookingError("invalid", _("A partner can have at most %(n)s webhooks.") % {"n": MAX_WEBHOOKS_PER_PARTNER},
                           field="url", limit=MAX_WEBHOOKS_PER_PARTNER)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def webhook_create(*, partner: Partner, url: str, event_types: Iterable[str], now: datetime,
                   is_active: bool = True) -> tuple[PartnerWebhook, str]:
    """A new endpoint and its signing secret (returned here only: show it once)."""
    check_webhook_url(url)
    types = check_event_types(event_types)
    Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one count at a time per partner
    check_room(partner)
    secret = new_secret()
    webhook = PartnerWebhook(partner=partner, url=url, secret=secret, event_types=types, is_active=is_active,
                             created_at=now)
    webhook.full_clean()
    webhook.save()
    return webhook, secret


def webhook_change(*, webhook: PartnerWebhook, url: str, event_types: Iterable[str], is_active: bool) -> PartnerWebhook:
    check_webhook_url(url)
    webhook.url, webhook.event_types, webhook.is_active = url, check_event_types(event_types), is_active
    webhook.full_clean()
    webhook.save(update_fields=["url", "event_types", "is_active"])
    return webhook


def webhook_delete(*, partner: Partner, webhook_id: int) -> None:
    """Remove one of the partner's own endpoints (another partner's is "not found"), with its deliveries."""
    in_range = 0 < webhook_id < 2**63
    deleted, _rows = (PartnerWebhook.objects.filter(partner=partner, pk=webhook_id).delete() if in_range
                      else (0, {}))
    if not deleted:
        raise BookingError("not_found", _("Webhook not found."), webhook_id=webhook_id)


def webhooks_of(partner: Partner):
    return PartnerWebhook.objects.filter(partner=partner).order_by("id")
