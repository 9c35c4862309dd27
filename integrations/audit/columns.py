"""The audit workbook's sheets as columns (a header, a `values_list` path or a computed value, a width), and
the bookings a month's audit covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import pgettext_lazy

from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from kernel.clock import month_bounds, month_instants


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


