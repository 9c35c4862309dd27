"""The signed-in user: who they are with their bookings and waits, a new booking, and a cancellation. A
Telegram account acts exactly as in the bots (blocklist, per-user limit, approval, notifications)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.clients import client_asks_birthday, client_birthday_skipped
from accounts.models import Client, TelegramAccount
from cabinets import services as cabinet_services
from cabinets import waitlist as cabinet_waitlist
from cabinets.models import CabinetBooking
from equipment import services as equipment_services
from equipment import waitlist as equipment_waitlist
from equipment.models import EquipmentBooking, Item
from integrations.prefill import last_client
from integrations.prices import stored_prices
from integrations.webapp.shapes import booking_request
from integrations.webapp.views.availability import active_cabinet, item_for_clients
from integrations.webapp.views.plumbing import body, endpoint
from integrations.webapp.views.presenters import RULES, booking_json, wait_json
from kernel.channels import Actor, Channel
from kernel.contacts import format_phone
from kernel.errors import BookingError
from kernel.pricing.labels import money_text
from payments.packages import account_packages
from payments.wallets import account_wallets


def cabinet_booking(booking_id: int) -> CabinetBooking:
    return (CabinetBooking.objects.select_related("cabinet", "service", "specialist")
            .prefetch_related("equipment_bookings__item").get(pk=booking_id))


def request_fields(data: dict, account: TelegramAccount, now: datetime, *, wait: bool = False) -> tuple[str, dict]:
    """The resource and the service's arguments for a booking (or, with `wait`, a waitlist) request of the page:
    its shape checked by the serializers, its item or cabinet looked up, the actor and channel added."""
    kind, fields = booking_request(data)
    resource = resource_fields(kind, fields)
    client = {"client_name": fields["client_name"], "client_phone": fields["client_phone"],
              "comment": fields["comment"], "actor": Actor.telegram(account), "channel": Channel.WEBAPP, "now": now}
    if not wait:  # a wait keeps the name and phone only; its booking updates the client
        client.update(client_birthday=fields["client_birthday"], client_email=fields["client_email"])
    if kind == "cabinet" and not wait:
        client["equipment"] = chosen_equipment(fields["equipment"])
    return kind, {**resource, **client}


def birthday_answered(data: dict, booking, now: datetime) -> None:
    """A birthday the page asked for and the client left empty is not asked again (by the page or the bots)."""
    if data.get("birthday_asked") is True and not data.get("client_birthday"):
        client_birthday_skipped(client_id=booking.client_id, now=now)


def resource_fields(kind: str, fields: dict) -> dict:
    """What a request of the page books: the item with its days and units, or the cabinet with its window."""
    if kind == "equipment":
        return {"item": item_for_clients(fields["item_id"]), "start_date": fields["start_date"],
                "end_date": fields["end_date"], "units": fields["units"]}
    return {"cabinet": active_cabinet(fields["cabinet_id"]), "starts_at": fields["starts_at"],
            "duration_minutes": fields["duration_minutes"]}


def chosen_equipment(lines: list[dict]) -> list[tuple[Item, int]]:
    """The page's equipment lines as (item, units); refused when an item is gone."""
    items = {item.pk: item for item in Item.objects.filter(pk__in=[line["item_id"] for line in lines])}
    if any(line["item_id"] not in items for line in lines):
        raise BookingError("not_found", _("This equipment is no longer available."))
    return [(items[line["item_id"]], line["units"]) for line in lines]


def _my_bookings(account: TelegramAccount, now: datetime) -> list[dict]:
    equipment = list(equipment_services.upcoming_for_requester(account=account, now=now)[:20])
    cabinets = list(cabinet_services.upcoming_for_requester(account=account, now=now)[:20])
    equipment_prices = stored_prices("equipment", [b.pk for b in equipment])
    cabinet_prices = stored_prices("cabinet", [b.pk for b in cabinets])
    return ([booking_json("equipment", b, now, account, prices=equipment_prices) for b in equipment]
            + [booking_json("cabinet", b, now, account, prices=cabinet_prices) for b in cabinets])


def _wallet(account: TelegramAccount) -> dict:
    """The balance of the wallets of the clients this account books as (decimal strings, and written as the
    page shows them), and each of them that holds money when there are several."""
    wallets = account_wallets(account)
    holding = [wallet for wallet in wallets if wallet.balance]
    balance = sum((w.balance for w in wallets), start=Decimal("0.00"))
    return {"currency": settings.CURRENCY, "balance": str(balance), "balance_text": money_text(balance),
            "clients": [{"name": w.client.name, "balance": str(w.balance), "balance_text": money_text(w.balance)}
                        for w in holding] if len(holding) > 1 else []}


def _packages(account: TelegramAccount, now: datetime) -> list[dict]:
    """The prepaid packages of the clients this account books as that have sessions left."""
    return [{"service": state.package.service.name, "remaining": state.remaining, "sessions": state.package.sessions,
             "valid_until": state.package.valid_until.isoformat()} for state in account_packages(account, now=now)]


@require_GET
@endpoint(signed=True)
def me(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    name, phone = " ".join(part for part in (account.first_name, account.last_name) if part), account.phone
    last, email, ask_birthday = last_client(account), "", True
    if last is not None:  # the form starts with what they gave last time
        name, phone = last.name, format_phone(last.phone)
        email = Client.objects.filter(phone=last.phone).values_list("email", flat=True).first() or ""
        ask_birthday = client_asks_birthday(last.phone)
    waits = equipment_waitlist.waits_for(account=account) + cabinet_waitlist.waits_for(account=account)
    return JsonResponse({"user": {"name": name, "phone": phone, "email": email, "ask_birthday": ask_birthday,
                                  "language": account.language, "is_blocked": account.is_blocked},
                         "bookings": _my_bookings(account, now), "waits": [wait_json(w) for w in waits],
                         "wallet": _wallet(account), "packages": _packages(account, now)})


@require_POST
@endpoint(signed=True)
def book(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    data = body(request)
    kind, fields = request_fields(data, account, now)
    if kind == "equipment":
        booking = equipment_services.equipment_booking_create(**fields)
    else:
        booking = cabinet_booking(cabinet_services.cabinet_booking_create(**fields).pk)
    birthday_answered(data, booking, now)
    return JsonResponse({"booking": booking_json(kind, booking, now, account)}, status=201)


@require_POST
@endpoint(signed=True)
def cancel(request: HttpRequest, kind: str, booking_id: int, *, account: TelegramAccount, now: datetime):
    """The user's own booking, while the resource's public rule lets them cancel it."""
    if kind not in RULES:
        raise BookingError("not_found", _("Booking not found."))
    actor = Actor.telegram(account)
    if kind == "equipment":
        booking = EquipmentBooking.objects.select_related("item").filter(pk=booking_id, requester=account).first()
    else:
        booking = CabinetBooking.objects.filter(pk=booking_id, requester=account).first()
    if booking is None:
        raise BookingError("not_found", _("Booking not found."))
    RULES[kind].check_cancellable(booking=booking, actor=actor, now=now)
    if kind == "equipment":
        booking = equipment_services.equipment_booking_cancel(booking=booking, actor=actor, now=now,
                                                              channel=Channel.WEBAPP)
    else:
        cabinet_services.cabinet_booking_cancel(booking=booking, actor=actor, now=now, channel=Channel.WEBAPP)
        booking = cabinet_booking(booking_id)
    return JsonResponse({"booking": booking_json(kind, booking, now, account)})
