"""Money: the clinic's currency, the daily discount quota, and payments through Telegram (prepayment holds and
the refund policy)."""

from __future__ import annotations

from typing import Any

import environ


def money_settings(env: environ.Env) -> dict[str, Any]:
    return {
        "CURRENCY": env.str("CURRENCY", default="RUB"),  # the ISO 4217 code of the clinic's prices
        # Discounted bookings a clinic day may have; 0 = no limit (a manager or the catalogue may set it).
        "DISCOUNT_DAILY_QUOTA": env.int("DISCOUNT_DAILY_QUOTA", default=0),
        # Telegram Payments' provider token (from @BotFather, Payments). Without it no booking waits for
        # payment: clients pay at the clinic, as before.
        "PAYMENT_PROVIDER_TOKEN": env.str("PAYMENT_PROVIDER_TOKEN", default="").strip(),
        # How long a booking awaiting payment holds its place (and its discount) before it ends as not paid.
        "PAYMENT_HOLD_MINUTES": max(1, env.int("PAYMENT_HOLD_MINUTES", default=15)),
        # A client cancelling at least this many hours before the start gets the paid amount back to the
        # wallet; later, nothing. A manager's cancellation or rejection always refunds in full.
        "REFUND_FULL_HOURS_BEFORE": max(0, env.int("REFUND_FULL_HOURS_BEFORE", default=24)),
    }
