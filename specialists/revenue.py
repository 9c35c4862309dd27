"""Revenue over a period, from the prices bookings stored when they were made (kernel.pricing), per clinic day,
service, specialist, cabinet and item. The admin's revenue page and the monthly audit's daily totals read it.

What counts: every booking that was not cancelled or rejected (pending ones too: they are expected), on the
clinic day it starts, at the price it stored (a manager's override included). A cabinet booking counts for its
cabinet, and an appointment also for its service and specialist; equipment taken with a cabinet booking is part
of that booking's price, so only whole-day bookings count for an item. A booking made before prices existed
counts with nothing. Eight queries whatever the number of bookings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import RESOURCE as CABINET
from equipment.models import EquipmentBooking, Item
from equipment.services import RESOURCE as EQUIPMENT
from kernel.bookings import Status
from kernel.clock import clinic_zone
from kernel.pricing.lines import BASE, DISCOUNT, INFO, OVERRIDE, ZERO
from kernel.pricing.models import PriceLine
from kernel.scheduling import date_range, day_bounds
from specialists.models import Service, Specialist

NOT_COUNTED = (Status.CANCELLED, Status.REJECTED)
MAX_DAYS = 366


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


def _booked(resource_type: str, ids) -> dict[int, Money]:
    """Each booking's stored price by kind of line, for the bookings `ids` (a query) of `resource_type`."""
    prices: dict[int, Money] = {}
    rows = (PriceLine.objects.filter(price__resource_type=resource_type, price__booking_id__in=ids)
            .values("price__booking_id", "kind").annotate(amount=Sum("amount")).order_by())
    for row in rows:
        money = prices.setdefault(row["price__booking_id"], Money(bookings=1))
        if row["kind"] == BASE:
            money.base += row["amount"]
        elif row["kind"] == DISCOUNT:
            money.discounts += row["amount"]
        elif row["kind"] in (OVERRIDE, INFO):  # a note is 0; an override changes the total
            money.changes += row["amount"]
    return prices


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

    prices = _booked(EQUIPMENT, equipment.values("pk"))
    for pk, day, item_id in equipment.values_list("pk", "start_date", "item_id"):
        count(prices.get(pk) or Money(bookings=1), day, item=item_id)
    prices = _booked(CABINET, cabinets.values("pk"))
    for pk, starts_at, cabinet_id, service_id, specialist_id in cabinets.values_list(
            "pk", "starts_at", "cabinet_id", "service_id", "specialist_id"):
        count(prices.get(pk) or Money(bookings=1), local_day(starts_at), cabinet=cabinet_id, service=service_id,
              specialist=specialist_id)
    report.items = _named(Item, per["item"], ("sort_order", "id"))
    report.cabinets = _named(Cabinet, per["cabinet"], ("sort_order", "id"))
    report.services = _named(Service, per["service"], ("sort_order", "name", "id"))
    report.specialists = _named(Specialist, per["specialist"], ("sort_order", "name", "id"))
    return report


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clinic_zone()).date()
