"""People: Telegram accounts, the blocklist, managers and partners' API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, TelegramAccount
from kernel import rows
from kernel.channels import Actor
from kernel.errors import BookingError

KEY_PREFIX_LENGTH = 12
VALID_SCOPES = frozenset(Partner.Scope.values)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def telegram_account_upsert(
    *,
    telegram_id: int,
    now: datetime,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    language_code: str = "",
) -> TelegramAccount:
    """Create or refresh the account of someone who wrote to a bot. Ids in MANAGERS are managers. Every update
    of both bots comes through here, so it is one statement (an insert that updates the row it meets)."""
    values = {"username": (username or "")[:64], "first_name": (first_name or "")[:128],
              "last_name": (last_name or "")[:128], "language_code": (language_code or "")[:16],
              "is_manager": telegram_id in settings.MANAGERS}
    if connection.vendor not in ("postgresql", "sqlite"):
        return _telegram_account_upsert_orm(telegram_id=telegram_id, now=now, **values)
    table = connection.ops.quote_name(TelegramAccount._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in TelegramAccount._meta.concrete_fields)
    sql = (f"INSERT INTO {table} AS account (telegram_id, username, first_name, last_name, language_code, phone, "
           "is_manager, is_blocked, blocked_reason, blocked_at, reminders_enabled, created_at, last_seen_at) "
           "VALUES (%s, %s, %s, %s, %s, '', %s, false, '', NULL, true, %s, %s) "
           "ON CONFLICT (telegram_id) DO UPDATE SET username = excluded.username, "
           "first_name = excluded.first_name, last_name = excluded.last_name, "
           # some updates carry no language: keep the one the user had
           "language_code = CASE WHEN excluded.language_code = '' THEN account.language_code "
           "ELSE excluded.language_code END, last_seen_at = excluded.last_seen_at, "
           f"is_manager = account.is_manager OR excluded.is_manager RETURNING {columns}")
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [telegram_id, values["username"], values["first_name"], values["last_name"], values["language_code"],
              values["is_manager"], stamp, stamp]
    return next(iter(TelegramAccount.objects.raw(sql, params)))


def _telegram_account_upsert_orm(*, telegram_id: int, now: datetime, username: str, first_name: str,
                                 last_name: str, language_code: str, is_manager: bool) -> TelegramAccount:
    account, _created = TelegramAccount.objects.get_or_create(telegram_id=telegram_id)
    account.username, account.first_name, account.last_name = username, first_name, last_name
    if language_code:
        account.language_code = language_code
    account.last_seen_at = now
    account.is_manager = account.is_manager or is_manager
    account.save(update_fields=["username", "first_name", "last_name", "language_code", "last_seen_at",
                                "is_manager"])
    return account


def managers_bootstrap() -> int:
    """Make every Telegram id in MANAGERS a manager, before they ever write to a bot."""
    count = 0
    for telegram_id in settings.MANAGERS:
        _account, created = TelegramAccount.objects.get_or_create(
            telegram_id=telegram_id, defaults={"is_manager": True})
        if not created:
            TelegramAccount.objects.filter(telegram_id=telegram_id, is_manager=False).update(is_manager=True)
        count += 1
    return count


def telegram_account_block(*, account: TelegramAccount, actor: Actor, now: datetime, reason: str = ""
                           ) -> TelegramAccount:
    if not actor.is_manager:
        raise BookingError("forbidden")
    if account.is_manager:
        raise BookingError("forbidden", _("A manager cannot be blocked; remove the manager flag first."))
    account.is_blocked = True
    account.blocked_reason = (reason or "")[:500]
    account.blocked_at = now
    account.save(update_fields=["is_blocked", "blocked_reason", "blocked_at"])
    return account


def telegram_account_unblock(*, account: TelegramAccount, actor: Actor) -> TelegramAccount:
    if not actor.is_manager:
        raise BookingError("forbidden")
    account.is_blocked = False
    account.blocked_reason = ""
    account.blocked_at = None
    account.save(update_fields=["is_blocked", "blocked_reason", "blocked_at"])
    return account


def telegram_account_set_manager(*, account: TelegramAccount, actor: Actor, is_manager: bool) -> TelegramAccount:
    """Grant or remove the manager flag. A manager is never blocked, so granting it lifts a block."""
    if not actor.is_manager:
        raise BookingError("forbidden")
    account.is_manager = is_manager
    fields = ["is_manager"]
    if is_manager and account.is_blocked:
        account.is_blocked, account.blocked_reason, account.blocked_at = False, "", None
        fields += ["is_blocked", "blocked_reason", "blocked_at"]
    account.save(update_fields=fields)
    return account


def partner_create(
    *,
    name: str,
    scopes: Iterable[str],
    extra_secret: str = "",
    rate_limit_per_minute: int | None = None,
) -> tuple[Partner, str]:
    """A new partner and its key. The key is returned once and only its hash is stored."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - VALID_SCOPES
    if unknown:
        raise BookingError("invalid", _("Unknown scopes: %(unknown)s. Known: %(known)s.") % {
            "unknown": ", ".join(sorted(unknown)), "known": ", ".join(sorted(VALID_SCOPES))})
    with transaction.atomic():
        raw = secrets.token_urlsafe(32)  # 256 bits
        partner = Partner(
            name=name.strip(),
            scopes=scopes,
            key_prefix=raw[:KEY_PREFIX_LENGTH],
            key_hash=_digest(raw),
            extra_secret_hash=_digest(extra_secret) if extra_secret else "",
            rate_limit_per_minute=rate_limit_per_minute or settings.API_DEFAULT_RATE_LIMIT,
        )
        partner.full_clean()
        partner.save()
    return partner, raw


def partner_rotate_key(*, partner: Partner) -> str:
    """A new key for the partner (the old one stops working at once); a revoked partner is active again."""
    raw = secrets.token_urlsafe(32)
    partner.key_prefix = raw[:KEY_PREFIX_LENGTH]
    partner.key_hash = _digest(raw)
    partner.revoked_at = None
    partner.is_active = True
    partner.save(update_fields=["key_prefix", "key_hash", "revoked_at", "is_active"])
    return raw


def partner_revoke(*, partner: Partner, now: datetime) -> Partner:
    partner.is_active = False
    partner.revoked_at = now
    partner.save(update_fields=["is_active", "revoked_at"])
    return partner


def partner_authenticate(*, key: str, extra: str | None = None) -> Partner | None:
    """The active partner owning `key` (and `extra`, when it has an extra secret), else None.
    Hashes are compared in constant time."""
    if not key or len(key) < KEY_PREFIX_LENGTH:
        return None
    partner = rows.first(Partner, key_prefix=key[:KEY_PREFIX_LENGTH], is_active=True)
    if partner is None or not hmac.compare_digest(partner.key_hash, _digest(key)):
        return None
    if partner.extra_secret_hash and not hmac.compare_digest(partner.extra_secret_hash, _digest(extra or "")):
        return None
    return partner


def telegram_account_set_reminders(*, account: TelegramAccount, enabled: bool) -> TelegramAccount:
    """Turn booking reminders on or off for one Telegram user (their own choice, from either bot)."""
    account.reminders_enabled = bool(enabled)
    account.save(update_fields=["reminders_enabled"])
    return account
