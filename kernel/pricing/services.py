"""Pricing a request, storing a booking's price, giving its discount back, a manager's override, and reading
stored prices. Every door's price comes from `price_quote` (a request) or `booking_price` (a booking)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel import locking, rows
from kernel.adapters import adapter_for
from kernel.channels import Actor, Channel
from kernel.clock import clinic_today
from kernel.errors import BookingError
from kernel.pricing import packages
from kernel.pricing.compute import price_compute
from kernel.pricing.labels import money_text
from kernel.pricing.lines import OVERRIDE, ZERO, Line, Price, PriceBase, cents
from kernel.pricing.models import BookingPrice, DiscountRule, PriceLine
from kernel.pricing.quota import quota_give_back, quota_spent, quota_take

MAX_TOTAL = Decimal("9999999999.99")
RECORDED = "_price_recorded"  # the instance attribute booking_price_record leaves for booking_price_of


def rules_active(day: date) -> list[DiscountRule]:
    """The discount rules that apply to a booking made on `day` (clinic zone)."""
    return list(DiscountRule.objects.filter(
        Q(active_from__isnull=True) | Q(active_from__lte=day), Q(active_until__isnull=True) | Q(active_until__gte=day),
        is_active=True))


def _priced(base: PriceBase, *, client, client_birthday: date | None, today: date, quota_is_spent: bool) -> Price:
    # Nothing priced, nothing to discount: the rules are not even read.
    rules = rules_active(today) if any(line.amount for line in base.lines) else ()
    return price_compute(
        base=base.lines, day=base.day, rules=rules, currency=settings.CURRENCY,
        birthday=client_birthday or getattr(client, "birthday", None),
        personal_percent=getattr(client, "personal_discount_percent", None), quota_spent=quota_is_spent)


def _package_priced(base: PriceBase, *, client, resource_type: str, request: Mapping, take: bool) -> Price | None:
    """The price of a session of the client's package, or None: the base lines and a line that brings the total
    to 0. A session takes no discount and no quota."""
    if client is None:
        return None
    price = price_compute(base=base.lines, day=base.day, rules=(), currency=settings.CURRENCY)
    line = packages.package_line(client=client, resource_type=resource_type, request=request, day=base.day,
                                 base_total=price.base_total, take=take)
    return price.with_line(line) if line is not None else None


def price_quote(*, resource_type: str, request: Mapping, now: datetime, client=None,
                client_birthday: date | None = None) -> Price:
    """The price of a request of `resource_type` (the keyword arguments its adapter's `price_base` takes: an
    item with units and dates, a cabinet with a window and equipment, a service at a time), for `client` (a
    client record or None) made at `now`. `client_birthday`, when given, wins over the client's stored one.
    Nothing is booked and the quota is not touched; when today's quota is spent the price says so. A session
    of the client's package shows as such, and is not used."""
    base = adapter_for(resource_type).price_base(**request)
    session = _package_priced(base, client=client, resource_type=resource_type, request=request, take=False)
    if session is not None:
        return session
    today = clinic_today(now)
    return _priced(base, client=client, client_birthday=client_birthday, today=today,
                   quota_is_spent=quota_spent(today))


def _store(price_row: BookingPrice, lines: Iterable[Line], *, replace: bool = True) -> None:
    """Write a price's lines, in order (each insert a statement built once: every booking writes its lines)."""
    if replace:
        PriceLine.objects.filter(price=price_row).delete()
    for position, line in enumerate(lines, start=1):
        rows.insert(PriceLine(price=price_row, position=position, kind=line.kind, label=line.label,
                              params=dict(line.params), amount=line.amount, rule_id=line.rule_id))


def booking_price_record(*, booking, resource_type: str, request: Mapping, now: datetime,
                         client_birthday: date | None = None, priced_as: str | None = None) -> Price:
    """Price a booking being made and store its lines, in the booking's transaction. A discount counts
    against the quota of the day the booking is made (clinic zone); when that is spent the booking keeps the
    full price and a line says why. `priced_as` names the adapter that prices the request when it is not the
    booking's own (an appointment is a cabinet booking priced by its service). A session of the client's
    package (kernel.pricing.packages) is used instead of a price, under the package's lock."""
    locking.require_transaction()
    base = adapter_for(priced_as or resource_type).price_base(**request)
    client = booking.client if booking.client_id else None
    today = clinic_today(now)
    price = _package_priced(base, client=client, resource_type=priced_as or resource_type, request=request, take=True)
    if price is None:
        price = _priced(base, client=client, client_birthday=client_birthday, today=today, quota_is_spent=False)
    quota_day = None
    if price.discount is not None:
        if quota_take(today):
            quota_day = today
        else:
            price = _priced(base, client=client, client_birthday=client_birthday, today=today, quota_is_spent=True)
    row = BookingPrice(resource_type=resource_type, booking_id=booking.pk, currency=price.currency, total=price.total,
                       quota_day=quota_day, created_at=now, updated_at=now)
    rows.insert(row)  # a statement built once: every booking writes this row and its lines
    stored = Price(price.currency, tuple(replace(line, amount=cents(line.amount)) for line in price.lines))
    _store(row, stored.lines, replace=False)
    # The answer to the request that made the booking shows this price: kept on the instance, it is not read back.
    booking.__dict__[RECORDED] = stored
    return price


def booking_price_release(*, resource_type: str, booking_id: int, now: datetime) -> bool:
    """A cancelled or rejected booking gives its discount back to the quota of the day it took it from, once
    (a conditional update claims the return). Its stored lines do not change."""
    claimed = BookingPrice.objects.filter(resource_type=resource_type, booking_id=booking_id, quota_day__isnull=False,
                                          quota_returned_at__isnull=True).update(quota_returned_at=now)
    if not claimed:
        return False
    quota_give_back(BookingPrice.objects.values_list("quota_day", flat=True).get(resource_type=resource_type,
                                                                                  booking_id=booking_id))
    return True


def _total(value) -> Decimal:
    try:
        total = Decimal(str(value))
    except (InvalidOperation, ValueError):
        total = None
    if total is None or not total.is_finite() or total < 0 or total > MAX_TOTAL or total != cents(total):
        raise BookingError("invalid", _("The total must be an amount of 0 or more with at most two decimals."),
                           field="total")
    return total


@transaction.atomic
def booking_price_override(*, booking, resource_type: str, total, reason: str, actor: Actor, now: datetime,
                           channel: str = Channel.ADMIN) -> Price:
    """A manager sets a booking's total: one `override` line makes the lines add up to it (a second override
    replaces the first), and the booking's history records the change and its reason."""
    total = _total(total)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("invalid", _("Say why the price changes."), field="reason")
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change a price."))
    row, _created = BookingPrice.objects.select_for_update().get_or_create(
        resource_type=resource_type, booking_id=booking.pk,
        defaults={"currency": settings.CURRENCY, "total": ZERO, "created_at": now, "updated_at": now})
    before = row.total
    kept = [line for line in _lines(row) if line.kind != OVERRIDE]
    rest = cents(sum((line.amount for line in kept), ZERO))
    lines = kept if total == rest else [*kept, Line(OVERRIDE, "override", total - rest, {"reason": reason[:200]})]
    _store(row, lines)
    booking.__dict__.pop(RECORDED, None)  # the price this instance was made with is no longer the stored one
    row.total, row.updated_at = total, now
    row.save(update_fields=["total", "updated_at"])
    change = _("price %(before)s → %(after)s: %(reason)s") % {
        "before": money_text(before, row.currency), "after": money_text(total, row.currency), "reason": reason}
    booking.history.create(from_status=booking.status, to_status=booking.status, channel=channel, actor=actor.label,
                           reason=str(change)[:500], at=now)
    return Price(row.currency, tuple(lines))


def _lines(row: BookingPrice) -> list[Line]:
    return [Line(line.kind, line.label, line.amount, line.params or {}, line.rule_id) for line in row.lines.all()]


def booking_prices(*, resource_type: str, booking_ids: Iterable[int]) -> dict[int, Price]:
    """The stored prices of these bookings, by booking id, in one query (a booking made before prices existed
    has none)."""
    rows = (BookingPrice.objects.filter(resource_type=resource_type, booking_id__in=list(booking_ids))
            .order_by("booking_id", "lines__position")
            .values_list("booking_id", "currency", "lines__kind", "lines__label", "lines__params", "lines__amount",
                         "lines__rule_id"))
    currencies: dict[int, str] = {}
    lines: dict[int, list[Line]] = {}
    for booking_id, currency, kind, label, params, amount, rule_id in rows:
        currencies[booking_id] = currency
        lines.setdefault(booking_id, [])
        if kind is not None:  # a price with no lines has one row of nulls
            lines[booking_id].append(Line(kind, label, amount, params or {}, rule_id))
    return {booking_id: Price(currency, tuple(lines[booking_id])) for booking_id, currency in currencies.items()}


def booking_price(*, resource_type: str, booking_id: int) -> Price | None:
    """A booking's stored price (its lines add up to its total), or None."""
    return booking_prices(resource_type=resource_type, booking_ids=[booking_id]).get(booking_id)


def booking_price_of(booking, *, resource_type: str) -> Price | None:
    """`booking`'s stored price: the one `booking_price_record` stored on this instance (the request that made
    the booking), else read from the database."""
    recorded = booking.__dict__.get(RECORDED)
    return recorded if recorded is not None else booking_price(resource_type=resource_type, booking_id=booking.pk)


__all__ = ["booking_price", "booking_price_of", "booking_price_override", "booking_price_record",
           "booking_price_release", "booking_prices", "price_quote", "rules_active"]
