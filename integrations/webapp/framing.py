"""Who may show the booking page in a frame: Telegram's web clients, which open a Mini App in an iframe,
and nobody else (every other page of the site keeps X-Frame-Options: DENY).

The clients run on web.telegram.org (Web K under /k/, Web A under /a/), webk.telegram.org (Web K's own
host) and weba.telegram.org / webz.telegram.org (Web A's own hosts, which keep a signed-in user there).
X-Frame-Options cannot name an origin, so the page sends the CSP frame-ancestors directive instead, and no
X-Frame-Options (a browser that knows CSP ignores it anyway; one that does not would refuse the frame)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

TELEGRAM_WEB_CLIENTS = ("https://web.telegram.org", "https://webk.telegram.org", "https://weba.telegram.org",
                        "https://webz.telegram.org")
FRAME_ANCESTORS = "frame-ancestors " + " ".join(TELEGRAM_WEB_CLIENTS)


def frameable_by_telegram(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = FRAME_ANCESTORS
        response.xframe_options_exempt = True  # django.middleware.clickjacking leaves it without X-Frame-Options
        return response

    return wrapper
