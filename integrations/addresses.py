"""Where the doors are: each bot's token and public link, and the booking page's address a bot's menu opens.
The bots, the booking page and the management commands read them here rather than from each other."""

from __future__ import annotations

from django.conf import settings

BOTS = ("equipment", "cabinet")


def bot_token(bot: str) -> str:
    return settings.EQUIPMENT_BOT_TOKEN if bot == "equipment" else settings.CABINET_BOT_TOKEN


def bot_links() -> dict[str, str]:
    """https://t.me/<username> of each bot that has a username configured."""
    names = {"equipment": settings.EQUIPMENT_BOT_USERNAME, "cabinet": settings.CABINET_BOT_USERNAME}
    return {bot: f"https://t.me/{name}" for bot, name in names.items() if name}


def booking_page_url(bot: str) -> str | None:
    """Where a bot's menu opens the booking page (on its own tab), or None when PUBLIC_URL is not https,
    since Telegram refuses Mini App buttons with any other address."""
    if not settings.PUBLIC_URL.startswith("https://"):
        return None
    return f"{settings.PUBLIC_URL}/app/?tab={'cabinets' if bot == 'cabinet' else 'equipment'}"
