"""The booking page's JSON plumbing: who is asking (initData signed by one of the bots), in which language,
the body, and a domain refusal as its 4xx answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.services import telegram_account_upsert
from integrations.addresses import BOTS, bot_token
from integrations.webapp.initdata import MAX_AGE, WRITE_MAX_AGE, InitDataError, WebAppUser, init_data_validate
from kernel.clock import clinic_zone
from kernel.errors import BookingError

logger = logging.getLogger(__name__)

INIT_DATA_HEADER = "X-Telegram-Init-Data"
MAX_BODY_BYTES = 16 * 1024
MAX_ID = 2**63 - 1  # the ids in paths fit the database's bigint
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def error_response(exc: BookingError) -> JsonResponse:
    return JsonResponse({"error": str(exc.message), "code": exc.code, "details": exc.details},
                        status=exc.http_status)


def out_of_range(field: str) -> BookingError:
    return BookingError("invalid", _("%(field)s is out of range.") % {"field": field}, field=field)


def language_of(request: HttpRequest, user: WebAppUser | None) -> str:
    if user is not None and user.language_code:
        return "en" if user.language_code.lower().startswith("en") else "ru"
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _signed_user(request: HttpRequest, now: datetime) -> WebAppUser | None:
    """The user behind the request's initData: at most a day old for reading, an hour for any write."""
    raw = request.headers.get(INIT_DATA_HEADER, "")
    if not raw:
        return None
    bots = [(name, bot_token(name)) for name in BOTS]
    max_age = MAX_AGE if request.method in READS else WRITE_MAX_AGE
    try:
        return init_data_validate(raw, bots=bots, now=now, max_age=max_age)
    except InitDataError as exc:
        logger.info("mini app: initData refused (%s)", exc)
        raise BookingError("unauthorized", _("Your Telegram session could not be verified. Open the page "
                                             "from the bot again.")) from exc


def _path_ids(kwargs: dict) -> None:
    """Ids in the path are whole numbers of any length: beyond the database's range they are a 400."""
    for field, value in kwargs.items():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise out_of_range(field)


def endpoint(*, signed: bool) -> Callable:
    """JSON in, JSON out, in the user's language; a domain refusal becomes its 4xx answer. With
    `signed`, the view gets the Telegram account behind a valid initData (401 without one), and
    `request.telegram_bot` names the bot that signed it (the bot the page was opened from)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            now = timezone.now()
            try:
                user = _signed_user(request, now)
            except BookingError as exc:
                if signed:
                    return error_response(exc)
                user = None  # availability is open: an unverifiable session only reads it
            request.telegram_bot = user.bot if user is not None else ""
            with translation.override(language_of(request, user)):
                try:
                    if signed and user is None:
                        raise BookingError("unauthorized", _("Open this page from the Telegram bot to book."))
                    _path_ids(kwargs)
                    account = None
                    if user is not None:
                        account = telegram_account_upsert(
                            telegram_id=user.telegram_id, now=now, username=user.username,
                            first_name=user.first_name, last_name=user.last_name,
                            language_code=user.language_code)
                    return view(request, *args, account=account, now=now, **kwargs)
                except BookingError as exc:
                    return error_response(exc)

        return csrf_exempt(never_cache(wrapper))  # identity is the signed header, never a cookie

    return decorate


def body(request: HttpRequest) -> dict:
    """The request's JSON object, at most MAX_BODY_BYTES."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        raise BookingError("invalid", _("The request is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BookingError("invalid", _("The request is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise BookingError("invalid", _("The request is not valid JSON."))
    return data


def today(now: datetime) -> date:
    return timezone.localtime(now, clinic_zone()).date()
