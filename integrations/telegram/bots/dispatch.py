"""The verb tables both bots share, and how a bot is composed from them and its resource's own. Every command,
menu button, callback verb and dialog step a bot understands is a key here or in its resource's module
(`equipment.py`, `cabinets.py`); `flow.Flow` only looks keys up."""

from __future__ import annotations

from integrations import texts
from integrations.telegram import waitlist
from integrations.telegram.bots import (
    attendance,
    calendar_link,
    cards,
    commands,
    freetext,
    managers,
    my_bookings,
    paying,
    wallet,
)
from integrations.telegram.bots.flow import Flow
from integrations.telegram.bots.steps import client

COMMANDS = {
    "start": commands.cmd_start, "book": commands.cmd_book, "my_bookings": my_bookings.cmd_my_bookings,
    "help": commands.cmd_help, "cancel": commands.cmd_cancel, "reminders": commands.cmd_reminders,
    "contacts": commands.cmd_contacts, "cancel_booking": cards.cmd_cancel_booking, "wallet": wallet.cmd_wallet,
    "pending": managers.cmd_pending, "today": managers.cmd_today, "tomorrow": managers.cmd_tomorrow,
    "block": managers.cmd_block, "unblock": managers.cmd_unblock,
}

# The reply keyboard's buttons, by their (lazy) label.
MENU = {
    texts.BOOK: commands.cmd_book, texts.MY_BOOKINGS: my_bookings.cmd_my_bookings, texts.HELP: commands.cmd_help,
    texts.REMINDERS: commands.cmd_reminders, texts.CONTACTS: commands.cmd_contacts,
    texts.PENDING: managers.cmd_pending, texts.TODAY: managers.cmd_today, texts.TOMORROW: managers.cmd_tomorrow,
}

# `<prefix>:<verb>:<id>`: buttons that stand on their own (cards, notifications, reminders, lists).
BUTTONS = {
    "open": cards.btn_open, "cancel": cards.btn_cancel, "cxy": cards.btn_cancel_confirmed,
    "ap": managers.btn_approve, "rj": managers.btn_reject, "rjn": managers.btn_reject_without_reason,
    "come": attendance.btn_will_come, "ns": attendance.btn_no_show, "caln": calendar_link.btn_new_calendar_link,
    **waitlist.BUTTONS, **paying.BUTTONS,
}

# Steps every dialog shares: the client's name and phone, Confirm, a manager's reason for a rejection, and the
# questions and card of a request written in free text.
STEPS = {**client.STEPS, **managers.STEPS, **freetext.STEPS}

# A message typed outside a dialog step: a booking request in free text.
FREE_TEXT = freetext.on_text


def compose(*, bot: str, prefix: str, resource, first_step: str, steps: dict, commands: dict | None = None,
            menu: dict | None = None, buttons: dict | None = None) -> Flow:
    """A bot: the shared tables with the resource's own added (a resource adds verbs, it never replaces one)."""
    for own, shared in ((steps, STEPS), (commands or {}, COMMANDS), (buttons or {}, BUTTONS)):
        clash = set(own) & set(shared)
        if clash:
            raise ValueError(f"{bot}: {sorted(clash)} are already shared verbs")
    return Flow(bot=bot, prefix=prefix, resource=resource, first_step=first_step, steps={**steps, **STEPS},
                commands={**COMMANDS, **(commands or {})}, menu={**MENU, **(menu or {})},
                buttons={**BUTTONS, **(buttons or {})}, free_text=FREE_TEXT,
                pre_checkout=paying.on_pre_checkout, paid=paying.on_successful_payment)
