"""Webhook endpoints. Defensive and boring: check the secret in constant time (and refuse every update when
none is configured), ignore a repeated update, process the update here and answer 200 even when handling fails
(Telegram would otherwise retry forever).

The views are sync, like the middleware and the handling. The update is read from its JSON (no python-telegram-bot
objects).
When its replies come down to one call that Telegram can make after our response (see `webhook_reply`), that
call is the response body and no request leaves this process. Otherwise the replies go out through
python-telegram-bot, in order, before the response, on one event loop per process kept in its own thread
(`_bot_loop`): the web server's workers are threads (gunicorn gthread) with no loop of their own, and PTB's
Application, built and initialised (a getMe call) once, belongs to the loop it first ran on. Either way a
reply is not a Delivery row: those are the outbox's notifications (a booking's news to managers and
clients), retried by the worker; a reply to an update never was one, and Telegram does not retry an update
that was answered 200."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from booking_site.logging import bound_request_id
from integrations.telegram.client import application_for, bot_token, deliver, incoming_from_data, webhook_reply
from integrations.telegram.conversation import Incoming, Outcome, process
from integrations.telegram.state import dialog_track_message, update_seen
from kernel import metrics

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DUPLICATE = object()


def _handle(bot: str, update_id: int, data: dict) -> object:
    """DUPLICATE for an update already handled; None for one the bots ignore; else (incoming, outcome, the
    webhook's answer or None)."""
    now = timezone.now()
    if update_seen(bot=bot, update_id=update_id, now=now):
        return DUPLICATE
    incoming = incoming_from_data(data)
    if incoming is None:
        return None
    # Whatever this update causes (outbox events, the worker's deliveries) is logged under its id.
    with bound_request_id(f"tg-{bot}-{update_id}"):
        outcome = process(bot, incoming)
    return incoming, outcome, webhook_reply(incoming, outcome)


def _webhook(request: HttpRequest, bot: str) -> HttpResponse:
    if not bot_token(bot):
        return HttpResponseNotFound("bot not configured")
    given, expected = request.headers.get(SECRET_HEADER, ""), settings.TELEGRAM_WEBHOOK_SECRET
    # No secret configured: nothing can prove an update came from Telegram, so none is taken.
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        metrics.TELEGRAM_UPDATES.labels(bot, "forbidden").inc()
        return HttpResponseForbidden("wrong secret")
    try:
        data = json.loads(request.body)
        update_id = int(data["update_id"])
    except (ValueError, TypeError, KeyError):
        return HttpResponse("not an update", status=400)
    try:
        handled = _handle(bot, update_id, data)
        if handled is DUPLICATE:
            metrics.TELEGRAM_UPDATES.labels(bot, "duplicate").inc()
            return HttpResponse("ok")
        if handled is None:
            return HttpResponse("ok")
        incoming, outcome, answer = handled
        if answer is not None:
            return HttpResponse(json.dumps(answer, ensure_ascii=False), content_type="application/json")
        tracked = _bot_loop().run(_send(bot, update_id, incoming, outcome))
        for message_id in tracked:  # on this thread: its database connection (and a test's transaction)
            dialog_track_message(bot=bot, chat_id=incoming.chat_id, user_id=incoming.user_id, message_id=message_id)
    except Exception:  # logged and counted; Telegram still gets its 200
        metrics.TELEGRAM_HANDLER_ERRORS.labels(bot).inc()
        logger.exception("%s bot: update %s failed", bot, update_id)
    return HttpResponse("ok")


class _BotLoop:
    """An event loop running in a daemon thread; `run(coroutine)` waits for the coroutine's result there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="telegram-bot-loop", daemon=True)
        self.thread.start()

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


_loop_lock = threading.Lock()
_loop: _BotLoop | None = None


def _bot_loop() -> _BotLoop:
    global _loop
    with _loop_lock:
        if _loop is None or not _loop.thread.is_alive():
            _loop = _BotLoop()
        return _loop


async def _send(bot: str, update_id: int, incoming: Incoming, outcome: Outcome) -> list[int]:
    """The replies sent on the bot loop; returns the ids of sent messages the dialog tracks."""
    if not incoming.callback_id and not outcome.replies:
        return []
    application = await application_for(bot)
    with bound_request_id(f"tg-{bot}-{update_id}"):
        return await deliver(bot, application.bot, incoming, outcome, track_here=False)


@csrf_exempt
@require_POST
def equipment_webhook(request: HttpRequest) -> HttpResponse:
    return _webhook(request, "equipment")


@csrf_exempt
@require_POST
def cabinet_webhook(request: HttpRequest) -> HttpResponse:
    return _webhook(request, "cabinet")
