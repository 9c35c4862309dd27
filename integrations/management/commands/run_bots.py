"""Run both bots by long polling, for local use without a public URL. Same handlers as the webhooks."""

from __future__ import annotations

import asyncio
import contextlib

from django.core.management.base import BaseCommand

from integrations.telegram.client import build_application, enabled_bots

ALLOWED_UPDATES = ["message", "callback_query"]


class Command(BaseCommand):
    help = "Run the configured bots by long polling (local development); Ctrl-C stops them."

    def handle(self, *args, **options):
        bots = enabled_bots()
        if not bots:
            self.stdout.write("Telegram is not configured (no EQUIPMENT_BOT_TOKEN or CABINET_BOT_TOKEN); "
                              "nothing to run.")
            return
        self.stdout.write(f"Polling: {', '.join(bots)}. Press Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self._run(bots))

    async def _run(self, bots: list[str]) -> None:
        applications = [build_application(name, polling=True) for name in bots]
        for application in applications:
            await application.initialize()
            await application.start()
            # start_polling removes a registered webhook first, so polling and webhooks never both run.
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        try:
            await asyncio.Event().wait()
        finally:
            for application in applications:
                await application.updater.stop()
                await application.stop()
                await application.shutdown()
