"""python-telegram-bot Applications: one per bot per running event loop.

PTB's HTTP client is bound to the loop it first ran on, and Django runs an async view in whatever loop the
server (or the test client) gives it, so Applications are cached per loop. They are built with
`updater(None)`: Django receives the webhooks, PTB only dispatches and calls the Bot API."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from telegram import LabeledPrice, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from booking_site.logging import bound_request_id
from integrations.telegram.conversation import Incoming, Outcome, process, settings_token
from integrations.telegram.state import dialog_track_message
from kernel import metrics

logger = logging.getLogger(__name__)

BOTS = ("equipment", "cabinet")
_per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def bot_token(bot: str) -> str:
    return settings_token(bot)


def enabled_bots() -> list[str]:
    return [bot for bot in BOTS if bot_token(bot)]


def api_base_url() -> str:
    return f"{settings.TELEGRAM_API_URL}/bot"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def incoming_from_data(data: dict) -> Incoming | None:
    """The parts of an update the flows read, straight from its JSON (building python-telegram-bot's objects
    was most of a webhook's CPU); None for what the bots ignore (edits, channel posts, updates from bots…).
    Polling mode reads the same JSON (`Update.to_dict()`), so both modes see an update alike."""
    checkout = data.get("pre_checkout_query")
    if isinstance(checkout, dict):
        return _pre_checkout_from_data(checkout)
    query = data.get("callback_query")
    message = data.get("message") if query is None else None
    source = query if query is not None else message
    if not isinstance(source, dict):
        return None  # edits, channel posts, inline queries…: the bots ignore them
    user = source.get("from")
    chat = (query.get("message") or {}).get("chat") if query is not None else message.get("chat")
    if not isinstance(user, dict) or not isinstance(chat, dict) or user.get("is_bot"):
        return None
    try:
        common = {"chat_id": int(chat["id"]), "chat_type": _text(chat.get("type")), "user_id": int(user["id"]),
                  "username": _text(user.get("username")), "first_name": _text(user.get("first_name")),
                  "last_name": _text(user.get("last_name")), "language_code": _text(user.get("language_code"))}
    except (KeyError, TypeError, ValueError):
        return None
    if query is not None:
        pressed = query.get("message")
        message_id = pressed.get("message_id") if isinstance(pressed, dict) else None
        return Incoming(**common, callback_data=_text(query.get("data")), callback_id=str(query.get("id", "")),
                        message_id=int(message_id) if isinstance(message_id, int) else None)
    paid = message.get("successful_payment")
    if isinstance(paid, dict):
        payment = _payment_fields(paid, "telegram_payment_charge_id", "provider_payment_charge_id")
        return Incoming(**common, payment=payment) if payment is not None else None
    contact = message.get("contact")
    if isinstance(contact, dict):
        return Incoming(**common, contact_phone=_text(contact.get("phone_number")))
    return Incoming(**common, text=_text(message.get("text")))


def _payment_fields(source: dict, *extra: str) -> dict | None:
    """What a pre-checkout query or a successful payment says about the invoice (None when it is malformed)."""
    try:
        fields = {"payload": _text(source.get("invoice_payload")), "currency": _text(source.get("currency")),
                  "total_amount": int(source["total_amount"])}
    except (KeyError, TypeError, ValueError):
        return None
    fields.update({name: _text(source.get(name)) for name in extra})
    return fields


def _pre_checkout_from_data(query: dict) -> Incoming | None:
    """A pre-checkout query comes from a user, with no chat: the bots send invoices only in private chats, so
    the user's own chat is where anything about it is said."""
    user = query.get("from")
    if not isinstance(user, dict) or user.get("is_bot") or not query.get("id"):
        return None
    try:
        user_id = int(user["id"])
    except (KeyError, TypeError, ValueError):
        return None
    # A malformed query is still answered (refused), never left for Telegram to wait out.
    payment = _payment_fields(query) or {"payload": "", "currency": "", "total_amount": 0}
    return Incoming(chat_id=user_id, chat_type="private", user_id=user_id, username=_text(user.get("username")),
                    first_name=_text(user.get("first_name")), last_name=_text(user.get("last_name")),
                    language_code=_text(user.get("language_code")), pre_checkout_id=str(query["id"]),
                    payment=payment)


def pre_checkout_call(incoming: Incoming, outcome: Outcome) -> dict:
    """answerPreCheckoutQuery for this query: ok, or refused with the message the user sees (a query the
    handling left unanswered is refused, so Telegram never waits out its 10 seconds)."""
    ok, message = outcome.pre_checkout or (False, "")
    call = {"method": "answerPreCheckoutQuery", "pre_checkout_query_id": incoming.pre_checkout_id, "ok": ok}
    if not ok:
        call["error_message"] = message or "Payment is not possible now. Please try again later."
    return call


def webhook_reply(incoming: Incoming, outcome: Outcome) -> dict | None:
    """The one Bot API call of this update, when it can be the webhook's answer: Telegram makes it after our
    response, so it must be the update's only call (nothing may come after it) and must not need the sent
    message's id (a tracked dialog step does). None otherwise: every call then goes out from here, in order.
    A pre-checkout query's answer is the webhook's answer whenever nothing else is said, so Telegram has it
    with our response."""
    if incoming.pre_checkout_id:
        return pre_checkout_call(incoming, outcome) if not outcome.replies else None
    if incoming.callback_id:
        if outcome.replies:
            return None
        call = {"method": "answerCallbackQuery", "callback_query_id": incoming.callback_id}
        if outcome.answer:
            call["text"] = outcome.answer
        return call
    if len(outcome.replies) != 1:
        return None
    reply = outcome.replies[0]
    if reply.kind != "send" or reply.track:
        return None
    call = {"method": "sendMessage", "chat_id": incoming.chat_id, "text": reply.text}
    if reply.markup is not None:
        call["reply_markup"] = reply.markup.to_dict()
    return call


async def deliver(bot_name: str, telegram_bot, incoming: Incoming, outcome: Outcome, *,
                  track_here: bool = True) -> list[int]:
    """Send the replies of one update to its chat, in order. A call that fails is logged and skipped, so
    the others still go out (a callback answered too late, a message too old to edit). A sent message its
    dialog tracks is recorded here, or with `track_here=False` its id is returned for the caller to record
    (`dialog_track_message`) on its own thread."""
    tracked = []
    if incoming.pre_checkout_id:  # first: Telegram waits for it at most 10 seconds
        call = pre_checkout_call(incoming, outcome)
        try:
            await telegram_bot.answer_pre_checkout_query(incoming.pre_checkout_id, ok=call["ok"],
                                                         error_message=call.get("error_message"))
        except TelegramError as exc:
            logger.warning("%s bot: could not answer a pre-checkout query: %s", bot_name, exc)
    if incoming.callback_id:
        try:
            await telegram_bot.answer_callback_query(incoming.callback_id, text=outcome.answer or None)
        except TelegramError as exc:
            logger.info("%s bot: could not answer a button press: %s", bot_name, exc)
    for reply in outcome.replies:
        try:
            if reply.kind == "send":
                message = await telegram_bot.send_message(incoming.chat_id, reply.text, reply_markup=reply.markup)
                if reply.track and not track_here:
                    tracked.append(message.message_id)
                elif reply.track:
                    await sync_to_async(dialog_track_message)(bot=bot_name, chat_id=incoming.chat_id,
                                                              user_id=incoming.user_id,
                                                              message_id=message.message_id)
            elif reply.kind == "invoice":
                await send_invoice(telegram_bot, incoming.chat_id, reply.invoice)
            elif reply.kind == "edit":
                await telegram_bot.edit_message_text(reply.text, chat_id=incoming.chat_id,
                                                     message_id=incoming.message_id, reply_markup=reply.markup)
            elif reply.kind == "strip":
                await telegram_bot.edit_message_reply_markup(chat_id=incoming.chat_id,
                                                             message_id=incoming.message_id, reply_markup=None)
        except BadRequest as exc:  # "message is not modified" and messages too old to edit
            logger.info("%s bot: could not %s a message: %s", bot_name, reply.kind, exc)
        except TelegramError as exc:
            logger.warning("%s bot: could not %s a message: %s", bot_name, reply.kind, exc)
    return tracked


async def send_invoice(telegram_bot, chat_id: int, invoice: dict):
    """sendInvoice with the clinic's provider token; prices are (label, minor units) pairs."""
    return await telegram_bot.send_invoice(
        chat_id, title=invoice["title"], description=invoice["description"], payload=invoice["payload"],
        currency=invoice["currency"], prices=[LabeledPrice(label, amount) for label, amount in invoice["prices"]],
        provider_token=settings.PAYMENT_PROVIDER_TOKEN)


def handler_for(bot_name: str):
    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = incoming_from_data(update.to_dict())
        if incoming is None:
            return
        # Whatever this update causes (outbox events, the worker's deliveries) is logged under its id.
        with bound_request_id(f"tg-{bot_name}-{update.update_id}"):
            outcome = await sync_to_async(process)(bot_name, incoming)
            await deliver(bot_name, context.bot, incoming, outcome)

    return on_update


def error_handler_for(bot_name: str):
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.TELEGRAM_HANDLER_ERRORS.labels(bot_name).inc()
        logger.error("%s bot: handling update failed", bot_name, exc_info=context.error)

    return on_error


def build_application(bot_name: str, *, polling: bool = False) -> Application:
    builder = Application.builder().token(bot_token(bot_name)).base_url(api_base_url())
    builder = builder.base_file_url(f"{settings.TELEGRAM_API_URL}/file/bot")
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(TypeHandler(Update, handler_for(bot_name)))
    application.add_error_handler(error_handler_for(bot_name))
    return application


async def application_for(bot_name: str) -> Application:
    """The initialised Application of `bot_name` for the running loop (built on first use)."""
    loop = asyncio.get_running_loop()
    apps = _per_loop.setdefault(loop, {})
    key = (bot_name, bot_token(bot_name), settings.TELEGRAM_API_URL)
    application = apps.get(key)
    if application is None:
        application = build_application(bot_name)
        await application.initialize()
        apps[key] = application
    return application
