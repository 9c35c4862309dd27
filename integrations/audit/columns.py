"""The audit workbook's sheets as columns (a header, a `values_list` path or a computed value, a width), and
the bookings a month's audit covers, with the price each stored (kernel.pricing) by kind of line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery, Sum
from django.utils.translation import pgettext_lazy

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations.prices import stored_total
from kernel.clock import month_bounds, month_instants
from kernel.pricing.lines import BASE, DISCOUNT, OVERRIDE
from kernel.pricing.models import PriceLine


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # a values_list path, or None for a computed column
    width: int = 14


def reference(model, pk: int) -> str:
    """The booking's reference as every other door shows it ("E-3", "C-3")."""
    return f"{model.REFERENCE_PREFIX}-{pk}"


def equipment_in_month(month: date):
    first, last = month_bounds(month)
    return EquipmentBooking.objects.filter(start_date__lte=last, end_date__gte=first)


def cabinet_in_month(month: date, zone):
    start, end = month_instants(month, zone)
    return CabinetBooking.objects.filter(starts_at__lt=end, ends_at__gt=start)


def with_prices(query, resource_type: str):
    """`query`'s bookings with their stored price: the sums of its base, discount and override lines, its total
    (empty when it stored none, like equipment taken with a cabinet booking, whose price that booking holds),
    and its discount's label and values, for the discount's words (`PRICE_EXTRAS`)."""
    lines = PriceLine.objects.filter(price__resource_type=resource_type, price__booking_id=OuterRef("pk")).order_by()

    def added(kind: str) -> Subquery:
        return Subquery(lines.filter(kind=kind).values("price_id").annotate(sum=Sum("amount")).values("sum")[:1])

    discount = lines.filter(kind=DISCOUNT)
    return query.annotate(
        price_base=added(BASE), price_discount=added(DISCOUNT), price_change=added(OVERRIDE),
        price_total=stored_total(resource_type),
        price_discount_label=Subquery(discount.values("label")[:1]),
        price_discount_params=Subquery(discount.values("params")[:1]))


PRICE_EXTRAS = ("price_discount_label", "price_discount_params")  # read after a booking sheet's columns


def price_columns():
    """The price columns at the end of both booking sheets; the last is computed from PRICE_EXTRAS."""
    return [
        Column(pgettext_lazy("audit", "Base price"), "price_base", 12),
        Column(pgettext_lazy("audit", "Discount"), "price_discount", 12),
        Column(pgettext_lazy("audit", "Changed by manager"), "price_change", 12),
        Column(pgettext_lazy("audit", "Total"), "price_total", 12),
        Column(pgettext_lazy("audit", "Discount rule"), None, 28),
    ]


EQUIPMENT_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Reference"), None, 10),
    Column(pgettext_lazy("audit", "Item ID"), "item_id", 8),
    Column(pgettext_lazy("audit", "Item"), "item__name", 28),
    Column(pgettext_lazy("audit", "Units"), "units", 7),
    Column(pgettext_lazy("audit", "From"), "start_date", 12),
    Column(pgettext_lazy("audit", "Until"), "end_date", 12),
    Column(pgettext_lazy("audit", "Window start"), "starts_at", 18),
    Column(pgettext_lazy("audit", "Window end"), "ends_at", 18),
    Column(pgettext_lazy("audit", "Cabinet booking"), "cabinet_booking_id", 10),
    Column(pgettext_lazy("audit", "Status"), "status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Telegram id"), "requester__telegram_id", 13),
    Column(pgettext_lazy("audit", "Telegram username"), "requester__username", 16),
    Column(pgettext_lazy("audit", "Partner"), "partner__name", 16),
    Column(pgettext_lazy("audit", "External booking id"), "external_booking_id", 18),
    Column(pgettext_lazy("audit", "Client"), "client_name", 24),
    Column(pgettext_lazy("audit", "Phone"), "client_phone", 15),
    Column(pgettext_lazy("audit", "Comment"), "comment", 30),
    Column(pgettext_lazy("audit", "Manager comment"), "manager_comment", 24),
    Column(pgettext_lazy("audit", "Reason"), "status_reason", 20),
    Column(pgettext_lazy("audit", "Decided by"), "decided_by", 18),
    Column(pgettext_lazy("audit", "Decided at"), "decided_at", 18),
    Column(pgettext_lazy("audit", "Reminder sent at"), "reminder_sent_at", 18),
    Column(pgettext_lazy("audit", "Created by (admin)"), "created_by__username", 14),
    Column(pgettext_lazy("audit", "Created at"), "created_at", 18),
    Column(pgettext_lazy("audit", "Updated at"), "updated_at", 18),
    *price_columns(),
]

CABINET_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Reference"), None, 10),
    Column(pgettext_lazy("audit", "Cabinet ID"), "cabinet_id", 8),
    Column(pgettext_lazy("audit", "Cabinet"), "cabinet__name", 20),
    Column(pgettext_lazy("audit", "Starts at"), "starts_at", 18),
    Column(pgettext_lazy("audit", "Ends at"), "ends_at", 18),
    Column(pgettext_lazy("audit", "Minutes"), None, 8),
    Column(pgettext_lazy("audit", "Status"), "status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Telegram id"), "requester__telegram_id", 13),
    Column(pgettext_lazy("audit", "Telegram username"), "requester__username", 16),
    Column(pgettext_lazy("audit", "Partner"), "partner__name", 16),
    Column(pgettext_lazy("audit", "External booking id"), "external_booking_id", 18),
    Column(pgettext_lazy("audit", "Client"), "client_name", 24),
    Column(pgettext_lazy("audit", "Phone"), "client_phone", 15),
    Column(pgettext_lazy("audit", "Comment"), "comment", 30),
    Column(pgettext_lazy("audit", "Manager comment"), "manager_comment", 24),
    Column(pgettext_lazy("audit", "Reason"), "status_reason", 20),
    Column(pgettext_lazy("audit", "Decided by"), "decided_by", 18),
    Column(pgettext_lazy("audit", "Decided at"), "decided_at", 18),
    Column(pgettext_lazy("audit", "Reminder sent at"), "reminder_sent_at", 18),
    Column(pgettext_lazy("audit", "Created by (admin)"), "created_by__username", 14),
    Column(pgettext_lazy("audit", "Created at"), "created_at", 18),
    Column(pgettext_lazy("audit", "Updated at"), "updated_at", 18),
    *price_columns(),
]

ITEM_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Name"), "name", 28),
    Column(pgettext_lazy("audit", "Category"), "category", 16),
    Column(pgettext_lazy("audit", "Units"), "quantity", 7),
    Column(pgettext_lazy("audit", "Active"), "is_active", 8),
    Column(pgettext_lazy("audit", "Permanently reserved"), "permanently_reserved", 10),
    Column(pgettext_lazy("audit", "Installed in cabinet"), "cabinet__name", 16),
    Column(pgettext_lazy("audit", "Order"), "sort_order", 7),
    Column(pgettext_lazy("audit", "Description"), "description", 40),
]

CABINET_LIST_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Name"), "name", 20),
    Column(pgettext_lazy("audit", "Number"), "number", 8),
    Column(pgettext_lazy("audit", "Floor"), "floor", 7),
    Column(pgettext_lazy("audit", "Capacity (people)"), "capacity", 9),
    Column(pgettext_lazy("audit", "Address"), "address", 24),
    Column(pgettext_lazy("audit", "Active"), "is_active", 8),
    Column(pgettext_lazy("audit", "Description"), "description", 40),
]

ACCOUNT_COLUMNS = [
    Column("ID", "id", 8),
    Column(pgettext_lazy("audit", "Telegram id"), "telegram_id", 13),
    Column(pgettext_lazy("audit", "Username"), "username", 16),
    Column(pgettext_lazy("audit", "First name"), "first_name", 14),
    Column(pgettext_lazy("audit", "Last name"), "last_name", 14),
    Column(pgettext_lazy("audit", "Language"), "language_code", 8),
    Column(pgettext_lazy("audit", "Phone"), "phone", 15),
    Column(pgettext_lazy("audit", "Manager"), "is_manager", 9),
    Column(pgettext_lazy("audit", "Blocked"), "is_blocked", 9),
    Column(pgettext_lazy("audit", "Block reason"), "blocked_reason", 20),
    Column(pgettext_lazy("audit", "Blocked at"), "blocked_at", 18),
    Column(pgettext_lazy("audit", "Reminders on"), "reminders_enabled", 9),
    Column(pgettext_lazy("audit", "First seen"), "created_at", 18),
    Column(pgettext_lazy("audit", "Last seen"), "last_seen_at", 18),
]

DAILY_COLUMNS = [
    Column(pgettext_lazy("audit", "Day"), None, 12),
    Column(pgettext_lazy("audit", "Bookings"), None, 10),
    Column(pgettext_lazy("audit", "Base prices"), None, 14),
    Column(pgettext_lazy("audit", "Discounts"), None, 14),
    Column(pgettext_lazy("audit", "Changed by managers"), None, 14),
    Column(pgettext_lazy("audit", "Total"), None, 14),
]

HISTORY_COLUMNS = [
    Column(pgettext_lazy("audit", "Booking type"), None, 11),
    Column(pgettext_lazy("audit", "Booking ID"), "booking_id", 9),
    Column(pgettext_lazy("audit", "At"), "at", 18),
    Column(pgettext_lazy("audit", "From"), "from_status", 11),
    Column(pgettext_lazy("audit", "To"), "to_status", 11),
    Column(pgettext_lazy("audit", "Channel"), "channel", 9),
    Column(pgettext_lazy("audit", "Actor"), "actor", 22),
    Column(pgettext_lazy("audit", "Reason"), "reason", 30),
]


