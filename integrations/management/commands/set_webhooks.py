"""Register (or delete) both bots' webhooks with Telegram: PUBLIC_URL + /telegram/<bot>/ and the secret."""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from integrations import texts
from integrations.addresses import booking_page_url
from integrations.telegram.client import api_base_url, bot_token, enabled_bots

PATHS = {"equipment": "/telegram/equipment/", "cabinet": "/telegram/cabinets/"}
ALLOWED_UPDATES = ["message", "callback_query"]


class Command(BaseCommand):
    help = "Register both bots' webhooks with Telegram (PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET), or --delete them."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the webhooks instead")
        parser.add_argument("--drop-pending", action="store_true", help="drop updates waiting at Telegram")

    def handle(self, *args, delete: bool = False, drop_pending: bool = False, **options):
        bots = enabled_bots()
        if not bots:
            self.stdout.write("Telegram is not configured (no EQUIPMENT_BOT_TOKEN or CABINET_BOT_TOKEN); "
                              "nothing to do.")
            return
        if not delete and not settings.TELEGRAM_WEBHOOK_SECRET:
            raise CommandError("TELEGRAM_WEBHOOK_SECRET must be set to register webhooks: without it the webhooks "
                               "refuse every update. Set it, or run `manage.py webhook_secret` to generate one.")
        for name in bots:
            try:
                message = asyncio.run(self._one(name, delete=delete, drop_pending=drop_pending))
            except TelegramError as exc:
                raise CommandError(f"{name} bot: Telegram refused: {exc}") from exc
            self.stdout.write(message)

    async def _one(self, name: str, *, delete: bool, drop_pending: bool) -> str:
        bot = Bot(bot_token(name), base_url=api_base_url())
        async with bot:
            if delete:
                await bot.delete_webhook(drop_pending_updates=drop_pending)
                return f"{name} bot: webhook deleted"
            url = settings.PUBLIC_URL + PATHS[name]
            await bot.set_webhook(url=url, secret_token=settings.TELEGRAM_WEBHOOK_SECRET,
                                  allowed_updates=ALLOWED_UPDATES, drop_pending_updates=drop_pending)
            page = booking_page_url(name)
            if page is None:
                return f"{name} bot: webhook set to {url} (no menu button: PUBLIC_URL is not https)"
            with translation.override(settings.LANGUAGE_CODE):
                label = str(texts.PAGE_MENU_BUTTON)
            await bot.set_chat_menu_button(menu_button=MenuButtonWebApp(text=label, web_app=WebAppInfo(page)))
            return f"{name} bot: webhook set to {url}, menu button opens {page}"
