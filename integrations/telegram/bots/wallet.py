"""The client's wallet in both bots: /wallet, and a line under "My bookings" while it holds money. The
balance is the wallet service's (payments/wallets.py); a Telegram account sees the wallets of the clients it
books as."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from integrations.telegram.conversation import Turn
from kernel.pricing.labels import money_text
from payments.wallets import account_wallets


def wallet_lines(account, *, even_empty: bool = False) -> list[str]:
    """"💰 Wallet: 1 500 ₽", or one line per client when the account books for several who hold money."""
    holding = [wallet for wallet in account_wallets(account) if wallet.balance]
    if len(holding) > 1:
        return [_("💰 Wallets:")] + [f"• {w.client.name}: {money_text(w.balance)}" for w in holding]
    if holding or even_empty:
        balance = holding[0].balance if holding else Decimal(0)
        return [_("💰 Wallet: %(amount)s") % {"amount": money_text(balance)}]
    return []


def cmd_wallet(flow, turn: Turn, args: str) -> None:
    lines = wallet_lines(turn.account, even_empty=True)
    lines.append(_("A manager tops the wallet up when you pay at the clinic."))
    turn.say("\n".join(lines), flow.menu(turn))
