"""One update in, the replies out. Runs synchronously (called from the async handlers through
sync_to_async), in one transaction that holds the user's dialog row in the chat, so services stay sync and
transactional and two processes never interleave one dialog's steps. Only private chats are served."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from accounts.services import telegram_account_upsert
from integrations.addresses import bot_token
from integrations.telegram.state import DialogState, dialog_load, dialog_save
from kernel import metrics
from kernel.channels import Actor
from kernel.counters import counter_hit
from kernel.errors import BookingError

logger = logging.getLogger(__name__)

RATE_LIMIT_PER_MINUTE = 20


@dataclass(frozen=True)
class Incoming:
    """What a user sent, reduced to what the flows read."""

    chat_id: int
    user_id: int
    chat_type: str  # "private", "group", "supergroup" or "channel": the bots serve only private chats
    username: str = ""
    first_name: str = ""
    last_name: str = ""
    language_code: str = ""
    text: str | None = None
    contact_phone: str | None = None
    callback_data: str | None = None
    callback_id: str | None = None
    message_id: int | None = None  # the message whose button was pressed
    # Telegram Payments: a `pre_checkout_query` (its id) asking whether a payment may go ahead, or a message's
    # `successful_payment`; `payment` holds what either says (invoice_payload, currency, total_amount and, when
    # paid, both charge ids).
    pre_checkout_id: str | None = None
    payment: dict | None = None

    @property
    def is_callback(self) -> bool:
        return self.callback_data is not None

    @property
    def is_pre_checkout(self) -> bool:
        return self.pre_checkout_id is not None

    @property
    def is_payment(self) -> bool:
        """A payment update (a pre-checkout query or a successful payment): never rate limited or dropped."""
        return self.payment is not None


@dataclass
class Reply:
    """`send` a new message, `edit` the pressed message, `strip` its buttons, or send an `invoice` (its fields
    in `invoice`: title, description, payload, currency, prices as (label, minor units) pairs)."""

    kind: str
    text: str = ""
    markup: Any = None
    track: bool = False  # the message carries the current step's buttons
    invoice: dict | None = None


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    answer: str | None = None  # the small notice shown when a button is pressed
    # The answer to a pre-checkout query: (ok, the message shown when not ok). None: not answered (refused).
    pre_checkout: tuple[bool, str] | None = None


@dataclass
class Turn:
    bot: str
    account: TelegramAccount
    dialog: DialogState
    incoming: Incoming
    now: datetime
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def actor(self) -> Actor:
        return Actor.telegram(self.account)

    @property
    def on_current_screen(self) -> bool:
        """A button pressed on the message that shows the current step."""
        return self.incoming.is_callback and self.incoming.message_id is not None and (
            self.incoming.message_id == self.dialog.message_id)

    def say(self, text: str, markup: Any = None) -> None:
        self.outcome.replies.append(Reply("send", str(text), markup))

    def screen(self, text: str, markup: Any = None, *, new: bool = False) -> None:
        """Show a dialog step: in place when its own button was pressed, else as a new tracked message."""
        if self.on_current_screen and not new:
            self.outcome.replies.append(Reply("edit", str(text), markup))
        else:
            self.strip()
            self.outcome.replies.append(Reply("send", str(text), markup, track=True))

    def edit(self, text: str, markup: Any = None) -> None:
        if self.incoming.is_callback and self.incoming.message_id is not None:
            self.outcome.replies.append(Reply("edit", str(text), markup))
        else:
            self.say(text, markup)

    def strip(self) -> None:
        """Take the buttons off the pressed message, so it cannot be pressed again."""
        if self.on_current_screen:
            self.outcome.replies.append(Reply("strip"))

    def notice(self, text: str) -> None:
        self.outcome.answer = str(text)[:200]

    def invoice(self, **fields) -> None:
        self.outcome.replies.append(Reply("invoice", invoice=fields))

    def answer_pre_checkout(self, ok: bool, message: str = "") -> None:
        self.outcome.pre_checkout = (ok, str(message)[:255])


def rate_limited(*, bot: str, account: TelegramAccount, now: datetime) -> str | None:
    """None when the update may go on; "warn" for the first update over the limit in a minute, "drop" after.
    Managers are exempt; a cache failure lets the update through (fail open)."""
    if account.is_manager:
        return None
    key = f"tg:rate:{bot}:{account.telegram_id}:{int(now.timestamp()) // 60}"
    try:
        count, _ = counter_hit(key, timeout=90)
    except Exception:  # the cache is down: better to serve than to refuse
        logger.warning("rate limit cache unavailable; letting the update through")
        return None
    if count <= RATE_LIMIT_PER_MINUTE:
        return None
    return "warn" if count == RATE_LIMIT_PER_MINUTE + 1 else "drop"


def not_private(bot: str, incoming: Incoming) -> Outcome:
    """What a group, supergroup or channel gets: once per chat, a note to write privately; a pressed button, that
    note as its notice. Nothing else is read or said there, so no dialog, booking or client data reaches it."""
    outcome = Outcome()
    language = "en" if incoming.language_code.lower().startswith("en") else "ru"
    with translation.override(language):
        note = _("I work only in private messages. Please write to me directly, not in a group.")
    if incoming.is_callback:
        outcome.answer = note
        return outcome
    try:
        first = cache.add(f"tg:group-noted:{bot}:{incoming.chat_id}", 1, timeout=None)
    except Exception:  # the cache is down: better to say nothing than to say it on every message
        logger.warning("group note cache unavailable; not answering a group chat")
        first = False
    if first:
        outcome.replies.append(Reply("send", note))
    return outcome


def process(bot: str, incoming: Incoming) -> Outcome:
    """Handle one update for `bot` ("equipment" or "cabinet") and return what to send back."""
    from integrations.telegram.bots import flow_for

    if incoming.chat_type != "private":
        metrics.TELEGRAM_UPDATES.labels(bot, "not_private").inc()
        return not_private(bot, incoming)
    now = timezone.now()
    account = telegram_account_upsert(
        telegram_id=incoming.user_id, now=now, username=incoming.username, first_name=incoming.first_name,
        last_name=incoming.last_name, language_code=incoming.language_code,
    )
    with translation.override(account.language):
        # A payment's updates are Telegram's, not the user's typing: never limited (a pre-checkout query left
        # unanswered fails the payment; a successful payment dropped would confirm nothing).
        limited = None if incoming.is_payment else rate_limited(bot=bot, account=account, now=now)
        if limited:
            metrics.TELEGRAM_UPDATES.labels(bot, "rate_limited").inc()
            outcome = Outcome()
            if limited == "warn":
                outcome.replies.append(Reply("send", _(
                    "You are sending messages too fast. Please wait a minute and try again.")))
            if incoming.is_callback:
                outcome.answer = _("Too many requests, please wait a minute.")
            return outcome
        with transaction.atomic():
            dialog = dialog_load(bot=bot, chat_id=incoming.chat_id, user_id=incoming.user_id, now=now)
            turn = Turn(bot=bot, account=account, dialog=dialog, incoming=incoming, now=now)
            try:
                with transaction.atomic():
                    try:
                        flow_for(bot).handle(turn)
                    except BookingError as exc:
                        turn.say(exc.message)
            except Exception:
                # The turn's writes are rolled back; the dialog stays as it was before this update.
                logger.exception("%s bot: an update could not be handled", bot)
                metrics.TELEGRAM_HANDLER_ERRORS.labels(bot).inc()
                turn = Turn(bot=bot, account=account, incoming=incoming, now=now, dialog=dialog_load(
                    bot=bot, chat_id=incoming.chat_id, user_id=incoming.user_id, now=now))
                apology = _("Something went wrong. Please try again or press /start.")
                turn.notice(apology)
                if not incoming.is_pre_checkout:
                    turn.say(apology)
            if incoming.is_pre_checkout and turn.outcome.pre_checkout is None:
                turn.answer_pre_checkout(False, _("Payment is not possible now. Please try again later."))
            dialog_save(turn.dialog, now=now)
        metrics.TELEGRAM_UPDATES.labels(bot, "processed").inc()
        return turn.outcome


def settings_token(bot: str) -> str:
    return bot_token(bot)
