"""The client's wallet in both bots: /wallet, and a line under "My bookings" while it holds money, with a line
per prepaid package that has sessions left. The balance is the wallet service's (payments/wallets.py), the
sessions left the package service's (payments/packages.py); a Telegram account sees those of the clients it
books as."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from integrations.telegram.conversation import Turn
from kernel.pricing.labels import money_text
from payments.packages import account_packages
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


def package_lines(account, *, now: datetime) -> list[str]:
    """"🎫 Package «УЗИ»: 3 of 5 sessions left, valid until 24.12.2026", one per package with a session left (with
    the client's name when the account books for several)."""
    states = account_packages(account, now=now)
    several = len({state.package.client_id for state in states}) > 1
    lines = []
    for state in states:
        line = _("🎫 Package «%(service)s»: %(remaining)s of %(sessions)s sessions left, valid until %(day)s") % {
            "service": state.package.service.name, "remaining": state.remaining, "sessions": state.package.sessions,
            "day": f"{state.package.valid_until:%d.%m.%Y}"}
        lines.append(f"{line} ({state.package.client.name})" if several else line)
    return lines


def cmd_wallet(flow, turn: Turn, args: str) -> None:
    """The balance; with Telegram Payments on, buttons to top the wallet up and to buy a package."""
    from integrations.telegram import keyboards as kb
    from integrations.telegram.bots.paying import package_rows, topup_rows

    lines = wallet_lines(turn.account, even_empty=True)
    lines.append(_("A manager tops the wallet up when you pay at the clinic."))
    rows = topup_rows(flow, turn)
    if rows:
        lines.append(_("Or top it up here, by card:"))
    turn.say("\n".join(lines), flow.menu(turn))
    if rows:
        turn.say(_("💳 Top up the wallet:"), kb.inline(rows))
    packages = package_rows(flow, turn)
    if packages:
        turn.say(_("🎫 Packages on sale:"), kb.inline(packages))
