"""Revenue over a period, from the prices bookings stored when they were made (kernel.pricing), per clinic day,
service, specialist, cabinet and item. The admin's revenue page and the monthly audit's daily totals read it.

What counts: every booking that was not cancelled or rejected (pending ones too: they are expected), on the
clinic day it starts, at the price it stored (a manager's override included). A cabinet booking counts for its
cabinet, and an appointment also for its service and specialist; equipment taken with a cabinet booking is part
of that booking's price, so only whole-day bookings count for an item. A booking made before prices existed
counts with nothing. Six queries whatever the number of bookings, its bookings streamed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import RESOURCE as CABINET
from equipment.models import EquipmentBooking, Item
from equipment.services import RESOURCE as EQUIPMENT
from kernel.bookings import Status
from kernel.clock import clinic_zone
from kernel.pricing.lines import BASE, DISCOUNT, INFO, OVERRIDE, ZERO
from kernel.pricing.models import MONEY, PriceLine
from kernel.scheduling import date_range, day_bounds
from specialists.models import Service, Specialist

NOT_COUNTED = (Status.CANCELLED, Status.REJECTED)
MAX_DAYS = 366
CHUNK = 2000
AMOUNT = DecimalField(**MONEY)


@dataclass
class Money:
    """Bookings and their stored prices, added up: base prices, discounts (negative), managers' changes and the
    total (their sum)."""

    bookings: int = 0
    base: Decimal = ZERO
    discounts: Decimal = ZERO
    changes: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.base + self.discounts + self.changes

    def add(self, other: Money) -> None:
        self.bookings += other.bookings
        self.base += other.base
        self.discounts += other.discounts
        self.changes += other.changes


@dataclass
class Revenue:
    start: date
    end: date
    days: list[tuple[date, Money]]
    services: list[tuple[str, Money]] = field(default_factory=list)
    specialists: list[tuple[str, Money]] = field(default_factory=list)
    cabinets: list[tuple[str, Money]] = field(default_factory=list)
    items: list[tuple[str, Money]] = field(default_factory=list)
    total: Money = field(default_factory=Money)


def _with_prices(bookings, resource_type: str):
    """`bookings` (a query of `resource_type`) with their stored price's sums by kind of line: `base`,
    `discounts` and `changes` (a manager's override; a note is 0), each 0 where the booking has none."""

    def lines(*kinds):
        amounts = (PriceLine.objects.filter(price__resource_type=resource_type, price__booking_id=OuterRef("pk"),
                                            kind__in=kinds)
                   .order_by().values("price__booking_id").annotate(amount=Sum("amount")).values("amount"))
        return Coalesce(Subquery(amounts, output_field=AMOUNT), Value(ZERO, output_field=AMOUNT))

    return bookings.annotate(base=lines(BASE), discounts=lines(DISCOUNT), changes=lines(OVERRIDE, INFO))


def _named(model, totals: dict[int, Money], order: Iterable[str]) -> list[tuple[str, Money]]:
    """The totals of these ids with their names, in the model's order."""
    names = model.objects.filter(pk__in=list(totals)).order_by(*order).values_list("pk", "name")
    return [(name, totals[pk]) for pk, name in names]


def revenue(*, start: date, end: date) -> Revenue:
    """The revenue of the bookings that start from `start` to `end` (clinic days, both included)."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError("a period of 1 to 366 days")
    zone = clinic_zone()
    since, until = day_bounds(start, zone)[0], day_bounds(end, zone)[1]
    counted = ~Q(status__in=NOT_COUNTED)
    equipment = EquipmentBooking.objects.filter(counted, start_date__gte=start, start_date__lte=end,
                                                cabinet_booking__isnull=True)
    cabinets = CabinetBooking.objects.filter(counted, starts_at__gte=since, starts_at__lt=until)
    days = {day: Money() for day in date_range(start, end)}
    report = Revenue(start=start, end=end, days=list(days.items()))
    per: dict[str, dict[int, Money]] = {"item": {}, "cabinet": {}, "service": {}, "specialist": {}}

    def count(money: Money, day: date, **ids) -> None:
        for total in (days[day], report.total, *(per[key].setdefault(pk, Money()) for key, pk in ids.items()
                                                  if pk is not None)):
            total.add(money)

    # Streamed with their prices: a month of a busy clinic is 100,000 bookings, and the audit reads it.
    for day, item_id, *money in (_with_prices(equipment, EQUIPMENT)
                                 .values_list("start_date", "item_id", "base", "discounts", "changes")
                                 .iterator(chunk_size=CHUNK)):
        count(Money(1, *money), day, item=item_id)
    for starts_at, cabinet_id, service_id, specialist_id, *money in (
            _with_prices(cabinets, CABINET)
            .values_list("starts_at", "cabinet_id", "service_id", "specialist_id", "base", "discounts", "changes")
            .iterator(chunk_size=CHUNK)):
        count(Money(1, *money), timezone.localtime(starts_at, zone).date(), cabinet=cabinet_id, service=service_id,
              specialist=specialist_id)
    report.items = _named(Item, per["item"], ("sort_order", "id"))
    report.cabinets = _named(Cabinet, per["cabinet"], ("sort_order", "id"))
    report.services = _named(Service, per["service"], ("sort_order", "name", "id"))
    report.specialists = _named(Specialist, per["specialist"], ("sort_order", "name", "id"))
    return report

