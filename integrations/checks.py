"""System checks (registered in apps.py): `manage.py check`, `migrate` and `runserver` stop on these, in
development too."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.checks import Error

# What Telegram accepts as a webhook's secret_token.
SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")


def telegram_webhook_secret_check(app_configs=None, **kwargs) -> list[Error]:
    """A bot token needs the webhook secret: without it anyone could post updates as any user, a manager too."""
    if not (settings.EQUIPMENT_BOT_TOKEN or settings.CABINET_BOT_TOKEN):
        return []
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not secret:
        return [Error(
            "A bot token is set but TELEGRAM_WEBHOOK_SECRET is not.",
            hint="Set TELEGRAM_WEBHOOK_SECRET, or run `manage.py webhook_secret` (as `make run` does) to keep a "
                 f"generated one in {settings.TELEGRAM_WEBHOOK_SECRET_FILE}.",
            id="integrations.E001")]
    if not SECRET_FORM.fullmatch(secret):
        return [Error(
            "TELEGRAM_WEBHOOK_SECRET may hold only letters A-Z and a-z, digits, _ and -, at most 256 of them.",
            id="integrations.E002")]
    return []
