"""The simple commands both bots answer: /start, /help, /contacts, /cancel, /reminders and /book."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.services import telegram_account_set_reminders
from integrations import texts
from integrations.telegram.conversation import Turn
from kernel.errors import BookingError
from kernel.lifecycle import check_requester


def cmd_book(flow, turn: Turn, args: str) -> None:
    try:
        check_requester(actor=turn.actor, holding_count=lambda: 0)
    except BookingError as exc:
        turn.dialog.reset()
        turn.say(exc.message, flow.menu(turn))
        return
    flow.resource.release(turn)
    turn.dialog.reset()
    flow.begin(turn)


def cmd_start(flow, turn: Turn, args: str) -> None:
    flow.resource.release(turn)
    turn.dialog.reset()
    turn.say(texts.greeting(turn.account.is_manager), flow.menu(turn))


def cmd_help(flow, turn: Turn, args: str) -> None:
    turn.say(texts.help_text(flow.bot, turn.account.is_manager), flow.menu(turn))


def cmd_contacts(flow, turn: Turn, args: str) -> None:
    turn.say(texts.contacts_text(), flow.menu(turn))


def cmd_cancel(flow, turn: Turn, args: str) -> None:
    if turn.dialog.state:
        flow.wizard_cancel(turn)
    else:
        turn.say(_("There is nothing to cancel."), flow.menu(turn))


def cmd_reminders(flow, turn: Turn, args: str) -> None:
    account = telegram_account_set_reminders(account=turn.account, enabled=not turn.account.reminders_enabled)
    if account.reminders_enabled:
        turn.say(_("🔔 Reminders are on: you will get a message before each booking."), flow.menu(turn))
    else:
        turn.say(_("🔕 Reminders are off. Press Reminders again to turn them back on."), flow.menu(turn))
