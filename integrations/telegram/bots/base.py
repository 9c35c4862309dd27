"""What both bots share: commands and the menu, Back and Cancel, stale and expired buttons, the client's
name and phone steps, booking cards with Open and Cancel, and the manager's decisions and lists."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from accounts.services import telegram_account_block, telegram_account_set_reminders, telegram_account_unblock
from booking_site.channels import Channel
from booking_site.contacts import clean_client_name, format_phone, normalize_phone
from booking_site.errors import BookingError
from booking_site.lifecycle import check_requester
from integrations import texts
from integrations.prefill import last_client
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.attendance import Attendance
from integrations.telegram.bots.calendar_link import CalendarLinks
from integrations.telegram.conversation import Turn
from integrations.texts import local

logger = logging.getLogger(__name__)
REFERENCE = re.compile(r"#?(?:([A-Za-z])-)?(\d{1,10})")  # "C-12", "#12", "12"



def _in_every_language(lazy_text) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(lazy_text))
    return labels

class BaseFlow(CalendarLinks, Attendance):
    bot = ""
    prefix = ""
    steps: tuple[str, ...] = ()  # the wizard's steps in order
    text_steps = frozenset({"name", "phone"})

    # --- Entry ------------------------------------------------------------------------------------

    def handle(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.is_callback:
            self.on_callback(turn, incoming.callback_data or "")
        elif incoming.contact_phone is not None:
            if turn.dialog.state == "phone":
                self.step_phone_text(turn, incoming.contact_phone)
            else:
                turn.say(_("I did not ask for a phone number now. Use the menu below."), self.menu(turn))
        else:
            self.on_text(turn, (incoming.text or "").strip())

    def menu(self, turn: Turn):
        return kb.main_menu(bot=self.bot, is_manager=turn.account.is_manager)

    def commands(self) -> dict:
        return {
            "start": self.cmd_start, "book": self.cmd_book, "my_bookings": self.cmd_my_bookings,
            "help": self.cmd_help, "cancel": self.cmd_cancel, "reminders": self.cmd_reminders,
            "contacts": self.cmd_contacts, "cancel_booking": self.cmd_cancel_booking,
            "pending": self.cmd_pending, "today": self.cmd_today, "tomorrow": self.cmd_tomorrow,
            "block": self.cmd_block, "unblock": self.cmd_unblock,
        }

    def menu_labels(self) -> dict:
        """Menu buttons in every language the bots speak: a keyboard sent in one language keeps working when
        the user's language changes."""
        actions = {
            texts.BOOK: self.cmd_book, texts.MY_BOOKINGS: self.cmd_my_bookings, texts.HELP: self.cmd_help,
            texts.REMINDERS: self.cmd_reminders, texts.CONTACTS: self.cmd_contacts, texts.PENDING: self.cmd_pending,
            texts.TODAY: self.cmd_today, texts.TOMORROW: self.cmd_tomorrow,
        }
        return {label: action for lazy, action in actions.items() for label in _in_every_language(lazy)}

    def on_text(self, turn: Turn, text: str) -> None:
        if text.startswith("/"):
            name, _sep, args = text[1:].partition(" ")
            command = self.commands().get(name.split("@")[0].lower())
            if command is None:
                turn.say(_("Unknown command. Use the menu below or /help."), self.menu(turn))
            else:
                command(turn, args.strip())
            return
        by_label = self.menu_labels().get(text)
        if by_label is not None:
            by_label(turn, "")
        elif text in _in_every_language(texts.BACK) | _in_every_language(texts.CANCEL) and turn.dialog.state:
            self.wizard_back(turn) if text in _in_every_language(texts.BACK) else self.wizard_cancel(turn)
        elif turn.dialog.state == "reject":
            self.reject_with_reason(turn, text)
        elif turn.dialog.state in self.text_steps:
            getattr(self, f"step_{turn.dialog.state}_text")(turn, text)
        elif turn.dialog.state:
            turn.say(_("Please choose with the buttons above, or press Back or Cancel."))
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
            handler = self.buttons().get(parts[1])
            if handler is not None:
                handler(turn, int(parts[2]))
                return
        turn.notice(_("This button is out of date."))

    def buttons(self) -> dict:
        return {"open": self.btn_open, "cancel": self.btn_cancel, "cxy": self.btn_cancel_confirmed,
                "ap": self.btn_approve, "rj": self.btn_reject, "rjn": self.btn_reject_without_reason,
                "come": self.btn_will_come, "ns": self.btn_no_show, "caln": self.btn_new_calendar_link}

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
        elif verb == "lastname" and dialog.state == "name":
            self.use_last_name(turn)
        else:
            self.wizard_button(turn, verb, value)

    # --- The wizard -------------------------------------------------------------------------------

    first_step = ""

    def enter(self, turn: Turn, step: str, *, new: bool = False) -> None:
        if step != self.first_step and self.chosen_is_gone(turn):
            self.start_over(turn, new=new)
            return
        trail = turn.dialog.data.setdefault("trail", [])
        if not trail or trail[-1] != step:
            trail.append(step)
        turn.dialog.state = step
        getattr(self, f"show_{step}")(turn, new=new)

    def wizard_back(self, turn: Turn) -> None:
        trail = turn.dialog.data.get("trail", [])
        if turn.dialog.state == "reject" or len(trail) <= 1:
            self.wizard_cancel(turn)
            return
        trail.pop()
        self.enter(turn, trail[-1], new=turn.dialog.state == "phone" or not turn.on_current_screen)

    def wizard_cancel(self, turn: Turn) -> None:
        self.on_cancel(turn)
        turn.strip()
        turn.dialog.reset()
        turn.say(_("Cancelled. Nothing was booked."), self.menu(turn))

    def on_cancel(self, turn: Turn) -> None:
        """Release whatever the dialog holds (the cabinet bot's slot hold)."""

    def wizard_button(self, turn: Turn, verb: str, value: str) -> None:
        handler = getattr(self, f"pick_{verb}", None)
        if handler is None or verb not in self.accepts.get(turn.dialog.state, ()):
            turn.notice(_("This button is out of date."))
            return
        if turn.dialog.state != self.first_step and self.chosen_is_gone(turn):
            self.start_over(turn)
            return
        handler(turn, value)

    def chosen_is_gone(self, turn: Turn) -> bool:
        """The resource chosen at the first step has since been removed or deactivated."""
        return False

    def gone_text(self) -> str:
        return ""

    def start_over(self, turn: Turn, *, new: bool = False) -> None:
        """Back to the first step, saying why: what was chosen there can no longer be booked."""
        self.on_cancel(turn)
        turn.notice(self.gone_text())
        turn.say(self.gone_text())
        turn.dialog.data = {}
        self.enter(turn, self.first_step, new=True)

    accepts: dict[str, tuple[str, ...]] = {}

    def cmd_book(self, turn: Turn, args: str) -> None:
        try:
            check_requester(actor=turn.actor, holding_count=lambda: 0)
        except BookingError as exc:
            turn.dialog.reset()
            turn.say(exc.message, self.menu(turn))
            return
        self.on_cancel(turn)
        turn.dialog.reset()
        self.begin(turn)

    def begin(self, turn: Turn) -> None:
        raise NotImplementedError

    # Client name and phone: the core normalises and validates them.

    def show_name(self, turn: Turn, new: bool = False) -> None:
        prompt = _("Enter the client's full name:") if turn.account.is_manager else _("Enter your full name:")
        last = last_client(turn.account)
        rows = [kb.nav_row()]
        if last is not None:  # the name of their last booking, one tap away
            prompt = _("Enter your full name, or tap the one you gave last time:")
            rows.insert(0, [kb.button("👤 " + last.name[:60], "w:lastname")])
        turn.screen(self.summary(turn) + "\n\n" + prompt, kb.inline(rows), new=new)

    def use_last_name(self, turn: Turn) -> None:
        last = last_client(turn.account)
        if last is None:
            turn.notice(_("This button is out of date."))
            return
        self.step_name_text(turn, last.name)

    def step_name_text(self, turn: Turn, text: str) -> None:
        try:
            name = clean_client_name(text)
        except BookingError as exc:
            turn.say(exc.message)
            return
        turn.dialog.data["name"] = name
        self.enter(turn, "phone", new=True)

    def show_phone(self, turn: Turn, new: bool = False) -> None:
        if turn.account.is_manager:
            prompt = _("Enter the client's phone number, for example +7 999 123-45-67:")
        else:
            prompt = _("Enter your phone number (for example +7 999 123-45-67) or share it with the button below:")
        last = last_client(turn.account)
        if last is not None:  # the phone of their last booking, one tap away
            prompt = _("Tap the phone number you gave last time, share another with the button below, or type it "
                       "(for example +7 999 123-45-67):")
        turn.screen(prompt, kb.phone_request(last=format_phone(last.phone) if last else None), new=True)

    def step_phone_text(self, turn: Turn, text: str) -> None:
        try:
            phone = normalize_phone(text)
        except BookingError as exc:
            turn.say(exc.message)
            return
        turn.dialog.data["phone"] = phone
        self.enter(turn, "confirm", new=True)

    def show_confirm(self, turn: Turn, new: bool = False) -> None:
        text = _("Please check the request:") + "\n\n" + self.summary(turn)
        if turn.account.is_manager:
            text += "\n\n" + _("As a manager's booking it will be approved at once.")
        else:
            text += "\n\n" + _("A manager will confirm the request; you will get a message here.")
        turn.screen(text, kb.inline([[kb.button(texts.CONFIRM, "w:confirm")], kb.nav_row()]), new=new)

    def pick_confirm(self, turn: Turn, value: str) -> None:
        try:
            booking = self.create(turn)
        except BookingError as exc:
            self.on_refused(turn, exc)
            return
        turn.strip()
        turn.dialog.reset()
        if booking.status == "approved":
            text = _("✅ Booking %(ref)s is approved.") % {"ref": booking.reference}
        else:
            text = _("⏳ Your request %(ref)s is created. Please wait for a manager's confirmation.") % {
                "ref": booking.reference}
        turn.say(text + "\n\n" + self.card(booking), self.menu(turn))

    def on_refused(self, turn: Turn, exc: BookingError) -> None:
        turn.say(exc.message)

    def summary(self, turn: Turn) -> str:
        data = turn.dialog.data
        lines = self.summary_lines(turn)
        if data.get("name"):
            lines.append("👤 " + data["name"])
        if data.get("phone"):
            lines.append("📱 " + format_phone(data["phone"]))
        return "\n".join(lines)

    def summary_lines(self, turn: Turn) -> list[str]:
        return []

    def create(self, turn: Turn):
        raise NotImplementedError

    # --- Simple commands --------------------------------------------------------------------------

    def cmd_start(self, turn: Turn, args: str) -> None:
        self.on_cancel(turn)
        turn.dialog.reset()
        turn.say(texts.greeting(turn.account.is_manager), self.menu(turn))

    def cmd_help(self, turn: Turn, args: str) -> None:
        turn.say(texts.help_text(self.bot, turn.account.is_manager), self.menu(turn))

    def cmd_contacts(self, turn: Turn, args: str) -> None:
        turn.say(texts.contacts_text(), self.menu(turn))

    def cmd_cancel(self, turn: Turn, args: str) -> None:
        if turn.dialog.state:
            self.wizard_cancel(turn)
        else:
            turn.say(_("There is nothing to cancel."), self.menu(turn))

    def cmd_reminders(self, turn: Turn, args: str) -> None:
        account = telegram_account_set_reminders(account=turn.account,
                                                 enabled=not turn.account.reminders_enabled)
        if account.reminders_enabled:
            turn.say(_("🔔 Reminders are on: you will get a message before each booking."), self.menu(turn))
        else:
            turn.say(_("🔕 Reminders are off. Press Reminders again to turn them back on."), self.menu(turn))

    # --- Bookings: cards, Open, Cancel --------------------------------------------------------------

    def load(self, booking_id: int):
        raise NotImplementedError

    def card(self, booking, *, for_manager: bool = False) -> str:
        raise NotImplementedError

    rules = None  # the resource's rules module: `booking_starts_at` and `can_cancel`

    def starts_at(self, booking):
        return self.rules.booking_starts_at(booking)

    def has_started(self, booking, turn: Turn) -> bool:
        return self.starts_at(booking) <= turn.now

    def booking_markup(self, booking, turn: Turn):
        """The buttons under a booking's card: Open, and Cancel while it can be cancelled."""
        return kb.booking_actions(self.prefix, booking.pk, cancellable=self.cancellable(booking, turn))

    def cancellable(self, booking, turn: Turn) -> bool:
        """The resource's cancel rule: managers any time, the owner while the booking holds and has not
        started."""
        return self.rules.can_cancel(booking=booking, actor=turn.actor, now=turn.now)

    def refuse_not_cancellable(self, booking, turn: Turn) -> bool:
        try:
            self.rules.check_cancellable(booking=booking, actor=turn.actor, now=turn.now)
        except BookingError as refusal:
            turn.notice(_("Not cancelled."))
            turn.say(refusal.message)
            return True
        return False

    def visible(self, booking, turn: Turn) -> bool:
        return booking is not None and (turn.account.is_manager or booking.requester_id == turn.account.pk)

    def btn_open(self, turn: Turn, booking_id: int) -> None:
        booking = self.load(booking_id)
        if not self.visible(booking, turn):
            turn.notice(_("Booking not found."))
            return
        for_manager = turn.account.is_manager
        markup = self.booking_markup(booking, turn)
        if for_manager and booking.status == "pending":
            markup = kb.decision(self.prefix, booking.pk)
        turn.say(self.card(booking, for_manager=for_manager), markup)

    def btn_cancel(self, turn: Turn, booking_id: int) -> None:
        booking = self.load(booking_id)
        if not self.visible(booking, turn) or (booking.requester_id != turn.account.pk and not turn.account.is_manager):
            turn.notice(_("Booking not found."))
            return
        if self.refuse_not_cancellable(booking, turn):
            return
        turn.say(_("Cancel this booking?") + "\n\n" + self.card(booking),
                 kb.inline([[kb.button(texts.YES_CANCEL, f"{self.prefix}:cxy:{booking.pk}"),
                             kb.button(texts.BACK, f"{self.prefix}:open:{booking.pk}")]]))

    def btn_cancel_confirmed(self, turn: Turn, booking_id: int) -> None:
        booking = self.load(booking_id)
        if not self.visible(booking, turn) or (booking.requester_id != turn.account.pk and not turn.account.is_manager):
            turn.notice(_("Booking not found."))
            return
        if self.refuse_not_cancellable(booking, turn):
            return
        try:
            booking = self.cancel(booking, turn)
        except BookingError as exc:
            turn.notice(_("Not cancelled."))
            turn.edit(exc.message)
            return
        turn.notice(_("Cancelled."))
        turn.edit(_("🚫 Booking %(ref)s is cancelled.") % {"ref": booking.reference} + "\n\n" + self.card(booking))

    def cmd_cancel_booking(self, turn: Turn, args: str) -> None:
        """By the reference the bot shows (C-12), or by the bare number as before."""
        found = REFERENCE.fullmatch(args.strip())
        if found is None:
            turn.say(_("Usage: /cancel_booking <booking reference>, for example /cancel_booking C-12"))
            return
        letter, number = found.group(1), int(found.group(2))
        booking = self.load(number) if letter else None
        if letter and (booking is None or booking.REFERENCE_PREFIX != letter.upper()):
            turn.say(_("Booking not found."))
            return
        self.btn_cancel(turn, number)
        if turn.outcome.answer:  # not found: say it in the chat, since no button was pressed
            turn.say(turn.outcome.answer)

    def cancel(self, booking, turn: Turn):
        raise NotImplementedError

    def my_bookings(self, turn: Turn) -> list:
        raise NotImplementedError

    def cmd_my_bookings(self, turn: Turn, args: str) -> None:
        bookings = self.my_bookings(turn)
        if not bookings:
            turn.say(_("You have no bookings yet (upcoming or in the last 14 days)."), self.menu(turn))
        else:
            turn.say(_("📊 Your bookings (upcoming and the last 14 days):"), self.menu(turn))
        for booking in bookings[:10]:
            turn.say(self.card(booking), self.booking_markup(booking, turn))
        self.offer_calendar(turn)

    # --- Managers ---------------------------------------------------------------------------------

    def refuse_non_manager(self, turn: Turn) -> bool:
        if turn.account.is_manager:
            return False
        turn.notice(_("Sorry, only managers can do this."))
        if not turn.incoming.is_callback:
            turn.say(_("Sorry, only managers can do this."), self.menu(turn))
        return True

    def decide(self, booking, turn: Turn, *, approve: bool, reason: str = ""):
        raise NotImplementedError

    def btn_approve(self, turn: Turn, booking_id: int) -> None:
        if self.refuse_non_manager(turn):
            return
        self._decide(turn, booking_id, approve=True)

    def btn_reject(self, turn: Turn, booking_id: int) -> None:
        if self.refuse_non_manager(turn):
            return
        booking = self.load(booking_id)
        if booking is None:
            turn.notice(_("Booking not found."))
            return
        if booking.status != "pending":  # tell at once rather than after the reason is typed
            self._decide(turn, booking_id, approve=False)
            return
        turn.dialog.reset()
        turn.dialog.go("reject", booking=booking.pk)
        turn.screen(_("Why is request %(ref)s rejected? Send the reason as a message.") % {"ref": booking.reference},
                    kb.inline([[kb.button(texts.NO_REASON, f"{self.prefix}:rjn:{booking.pk}")],
                               [kb.button(texts.CANCEL, "w:cancel")]]), new=True)

    def btn_reject_without_reason(self, turn: Turn, booking_id: int) -> None:
        if self.refuse_non_manager(turn):
            return
        turn.dialog.reset()
        self._decide(turn, booking_id, approve=False)

    def reject_with_reason(self, turn: Turn, text: str) -> None:
        booking_id = turn.dialog.data.get("booking")
        turn.dialog.reset()
        if not turn.account.is_manager or not booking_id:
            return
        self._decide(turn, int(booking_id), approve=False, reason=text[:500])

    def _decide(self, turn: Turn, booking_id: int, *, approve: bool, reason: str = "") -> None:
        booking = self.load(booking_id)
        if booking is None:
            turn.notice(_("Booking not found."))
            return
        try:
            booking = self.decide(booking, turn, approve=approve, reason=reason)
        except BookingError as exc:
            turn.notice(_("Nothing changed."))
            turn.say(exc.message)
            return
        if approve:
            text = _("✅ Booking %(ref)s is approved.") % {"ref": booking.reference}
        else:
            text = _("❌ Booking %(ref)s is rejected.") % {"ref": booking.reference}
        turn.notice(text)
        text += " " + _("The client has been told.") + "\n\n" + self.card(booking, for_manager=True)
        if turn.incoming.is_callback and turn.incoming.callback_data.split(":")[1] == "ap":
            turn.edit(text)
        else:
            turn.say(text)

    def pending(self) -> list:
        raise NotImplementedError

    def on_day(self, day: date) -> list:
        raise NotImplementedError

    def cmd_pending(self, turn: Turn, args: str) -> None:
        if self.refuse_non_manager(turn):
            return
        bookings = self.pending()
        if not bookings:
            turn.say(_("No requests are waiting for a decision."), self.menu(turn))
            return
        turn.say(_("📥 Waiting for a decision: %(n)s") % {"n": len(bookings)})
        for booking in bookings[:20]:
            turn.say(self.card(booking, for_manager=True), kb.decision(self.prefix, booking.pk))

    def cmd_today(self, turn: Turn, args: str) -> None:
        self.day_schedule(turn, local(turn.now).date())

    def cmd_tomorrow(self, turn: Turn, args: str) -> None:
        self.day_schedule(turn, local(turn.now).date() + timedelta(days=1))

    def day_schedule(self, turn: Turn, day: date) -> None:
        if self.refuse_non_manager(turn):
            return
        bookings = self.on_day(day)
        if not bookings:
            turn.say(_("No bookings on %(day)s.") % {"day": texts.day_text(day)}, self.menu(turn))
            return
        lines = [_("🗓 Schedule for %(day)s:") % {"day": texts.day_text(day)}]
        lines += [self.schedule_line(booking) + self.attendance_mark(booking) for booking in bookings]
        turn.say("\n".join(lines), self.no_show_keyboard(bookings, turn) or self.menu(turn))

    def schedule_line(self, booking) -> str:
        raise NotImplementedError

    def cmd_block(self, turn: Turn, args: str) -> None:
        if self.refuse_non_manager(turn):
            return
        target_id, _sep, reason = args.partition(" ")
        target = self._account_by_id(turn, target_id, "/block <Telegram id> [reason]")
        if target is None:
            return
        telegram_account_block(account=target, actor=turn.actor, now=turn.now, reason=reason.strip())
        turn.say(_("User %(id)s is blocked: they can see their bookings but cannot book.") % {
            "id": target.telegram_id})

    def cmd_unblock(self, turn: Turn, args: str) -> None:
        if self.refuse_non_manager(turn):
            return
        target = self._account_by_id(turn, args.strip(), "/unblock <Telegram id>")
        if target is None:
            return
        telegram_account_unblock(account=target, actor=turn.actor)
        turn.say(_("User %(id)s is unblocked.") % {"id": target.telegram_id})

    def _account_by_id(self, turn: Turn, raw: str, usage: str) -> TelegramAccount | None:
        raw = raw.strip()
        if not raw.lstrip("-").isdigit():
            turn.say(_("Usage: %(usage)s") % {"usage": usage})
            return None
        account = TelegramAccount.objects.filter(telegram_id=int(raw)).first()
        if account is None:
            turn.say(_("No user with Telegram id %(id)s has written to the bots.") % {"id": raw})
        return account

    channel = Channel.BOT


def manager_contacts_configured() -> bool:
    return bool(settings.MANAGER_CONTACTS)
