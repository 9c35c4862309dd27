"""Paying on the booking page for a booking that awaits its payment (kernel.prepayment): an invoice link made by
the bot the page was opened from, which the page opens in Telegram's payment form; a payment the form reports
as failed (the booking ends as not paid); paying from the wallet; and the booking as it stands, which the page
reads again after a payment until the bot's webhook has recorded it (`successful_payment` never reaches the
page). Only the booking's requester may do any of it; every rule is payments.checkout's."""

from __future__ import annotations

import re
from datetime import datetime

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import TelegramAccount
from cabinets.models import CabinetBooking
from equipment.models import EquipmentBooking
from integrations import texts
from integrations.webapp.invoices import InvoiceLinkError, invoice_link_create
from integrations.webapp.views.bookings import cabinet_booking
from integrations.webapp.views.plumbing import endpoint
from integrations.webapp.views.presenters import booking_json
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from payments import checkout, direct
from payments.models import Payment

PAYLOAD = re.compile(r"[A-Za-z0-9._-]{1,64}")  # an invoice payload (payments.checkout), URL-safe


def own_booking(account: TelegramAccount, kind: str, booking_id: int):
    """The account's own booking of `kind` with what the page shows of it; anyone else's is not found."""
    model = {"equipment": EquipmentBooking, "cabinet": CabinetBooking}.get(kind)
    if model is None or not model.objects.filter(pk=booking_id, requester=account).exists():
        raise BookingError("not_found", _("Booking not found."))
    if kind == "equipment":
        return EquipmentBooking.objects.select_related("item").get(pk=booking_id)
    return cabinet_booking(booking_id)


def invoice_description(kind: str, booking) -> str:
    """The booking as the invoice describes it: the service (of an appointment), what is booked and when."""
    service = booking.service.name if kind == "cabinet" and booking.service_id else ""
    return " · ".join(part for part in (service, texts.booking_title(kind, booking), texts.booking_when(kind, booking))
                      if part)


@require_GET
@endpoint(signed=True)
def booking(request: HttpRequest, kind: str, booking_id: int, *, account: TelegramAccount, now: datetime):
    """One of the user's bookings as it stands (the page reads it again while a payment is being recorded)."""
    return JsonResponse({"booking": booking_json(kind, own_booking(account, kind, booking_id), now, account)})


@require_POST
@endpoint(signed=True)
def invoice(request: HttpRequest, kind: str, booking_id: int, *, account: TelegramAccount, now: datetime):
    """A new payment attempt for the user's booking awaiting payment, and the link to Telegram's payment form
    for it. `payload` names the attempt when the page reports it failed."""
    found = own_booking(account, kind, booking_id)
    opened = checkout.invoice_open(booking=found, resource_type=kind, what=invoice_description(kind, found),
                                   now=now, actor=Actor.telegram(account), telegram_id=account.telegram_id)
    try:
        link = invoice_link_create(bot=request.telegram_bot, invoice=opened)
    except InvoiceLinkError:
        # Telegram's failure, not the client's: nothing is refused, Pay can be tapped again.
        return JsonResponse({"error": _("Telegram could not open the payment form. Please try again."),
                             "code": "invoice_unavailable", "details": {}}, status=502)
    return JsonResponse({"invoice_url": link, "payload": opened.payload}, status=201)


@require_POST
@endpoint(signed=True)
def payment_failed(request: HttpRequest, payload: str, *, account: TelegramAccount, now: datetime):
    """Telegram's payment form closed with "failed": the attempt is failed and its booking ends as not paid.
    An attempt already paid, or closed, is left as it is; the answer is the booking as it stands."""
    found = None
    if PAYLOAD.fullmatch(payload):  # what payments.checkout makes; anything else is not looked up at all
        found = (Payment.objects.filter(invoice_payload=payload, purpose=Payment.Purpose.BOOKING)
                 .values_list("resource_type", "booking_id").first())
    if found is None:
        raise BookingError("not_found", _("This payment does not exist."))
    kind, booking_id = found
    own_booking(account, kind, booking_id)  # someone else's payment is not found either
    checkout.payment_failed(payload=payload, now=now)
    return JsonResponse({"booking": booking_json(kind, own_booking(account, kind, booking_id), now, account)})


@require_POST
@endpoint(signed=True)
def pay_from_wallet(request: HttpRequest, kind: str, booking_id: int, *, account: TelegramAccount,
                    now: datetime):
    """Pay the user's booking awaiting payment from its client's wallet; the booking moves on at once."""
    direct.pay_from_wallet(booking=own_booking(account, kind, booking_id), resource_type=kind,
                             actor=Actor.telegram(account), channel=Channel.WEBAPP, now=now)
    return JsonResponse({"booking": booking_json(kind, own_booking(account, kind, booking_id), now, account)})
