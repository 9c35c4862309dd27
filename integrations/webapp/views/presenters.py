"""How the page shows a booking, a price and a wait: the same lines as the bots' cards (integrations.texts),
whether Cancel is offered by the resource's public cancel rule, and a price as the partner API answers it
(kernel.pricing.api) with the words the page shows of it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from cabinets import rules as cabinet_rules
from equipment import rules as equipment_rules
from integrations import texts
from integrations.prices import stored_price
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.clock import clinic_zone
from kernel.prepayment import payment_due_by
from kernel.pricing.api import price_body
from kernel.pricing.labels import line_amount_text, money_text, price_text, total_text
from kernel.pricing.lines import Price
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_position
from payments.direct import wallet_covers
from payments.refunds import refund_policy

RULES = {"equipment": equipment_rules, "cabinet": cabinet_rules}


def _appointment(kind: str, booking) -> dict:
    """An appointment's service, specialist and cabinet; empty for anything else."""
    if kind != "cabinet" or not booking.service_id:
        return {"service": None, "specialist": None, "cabinet": None}
    return {"service": booking.service.name, "specialist": booking.specialist.name if booking.specialist_id else None,
            "cabinet": booking.cabinet.name}


def price_json(price: Price | None) -> dict | None:
    """`{"currency", "total", "lines": [{"kind", "label", "amount", "rule_id"?, "amount_text"}], "total_text",
    "text"}`: the API's price with each amount, the total and the whole price written as the bots write them
    ("2 500 ₽", "итого 2 200 ₽", the card's one line). None when there is no price to show."""
    if price is None:
        return None
    body = price_body(price)
    for line, shown in zip(price.lines, body["lines"], strict=True):
        shown["amount_text"] = line_amount_text(line, price.currency)
    return {**body, "total_text": total_text(price), "text": price_text(price)}


def refund_policy_json(kind: str, booking, now: datetime) -> dict:
    """What cancelling after paying gives back, as the client is told before paying: `until` when the whole amount
    goes back to the wallet (None once that time has passed) and the sentence that says so."""
    policy = refund_policy(adapter_for(kind).booking_starts_at(booking), now=now)
    until = timezone.localtime(policy["until"], clinic_zone())
    if policy["refundable_now"]:
        text = _("If you cancel before %(day)s %(time)s, the money goes back to your wallet; later it is not "
                 "refunded.") % {"day": until.strftime("%d.%m"), "time": until.strftime("%H:%M")}
    else:
        text = _("This booking starts in less than %(hours)s h: if you cancel it after paying, the money is not "
                 "refunded.") % {"hours": policy["hours"]}
    return {"hours": policy["hours"], "until": until.isoformat() if policy["refundable_now"] else None,
            "text": text}


def payment_json(kind: str, booking, now: datetime, price: Price | None) -> dict | None:
    """What a booking awaiting its payment shows: until when it holds its place (`pay_by`, the clinic's time),
    what to pay, what cancelling after paying gives back, and whether its client's wallet covers the total (then
    the page offers Pay from wallet). None for any other booking."""
    if booking.status != Status.AWAITING_PAYMENT or price is None:
        return None
    covers = wallet_covers(booking, price.total)
    return {"pay_by": timezone.localtime(payment_due_by(booking), clinic_zone()).isoformat(),
            "total": str(price.total), "total_text": money_text(price.total, price.currency),
            "currency": price.currency, "refund_policy": refund_policy_json(kind, booking, now),
            "wallet_covers": covers}


def booking_json(kind: str, booking, now: datetime, account: TelegramAccount, *, prices: dict | None = None) -> dict:
    """A booking as the page shows it, with its stored price (from `prices`, by booking id, when they were
    read for several bookings at once) and, while it awaits its payment, what paying means (`payment`)."""
    price = prices.get(booking.pk) if prices is not None else stored_price(kind, booking.pk)
    return {**_appointment(kind, booking), "kind": kind, "id": booking.pk, "reference": booking.reference,
            "title": texts.booking_title(kind, booking), "when": texts.booking_when(kind, booking),
            "equipment": texts.equipment_lines(booking) if kind == "cabinet" else [], "status": booking.status,
            "status_label": str(texts.status_label(booking.status)), "price": price_json(price),
            "payment": payment_json(kind, booking, now, price),
            "cancellable": RULES[kind].can_cancel(booking=booking, actor=Actor.telegram(account), now=now)}


def wait_json(wait: Wait) -> dict:
    expires = (timezone.localtime(wait.offer_expires_at, clinic_zone()).isoformat()
               if wait.status == Wait.Status.OFFERED and wait.offer_expires_at else None)
    return {"id": wait.pk, "kind": wait.resource_type, "title": texts.wait_title(wait), "when": texts.wait_when(wait),
            "status": wait.status, "status_label": str(wait.get_status_display()), "position": wait_position(wait),
            "offer_expires_at": expires}
