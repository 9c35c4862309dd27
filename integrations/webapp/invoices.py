"""The Bot API call the booking page makes itself: `createInvoiceLink` for a payment attempt, through the bot that
signed the page's initData (Telegram opens an invoice in a Mini App only when the Mini App's own bot made it).
The page then opens the link the Telegram way (`web_app_open_invoice` with the link's slug); the payment itself
reaches that bot's webhook (`pre_checkout_query`, `successful_payment`), never the page.

Synchronous and once: the client is waiting for the link, so a failure is answered at once (the page offers Pay
again) rather than retried by the delivery engine."""

from __future__ import annotations

import json
import logging

from django.conf import settings

from integrations.addresses import bot_token
from payments.checkout import Invoice

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


class InvoiceLinkError(Exception):
    """Telegram made no link (the bot is not configured, Telegram is unreachable or refused the invoice)."""


def invoice_fields(invoice: Invoice) -> dict[str, str]:
    """`createInvoiceLink`'s fields for `invoice`, as a form: the prices are LabeledPrice objects (label, amount
    in the currency's smallest units) adding up to the total."""
    prices = [{"label": label, "amount": amount} for label, amount in invoice.prices]
    return {"title": invoice.title, "description": invoice.description, "payload": invoice.payload,
            "provider_token": settings.PAYMENT_PROVIDER_TOKEN, "currency": invoice.currency,
            "prices": json.dumps(prices, ensure_ascii=False)}


def invoice_link_create(*, bot: str, invoice: Invoice) -> str:
    """The link (https://t.me/$<slug>) Telegram made for `invoice` through `bot`."""
    import httpx  # imported on the first payment: most processes never make a link

    token = bot_token(bot)
    if not token:
        raise InvoiceLinkError("bot is not configured")
    try:
        response = httpx.post(f"{settings.TELEGRAM_API_URL}/bot{token}/createInvoiceLink",
                              data=invoice_fields(invoice), timeout=TIMEOUT_SECONDS)
        answer = response.json()
    except (httpx.HTTPError, OSError, ValueError) as exc:
        logger.warning("mini app: createInvoiceLink for payment %s failed: %s", invoice.payment.pk,
                       exc.__class__.__name__)
        raise InvoiceLinkError(exc.__class__.__name__) from exc
    link = answer.get("result") if isinstance(answer, dict) and answer.get("ok") else None
    if not isinstance(link, str) or not link.startswith("https://"):
        description = str(answer.get("description") if isinstance(answer, dict) else "")[:200]
        logger.warning("mini app: createInvoiceLink for payment %s refused (HTTP %s): %s", invoice.payment.pk,
                       response.status_code, description)
        raise InvoiceLinkError(description or f"HTTP {response.status_code}")
    return link
