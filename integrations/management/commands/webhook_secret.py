"""Keep a generated Telegram webhook secret in VAR_DIR, for development without TELEGRAM_WEBHOOK_SECRET."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Make sure the bots have a webhook secret: unless TELEGRAM_WEBHOOK_SECRET is set, generate one once "
            "into VAR_DIR/telegram_webhook_secret (mode 0600), which the settings read.")
    requires_system_checks = []  # the check it satisfies would stop it otherwise

    def handle(self, *args, **options):
        if os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip():
            self.stdout.write("TELEGRAM_WEBHOOK_SECRET is set; nothing to generate.")
            return
        path = settings.TELEGRAM_WEBHOOK_SECRET_FILE
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self.stdout.write(f"The webhook secret is kept in {path}.")
            return
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Generated the webhook secret into {path}."))
