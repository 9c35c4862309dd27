"""A bot is one resource's adapter plus tables (`dispatch.py`): which function answers which command, menu
button, callback verb (`<eq|cab>:<verb>:<id>`) and dialog step (`w:<verb>:<value>`, or a typed message).
Nothing here builds a method name from a string: every verb a bot understands is a key of one of the tables.

Handlers are plain functions that take the flow first: commands and menu buttons `(flow, turn, args)`,
callback verbs `(flow, turn, id)`, a step's buttons `(flow, turn, value)`, its typed text `(flow, turn, text)`
and its screen `(flow, turn, new=False)`. The resource's own behaviour (what it loads, shows, creates and
cancels) is the adapter's, reached as `flow.resource`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from integrations import texts
from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from kernel.contacts import format_phone


@dataclass(frozen=True)
class Step:
    """One step of the booking dialog: its screen, the buttons it accepts and what a typed message means
    there (None: only buttons)."""

    show: Callable[..., None] | None = None  # None: a state with no screen of its own (the reject reason)
    picks: dict[str, Callable[[Any, Turn, str], None]] = field(default_factory=dict)
    text: Callable[[Any, Turn, str], None] | None = None


def birthday_of(data: dict) -> date | None:
    """The birthday the dialog was given for the phone it holds now (None: not asked, skipped, or given for
    another phone)."""
    if data.get("birthday") and data.get("birthday_phone") == data.get("phone"):
        return date.fromisoformat(data["birthday"])
    return None


def in_every_language(lazy_text) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(lazy_text))
    return labels


class Flow:
    """One bot: `resource` is the adapter of what it books; the tables are composed by `dispatch.compose` from
    the shared ones and the resource's own."""

    def __init__(self, *, bot: str, prefix: str, resource, first_step: str, steps: dict[str, Step],
                 commands: dict[str, Callable], menu: dict[Any, Callable], buttons: dict[str, Callable],
                 free_text: Callable[[Any, Turn, str], None] | None = None,
                 pre_checkout: Callable[[Any, Turn], None] | None = None,
                 paid: Callable[[Any, Turn], None] | None = None):
        self.bot, self.prefix, self.resource, self.first_step = bot, prefix, resource, first_step
        self.steps = steps
        self._commands, self._buttons = commands, buttons
        self._menu = menu
        self._free_text = free_text  # a typed message outside a step (None: the menu's hint)
        # Telegram Payments' updates: a pre-checkout query and a message's successful payment.
        self._pre_checkout, self._paid = pre_checkout, paid

    def commands(self) -> dict[str, Callable]:
        return self._commands

    def buttons(self) -> dict[str, Callable]:
        return self._buttons

    def menu_labels(self) -> dict[str, Callable]:
        """Menu buttons in every language the bots speak: a keyboard sent in one language keeps working when
        the user's language changes."""
        return {label: action for lazy, action in self._menu.items() for label in in_every_language(lazy)}

    def menu(self, turn: Turn):
        return kb.main_menu(bot=self.bot, is_manager=turn.account.is_manager)

    def refuse_non_manager(self, turn: Turn) -> bool:
        if turn.account.is_manager:
            return False
        turn.notice(_("Sorry, only managers can do this."))
        if not turn.incoming.is_callback:
            turn.say(_("Sorry, only managers can do this."), self.menu(turn))
        return True

    # --- Entry ------------------------------------------------------------------------------------

    def handle(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.is_pre_checkout:
            if self._pre_checkout is not None:
                self._pre_checkout(self, turn)
        elif incoming.payment is not None:
            if self._paid is not None:
                self._paid(self, turn)
        elif incoming.is_callback:
            self.on_callback(turn, incoming.callback_data or "")
        elif incoming.contact_phone is not None:
            if turn.dialog.state == "phone":
                self.steps["phone"].text(self, turn, incoming.contact_phone)
            else:
                turn.say(_("I did not ask for a phone number now. Use the menu below."), self.menu(turn))
        else:
            self.on_text(turn, (incoming.text or "").strip())

    def on_text(self, turn: Turn, text: str) -> None:
        state = turn.dialog.state
        if text.startswith("/"):
            name, _sep, args = text[1:].partition(" ")
            command = self._commands.get(name.split("@")[0].lower())
            if command is None:
                turn.say(_("Unknown command. Use the menu below or /help."), self.menu(turn))
            else:
                command(self, turn, args.strip())
            return
        by_label = self.menu_labels().get(text)
        step = self.steps.get(state)
        if by_label is not None:
            by_label(self, turn, "")
        elif text in in_every_language(texts.BACK) | in_every_language(texts.CANCEL) and state:
            self.wizard_back(turn) if text in in_every_language(texts.BACK) else self.wizard_cancel(turn)
        elif step is not None and step.text is not None:
            step.text(self, turn, text)
        elif state:
            turn.say(_("Please choose with the buttons above, or press Back or Cancel."))
        elif self._free_text is not None and text:
            self._free_text(self, turn, text)
        elif turn.dialog.expired:
            self.say_expired(turn)
        else:
            turn.say(_("I did not understand that. Use the menu below."), self.menu(turn))

    def say_expired(self, turn: Turn) -> None:
        turn.say(_("Your previous dialog expired after 30 minutes of silence. Please start again."), self.menu(turn))

    # --- Buttons ----------------------------------------------------------------------------------

    def on_callback(self, turn: Turn, data: str) -> None:
        if data == kb.NOOP:
            return
        parts = data.split(":")
        if parts[0] == "w":
            self.on_wizard_button(turn, parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "")
            return
        if parts[0] == self.prefix and len(parts) == 3 and parts[2].isdigit():
            handler = self._buttons.get(parts[1])
            if handler is not None:
                handler(self, turn, int(parts[2]))
                return
        turn.notice(_("This button is out of date."))

    def on_wizard_button(self, turn: Turn, verb: str, value: str) -> None:
        dialog = turn.dialog
        if not dialog.state:
            if dialog.expired:
                turn.notice(_("This dialog has expired."))
                self.say_expired(turn)
            else:
                turn.notice(_("This button is out of date."))
                turn.say(_("That button belongs to a finished dialog. Press Book to start a new one."),
                         self.menu(turn))
            return
        if not turn.on_current_screen:
            turn.notice(_("This button is out of date."))
            turn.say(_("That button is from an earlier message. Please use the latest message, or press Cancel."))
            return
        if verb == "back":
            self.wizard_back(turn)
        elif verb == "cancel":
            self.wizard_cancel(turn)
        else:
            self.wizard_button(turn, verb, value)

    # --- The wizard -------------------------------------------------------------------------------

    def enter(self, turn: Turn, step: str, *, new: bool = False) -> None:
        if step != self.first_step and self.resource.chosen_is_gone(turn):
            self.start_over(turn, new=new)
            return
        if not self.resource.before_step(self, turn, step):
            return
        trail = turn.dialog.data.setdefault("trail", [])
        if not trail or trail[-1] != step:
            trail.append(step)
        turn.dialog.state = step
        self.steps[step].show(self, turn, new=new)

    def show_current(self, turn: Turn, *, new: bool = False) -> None:
        """Show the current step again (another month, another page)."""
        self.steps[turn.dialog.state].show(self, turn, new=new)

    def begin(self, turn: Turn) -> None:
        self.enter(turn, self.first_step, new=True)

    def wizard_back(self, turn: Turn) -> None:
        trail = turn.dialog.data.get("trail", [])
        if turn.dialog.state == "reject" or len(trail) <= 1:
            self.wizard_cancel(turn)
            return
        trail.pop()
        self.enter(turn, trail[-1], new=turn.dialog.state == "phone" or not turn.on_current_screen)

    def wizard_cancel(self, turn: Turn) -> None:
        self.resource.release(turn)
        turn.strip()
        turn.dialog.reset()
        turn.say(_("Cancelled. Nothing was booked."), self.menu(turn))

    def wizard_button(self, turn: Turn, verb: str, value: str) -> None:
        step = self.steps.get(turn.dialog.state)
        handler = step.picks.get(verb) if step is not None else None
        if handler is None:
            turn.notice(_("This button is out of date."))
            return
        if turn.dialog.state != self.first_step and self.resource.chosen_is_gone(turn):
            self.start_over(turn)
            return
        handler(self, turn, value)

    def start_over(self, turn: Turn, *, new: bool = False) -> None:
        """Back to the first step, saying why: what was chosen there can no longer be booked."""
        self.resource.release(turn)
        turn.notice(self.resource.gone_text())
        turn.say(self.resource.gone_text())
        turn.dialog.data = {}
        self.enter(turn, self.first_step, new=True)

    def summary(self, turn: Turn) -> str:
        data = turn.dialog.data
        lines = self.resource.summary_lines(turn)
        if data.get("name"):
            lines.append("👤 " + data["name"])
        if data.get("phone"):
            lines.append("📱 " + format_phone(data["phone"]))
        birthday = birthday_of(data)
        if birthday is not None:
            lines.append("🎂 " + date_format(birthday, "d.m.Y"))
        return "\n".join(lines)
