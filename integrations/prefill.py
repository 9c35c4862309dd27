"""The name and phone a client gave last time, offered again so nobody types their phone on every booking.
Both doors (the bots and the booking page) ask here; managers book for many clients, so they get nothing."""

from __future__ import annotations

from typing import NamedTuple

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking


class LastClient(NamedTuple):
    name: str
    phone: str


def last_client(account: TelegramAccount) -> LastClient | None:
    """The client name and phone of this account's most recent booking of either kind (equipment taken
    with a cabinet repeats the cabinet booking's), or None for a manager or someone who never booked."""
    if account.is_manager:
        return None
    latest = None
    for model in (EquipmentBooking, CabinetBooking):
        row = (model.objects.filter(requester=account).exclude(client_phone="")
               .order_by("-created_at", "-pk").values("client_name", "client_phone", "created_at").first())
        if row is not None and (latest is None or row["created_at"] > latest["created_at"]):
            latest = row
    if latest is None:
        return None
    return LastClient(latest["client_name"], latest["client_phone"])
