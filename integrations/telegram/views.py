"""Webhook endpoints. Defensive and boring: check the secret in constant time (and refuse every update when
none is configured), ignore a repeated update, process the update here and answer 200 even when handling fails
(Telegram would otherwise retry forever)."""

from __future__ import annotations

import hmac
import json
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from telegram import Update

from booking_site import metrics
from integrations.telegram.client import application_for, bot_token
from integrations.telegram.state import update_seen

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def _webhook(request: HttpRequest, bot: str) -> HttpResponse:
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
    if await sync_to_async(update_seen)(bot=bot, update_id=update_id, now=timezone.now()):
        metrics.TELEGRAM_UPDATES.labels(bot, "duplicate").inc()
        return HttpResponse("ok")
    try:
        application = await application_for(bot)
        await application.process_update(Update.de_json(data, application.bot))
    except Exception:  # logged and counted; Telegram still gets its 200
        metrics.TELEGRAM_HANDLER_ERRORS.labels(bot).inc()
        logger.exception("%s bot: update %s failed", bot, update_id)
    return HttpResponse("ok")


@csrf_exempt
@require_POST
async def equipment_webhook(request: HttpRequest) -> HttpResponse:
    return await _webhook(request, "equipment")


@csrf_exempt
@require_POST
async def cabinet_webhook(request: HttpRequest) -> HttpResponse:
    return await _webhook(request, "cabinet")
