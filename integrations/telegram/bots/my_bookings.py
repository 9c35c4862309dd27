""""My bookings" in both bots: the wallet's balance while it holds money and the packages with sessions left,
the user's bookings (upcoming and the last 14 days) with their stored prices, Open and Cancel, the private
calendar link, then the waits."""

from __future__ import annotations

from django.utils.translation import gettext as _

from integrations.telegram import waitlist
from integrations.telegram.bots.calendar_link import offer_calendar
from integrations.telegram.bots.cards import booking_markup
from integrations.telegram.bots.wallet import package_lines, wallet_lines
from integrations.telegram.conversation import Turn


def cmd_my_bookings(flow, turn: Turn, args: str) -> None:
    bookings = flow.resource.my_bookings(turn)
    if not bookings:
        header = _("You have no bookings yet (upcoming or in the last 14 days).")
    else:
        header = _("📊 Your bookings (upcoming and the last 14 days):")
    wallet = wallet_lines(turn.account) + package_lines(turn.account, now=turn.now)
    turn.say(header + "\n\n" + "\n".join(wallet) if wallet else header, flow.menu(turn))
    shown = bookings[:10]
    prices = flow.resource.prices(shown)  # each card's stored price, read at once
    for booking in shown:
        turn.say(flow.resource.card(booking, prices=prices), booking_markup(flow, booking, turn))
    offer_calendar(flow, turn)
    waitlist.say_waits(flow, turn)
