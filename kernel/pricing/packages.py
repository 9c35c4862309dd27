"""Prepaid packages as pricing sees them. The kernel sells no package: the app that does (payments) registers
one source here from its `AppConfig.ready()`, as resources register their adapters (kernel/adapters.py), and
pricing asks it whether a request is a session of one of the client's packages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Protocol

from kernel.pricing.lines import Line


class PackageSource(Protocol):
    def package_line(self, *, client, resource_type: str, request: Mapping, day: date, base_total: Decimal,
                     take: bool) -> Line | None:
        """The `package` line ("package: session 2 of 5", −`base_total`) when `request` of `resource_type`,
        on the booking's `day`, is a session of one of `client`'s valid packages with a session left; None
        otherwise. With `take`, inside the booking's transaction, the package's row is locked first, so two
        bookings never take one last session; without it (a quote) nothing is locked."""


_source: PackageSource | None = None


def register(source: PackageSource) -> None:
    global _source
    _source = source


def unregister() -> None:
    global _source
    _source = None


def package_line(*, client, resource_type: str, request: Mapping, day: date, base_total: Decimal,
                 take: bool) -> Line | None:
    if _source is None or client is None:
        return None
    return _source.package_line(client=client, resource_type=resource_type, request=request, day=day,
                                base_total=base_total, take=take)
