"""Who acted, and through which door. Services take both, so audit, metrics and notifications are the
same whichever way a booking came in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # pragma: no cover
    from accounts.models import Partner, TelegramAccount


class Channel(models.TextChoices):
    BOT = "bot", _("Telegram bot")
    WEBAPP = "webapp", _("Booking page (Telegram Mini App)")
    ADMIN = "admin", _("Admin")
    API = "api", _("Partner API")
    CABINET = "cabinet", _("With a cabinet booking")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    """The person or system behind a change. Exactly one of user/account/partner, or none for system."""

    user: Any = None  # django.contrib.auth user (staff)
    account: TelegramAccount | None = None
    partner: Partner | None = None

    @classmethod
    def staff(cls, user) -> Actor:
        return cls(user=user)

    @classmethod
    def telegram(cls, account) -> Actor:
        return cls(account=account)

    @classmethod
    def for_partner(cls, partner) -> Actor:
        return cls(partner=partner)

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @property
    def kind(self) -> str:
        if self.user is not None:
            return "staff"
        if self.account is not None:
            return "telegram"
        if self.partner is not None:
            return "partner"
        return "system"

    @property
    def is_manager(self) -> bool:
        """Managers decide bookings, book for others and are not limited per user."""
        if self.user is not None:
            return bool(self.user.is_active and self.user.is_staff)
        if self.account is not None:
            return bool(self.account.is_manager)
        return self.kind == "system"

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"admin:{self.user.get_username()}"
        if self.account is not None:
            handle = f"@{self.account.username}" if self.account.username else str(self.account.telegram_id)
            return f"telegram:{handle}"
        if self.partner is not None:
            return f"partner:{self.partner.name}"
        return "system"
