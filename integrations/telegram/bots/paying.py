"""Telegram Payments in both bots. A client's booking that waits for its payment (kernel.prepayment) is shown
with the time it holds its place until and the refund policy, then its invoice (`sendInvoice`, the lines of its
stored price); the client may pay from the wallet instead when it holds enough, or cancel. Telegram's
`pre_checkout_query` is answered from payments.checkout.pre_checkout and a message's `successful_payment`
recorded by payments.checkout.payment_received, whose outcome the client is told here, in the dialog: this
reply is the one place a paying client hears of the payment (the outbox's `booking.paid` goes to the managers).
The wallet is topped up and packages are bought through invoices too.

Buttons (`<prefix>:<verb>:<id>`): `pay` a fresh invoice for a booking, `payw` pay it from the wallet, `tu1`,
`tu3`, `tu5` top a client's wallet up by 1 000, 3 000 or 5 000, `pkg` buy a package (its product's id)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Client
from cabinets.models import CabinetBooking
from integrations import texts
from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from kernel.adapters import adapter_for
from kernel.bookings import Status
from kernel.channels import Channel
from kernel.errors import BookingError
from kernel.prepayment import payment_due_by, payments_enabled
from kernel.pricing.labels import money_text
from payments.checkout import Invoice, invoice_open, payment_received, pre_checkout
from payments.direct import pay_from_wallet, wallet_covers
from payments.invoices import package_invoice_open, topup_invoice_open
from payments.models import ClientPackage, PackageProduct, Payment
from payments.refunds import refund_policy
from payments.wallets import account_wallets, wallet_balance

logger = logging.getLogger(__name__)

PAY = gettext_lazy("💳 Pay")
PAY_FROM_WALLET = gettext_lazy("👛 Pay from wallet")
TOPUP_AMOUNTS = {"tu1": Decimal("1000.00"), "tu3": Decimal("3000.00"), "tu5": Decimal("5000.00")}


def resource_type_of(booking) -> str:
    """What a booking's payments name it as (an appointment is a cabinet booking)."""
    return "cabinet" if isinstance(booking, CabinetBooking) else "equipment"


def awaits_payment(booking) -> bool:
    return booking is not None and booking.status == Status.AWAITING_PAYMENT


def _own(booking, turn: Turn) -> bool:
    return booking is not None and booking.requester_id == turn.account.pk


def _what(booking) -> str:
    """The booking in one line, as the invoice describes it."""
    kind = resource_type_of(booking)
    title = texts.booking_title(kind, booking)
    if kind == "cabinet" and getattr(booking, "service_id", None):
        title = f"{booking.service.name} · {title}"
    return f"{title}, {texts.booking_when(kind, booking)}"


def _balance(booking) -> Decimal:
    return wallet_balance(booking.client) if booking.client_id else Decimal("0.00")


def awaiting_text(booking, turn: Turn) -> str:
    """"💳 Booking E-5 waits for payment until 10:15…" with the refund policy."""
    starts_at = adapter_for(resource_type_of(booking)).booking_starts_at(booking)
    policy = refund_policy(starts_at, now=turn.now)
    return "\n".join([
        _("💳 Booking %(ref)s waits for payment until %(time)s. If it is not paid by then, it is cancelled.") % {
            "ref": booking.reference, "time": texts.hhmm(payment_due_by(booking))},
        _("Cancel at least %(hours)s hours before the start to get the money back to your wallet.") % {
            "hours": policy["hours"]},
    ])


def awaiting_markup(flow, booking, *, pay: bool, wallet: bool):
    """Pay (a fresh invoice), Pay from wallet when the balance covers the total, and Cancel."""
    rows = []
    if pay:
        rows.append([kb.button(PAY, f"{flow.prefix}:pay:{booking.pk}")])
    if wallet:
        rows.append([kb.button(PAY_FROM_WALLET, f"{flow.prefix}:payw:{booking.pk}")])
    rows.append([kb.button(texts.OPEN, f"{flow.prefix}:open:{booking.pk}"),
                 kb.button(texts.CANCEL, f"{flow.prefix}:cancel:{booking.pk}")])
    return kb.inline(rows)


def my_booking_markup(flow, booking, turn: Turn):
    """The buttons of an awaiting booking in My bookings (None for any other booking)."""
    if not awaits_payment(booking) or not _own(booking, turn) or not payments_enabled():
        return None
    from kernel.pricing.services import booking_price

    price = booking_price(resource_type=resource_type_of(booking), booking_id=booking.pk)
    return awaiting_markup(flow, booking, pay=True, wallet=price is not None and wallet_covers(booking, price.total))


def _send_invoice(turn: Turn, invoice: Invoice) -> None:
    turn.invoice(title=invoice.title, description=invoice.description, payload=invoice.payload,
                 currency=invoice.currency, prices=list(invoice.prices))


def offer_payment(flow, turn: Turn, booking, *, headline: str = "") -> None:
    """The card of a booking awaiting payment (until when, the refund policy, Pay from wallet and Cancel), then
    its invoice."""
    try:
        invoice = invoice_open(booking=booking, resource_type=resource_type_of(booking), what=_what(booking),
                               now=turn.now, actor=turn.actor, telegram_id=turn.account.telegram_id)
    except BookingError as refusal:
        turn.say(refusal.message, flow.menu(turn))
        return
    parts = [headline] if headline else []
    parts += [awaiting_text(booking, turn), flow.resource.card(booking)]
    wallet = wallet_covers(booking, invoice.payment.amount)
    turn.say("\n\n".join(parts), awaiting_markup(flow, booking, pay=False, wallet=wallet))
    _send_invoice(turn, invoice)


def btn_pay(flow, turn: Turn, booking_id: int) -> None:
    """A fresh invoice for a booking still awaiting payment (an earlier one may have been closed)."""
    booking = flow.resource.load(booking_id)
    if not _own(booking, turn):
        turn.notice(_("Booking not found."))
        return
    if not awaits_payment(booking):
        turn.notice(_("Nothing to pay."))
        turn.say(_("Booking %(ref)s does not wait for a payment.") % {"ref": booking.reference} + "\n\n"
                 + flow.resource.card(booking))
        return
    offer_payment(flow, turn, booking)


def btn_pay_from_wallet(flow, turn: Turn, booking_id: int) -> None:
    booking = flow.resource.load(booking_id)
    if not _own(booking, turn):
        turn.notice(_("Booking not found."))
        return
    try:
        pay_from_wallet(booking=booking, resource_type=resource_type_of(booking), actor=turn.actor,
                        channel=Channel.BOT, now=turn.now)
    except BookingError as refusal:
        turn.notice(_("Not paid."))
        turn.say(refusal.message)
        return
    booking = flow.resource.load(booking_id)
    turn.notice(_("Paid."))
    paid = _("✅ Paid from your wallet. Balance: %(amount)s") % {"amount": money_text(_balance(booking))}
    turn.say("\n\n".join([paid, _booked(booking), flow.resource.card(booking)]), flow.menu(turn))


def _booked(booking) -> str:
    from integrations.telegram.bots.steps.client import booked_text

    return booked_text(booking)


# --- Telegram's updates -------------------------------------------------------------------------------------

def on_pre_checkout(flow, turn: Turn) -> None:
    """Whether the payment may go ahead: ok, or refused with the reason in the user's language."""
    fields = turn.incoming.payment or {}
    refusal = pre_checkout(payload=fields.get("payload", ""), currency=fields.get("currency", ""),
                           total_amount=int(fields.get("total_amount") or 0), now=turn.now)
    turn.answer_pre_checkout(refusal is None, refusal or "")


def on_successful_payment(flow, turn: Turn) -> None:
    fields = turn.incoming.payment or {}
    received = payment_received(
        payload=fields.get("payload", ""), currency=fields.get("currency", ""),
        total_amount=int(fields.get("total_amount") or 0), telegram_charge_id=fields["telegram_payment_charge_id"],
        provider_charge_id=fields.get("provider_payment_charge_id", ""), now=turn.now, channel=Channel.BOT,
        telegram_id=turn.account.telegram_id)
    payment = received.payment
    if received.outcome == "unknown" or payment is None:
        turn.say(_("We received your payment but could not match it to an invoice. A manager will contact you."),
                 flow.menu(turn))
        return
    if received.outcome == "repeat":
        turn.say(_("This payment is already recorded."), flow.menu(turn))
        return
    balance = money_text(wallet_balance(Client.objects.get(pk=payment.client_id)))
    if received.outcome == "late":
        turn.say(_("⌛ The time to pay for booking %(ref)s had ended, so the money (%(amount)s) is in your wallet. "
                   "Balance: %(balance)s") % {"ref": payment.booking_reference, "amount": money_text(payment.amount),
                                              "balance": balance}, flow.menu(turn))
        return
    if payment.purpose == Payment.Purpose.TOPUP:
        turn.say(_("💰 Your wallet is topped up by %(amount)s. Balance: %(balance)s") % {
            "amount": money_text(payment.amount), "balance": balance}, flow.menu(turn))
        return
    if payment.purpose == Payment.Purpose.PACKAGE:
        package = ClientPackage.objects.filter(client_id=payment.client_id, product_id=payment.product_id,
                                               idempotency_key=f"payment:{payment.pk}").first()
        text = _("🎫 Package «%(service)s» is yours: %(sessions)s sessions") % {
            "service": payment.product.service.name, "sessions": payment.product.sessions}
        if package is not None:
            text += ", " + _("valid until %(day)s") % {"day": f"{package.valid_until:%d.%m.%Y}"}
        turn.say(text, flow.menu(turn))
        return
    booking = flow.resource.load(payment.booking_id) if payment.resource_type == flow_resource_type(flow) else None
    lines = [_("✅ Payment received.")]
    if booking is not None:
        lines += [_booked(booking), flow.resource.card(booking)]
    turn.say("\n\n".join(lines), flow.menu(turn))


def flow_resource_type(flow) -> str:
    return "equipment" if flow.bot == "equipment" else "cabinet"


# --- The wallet and packages --------------------------------------------------------------------------------

def topup_rows(flow, turn: Turn) -> list[list]:
    """Top-up buttons per client the account books as (none while payments are off or there is no client)."""
    if not payments_enabled() or turn.account.is_manager:
        return []
    wallets = account_wallets(turn.account)
    rows = []
    for wallet in wallets:
        prefix = f"{wallet.client.name[:20]}: " if len(wallets) > 1 else ""
        rows.append([kb.button(prefix + "+" + money_text(amount), f"{flow.prefix}:{verb}:{wallet.client.pk}")
                     for verb, amount in TOPUP_AMOUNTS.items()])
    return rows


def _on_sale():
    """The packages a client may buy: active products of services still offered."""
    return PackageProduct.objects.filter(is_active=True, service__is_active=True).select_related("service")


def package_rows(flow, turn: Turn) -> list[list]:
    """A button per package on sale (for the account's only client)."""
    if not payments_enabled() or turn.account.is_manager or len(account_wallets(turn.account)) != 1:
        return []
    products = _on_sale()
    return [[kb.button(_("🎫 Buy %(package)s for %(price)s") % {"package": str(product)[:30],
                                                              "price": money_text(product.price)},
                       f"{flow.prefix}:pkg:{product.pk}")] for product in products[:10]]


def _own_client(turn: Turn, client_id: int) -> Client | None:
    return Client.objects.filter(pk=client_id, telegram_account=turn.account).first()


def _topup(amount: Decimal):
    def btn_topup(flow, turn: Turn, client_id: int) -> None:
        client = _own_client(turn, client_id)
        if client is None or turn.account.is_manager:
            turn.notice(_("This button is out of date."))
            return
        try:
            invoice = topup_invoice_open(client=client, amount=amount, actor=turn.actor, now=turn.now,
                                         telegram_id=turn.account.telegram_id)
        except BookingError as refusal:
            turn.say(refusal.message)
            return
        _send_invoice(turn, invoice)

    return btn_topup


def btn_buy_package(flow, turn: Turn, product_id: int) -> None:
    wallets = account_wallets(turn.account)
    product = _on_sale().filter(pk=product_id).first()
    if product is None or len(wallets) != 1 or turn.account.is_manager:
        turn.notice(_("This package is not on sale."))
        return
    try:
        invoice = package_invoice_open(product=product, client=wallets[0].client, actor=turn.actor, now=turn.now,
                                       telegram_id=turn.account.telegram_id)
    except BookingError as refusal:
        turn.say(refusal.message)
        return
    _send_invoice(turn, invoice)


BUTTONS = {"pay": btn_pay, "payw": btn_pay_from_wallet, "pkg": btn_buy_package,
           **{verb: _topup(amount) for verb, amount in TOPUP_AMOUNTS.items()}}
