"""The client record: one per normalised phone number, created or updated by a booking from any door. The
booking services (`equipment_booking_create`, `cabinet_booking_create`, which every other create path calls)
are the only callers of `client_upsert`; a booking keeps its own name and phone as booked and points here.

When a booking writes its client. The phone is unique, and PostgreSQL makes a transaction that inserts a phone
another open transaction has just inserted (or updates a client row another has updated) wait until that one
ends. Many concurrent bookings carry one phone (a client booking twice, a manager booking for them). Written
before the resource's lock and availability check, that wait would queue them behind each other and hide the
very races the locks exist to settle (and a long queue would end in a lock timeout). So the booking services
call `client_upsert` after every lock is taken and every check has passed, and just before the booking row
is inserted, which then already points at its client:

- a wait here can only be for another booking of the same client to end; it no longer decides who gets the
  capacity (that was decided under the lock), and this transaction takes no lock after it, so no circle of
  waits can form; a lock timeout is the usual "busy" refusal, never a server error;
- the booking row is never updated after its insert: an update re-checks the cabinets' exclusion constraints
  and would wait for every concurrent booking still trying the same time, who wait for it in turn;
- a returning client with nothing new costs one read and no write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import Client, TelegramAccount
from kernel import locking, rows
from kernel.adapters import adapters
from kernel.clock import clinic_today
from kernel.contacts import normalize_phone
from kernel.errors import BookingError

logger = logging.getLogger(__name__)

OLDEST_BIRTHDAY = date(1900, 1, 1)
EMAIL_MAX_LENGTH = 254


# --- What a door may give -----------------------------------------------------------------------------


def clean_birthday(value: date | None, *, now: datetime) -> date | None:
    """A date of birth: not in the future (the clinic's today) and not before 1900. None stays None."""
    if value is None:
        return None
    if value > clinic_today(now):
        raise BookingError("invalid", _("The birthday cannot be in the future."), field="client_birthday")
    if value < OLDEST_BIRTHDAY:
        raise BookingError("invalid", _("The birthday must be 01.01.1900 or later."), field="client_birthday")
    return value


def clean_email(value: str | None) -> str:
    """An e-mail address, trimmed and with its domain in lower case; empty when none was given."""
    email = (value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise BookingError("invalid", _("The e-mail address is not valid. Example: name@example.com"),
                           field="client_email") from None
    if len(email) > EMAIL_MAX_LENGTH:
        raise BookingError("invalid", _("The e-mail address is too long (at most 254 characters)."),
                           field="client_email")
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


# --- A booking's client -----------------------------------------------------------------------------


def client_upsert(
    *,
    phone: str,
    name: str,
    now: datetime,
    birthday: date | None = None,
    email: str = "",
    telegram_account: TelegramAccount | None = None,
) -> Client:
    """The client for `phone` (normalised) and `name` (cleaned), created or updated: the name always,
    the birthday, e-mail and Telegram account only when given (a value left out never clears one given
    before), and nothing written when nothing changed. `telegram_account` is the account the booking belongs
    to; a manager's account books for other people and is never a client's. Called inside the booking's
    transaction after its locks and checks (see the module's note)."""
    values: dict[str, Any] = {"name": name}
    if birthday is not None:
        values["birthday"] = birthday
    if email:
        values["email"] = email
    if telegram_account is not None and not telegram_account.is_manager:
        values["telegram_account_id"] = telegram_account.pk
    known = rows.first(Client, phone=phone)  # a plain read: it waits for no one
    if known is None:
        client = Client(phone=phone, **values, created_at=now, updated_at=now)
        with locking.waits_refused_as_busy():
            # A phone inserted meanwhile by another booking (which this statement waits for) is updated with the
            # values given here instead: the latest booking's values win, as they would one after the other.
            Client.objects.bulk_create([client], update_conflicts=True, unique_fields=["phone"],
                                       update_fields=[*values, "updated_at"])
        return client
    changes = {key: value for key, value in values.items() if getattr(known, key) != value}
    if changes:
        if "email" in changes:
            changes["email_bounced_at"] = None  # a new address has not bounced
        with locking.waits_refused_as_busy():
            Client.objects.filter(pk=known.pk).update(**changes, updated_at=now)
        for key, value in changes.items():
            setattr(known, key, value)
        known.updated_at = now
    return known


def client_by_phone(phone: str | None) -> Client | None:
    """The client record of this phone number, found as a booking finds it (normalised); None when there is
    none or the text is not a phone number. A quote prices a request for this client."""
    if not phone:
        return None
    try:
        normalized = normalize_phone(phone)
    except BookingError:
        return None
    return Client.objects.filter(phone=normalized).first()


# --- Asked once: the birthday in the bots and on the booking page ---------------------------------------


def client_asks_birthday(phone: str) -> bool:
    """Whether the bots and the booking page should ask this phone's client for a birthday: not when it is
    known, nor when they skipped the question before."""
    known = Client.objects.filter(phone=phone).values("birthday", "birthday_asked_at").first()
    return known is None or (known["birthday"] is None and known["birthday_asked_at"] is None)


def client_birthday_skipped(*, client_id: int | None, now: datetime) -> None:
    """The client was asked for a birthday and skipped the question: they are not asked again."""
    if client_id is not None:
        Client.objects.filter(pk=client_id, birthday__isnull=True, birthday_asked_at__isnull=True).update(
            birthday_asked_at=now)


# --- The admin's changes ------------------------------------------------------------------------------


def client_change(*, client: Client, changed: Iterable[str], now: datetime) -> Client:
    """Save a manager's edit of `changed` fields (birthday, e-mail, personal discount). A new e-mail address
    has not bounced."""
    fields = [name for name in changed if name in ("birthday", "email", "personal_discount_percent")]
    if not fields:
        return client
    if "email" in fields:
        client.email_bounced_at = None
        fields.append("email_bounced_at")
    client.updated_at = now
    client.save(update_fields=[*fields, "updated_at"])
    return client


# --- Retention ----------------------------------------------------------------------------------------


def anonymisable_clients(now: datetime):
    """Clients with nothing left to keep: no booking of any kind points at them any more (the purge has
    deleted them all) and nothing about them changed within RETENTION_DAYS."""
    query = Client.objects.filter(anonymised_at__isnull=True,
                                  updated_at__lt=now - timedelta(days=settings.RETENTION_DAYS))
    for model in {adapter.booking_model for adapter in adapters()}:
        query = query.exclude(Exists(model.objects.filter(client_id=OuterRef("pk"))))
    return query


def clients_anonymise(*, now: datetime, batch: int = 1000) -> int:
    """Clear the name, phone, e-mail, birthday and Telegram account of every anonymisable client, in batches
    each in its own transaction. The row stays (with its id and personal discount) so nothing pointing at it
    breaks; its phone becomes `anonymised-<id>`, which no booking's phone can match."""
    done = 0
    while True:
        ids = list(anonymisable_clients(now).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            # Re-read under row locks: a client booked again since the list was made is kept.
            for client in anonymisable_clients(now).filter(pk__in=ids).select_for_update():
                client.name, client.phone, client.email, client.birthday = "", f"anonymised-{client.pk}", "", None
                client.email_bounced_at = client.telegram_account = client.birthday_asked_at = None
                client.anonymised_at = client.updated_at = now
                client.save(update_fields=["name", "phone", "email", "birthday", "email_bounced_at",
                                           "telegram_account", "birthday_asked_at", "anonymised_at", "updated_at"])
                done += 1
    if done:
        logger.info("clients anonymised: %s", done)
    return done
