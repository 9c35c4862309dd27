"""Dialog rows and processed update ids: the bots' only memory, shared by every web process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction

from integrations.models import Dialog, SeenUpdate
from kernel import rows

DIALOG_TTL = timedelta(minutes=30)
SEEN_UPDATES_KEPT = timedelta(days=2)


@dataclass
class DialogState:
    """A user's dialog in a chat as read at the start of an update; handlers change it, `dialog_save` writes it.
    Keyed by chat and user, so that nobody else's update in the same chat moves it."""

    bot: str
    chat_id: int
    user_id: int
    state: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    message_id: int | None = None
    expired: bool = False  # a dialog existed but had been silent for longer than DIALOG_TTL
    stored: bool = True  # False when no row existed at load: an empty dialog then has nothing to delete

    def go(self, state: str, **data: Any) -> None:
        self.state = state
        self.data.update(data)

    def reset(self) -> None:
        self.state, self.data, self.message_id = "", {}, None


def update_seen(*, bot: str, update_id: int, now: datetime) -> bool:
    """Record an update id; False when it was already recorded (Telegram delivered it again). One statement
    that skips a recorded id, rather than a transaction around an insert that may fail."""
    table = connection.ops.quote_name(SeenUpdate._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (bot, update_id, received_at) VALUES (%s, %s, %s) "
                       "ON CONFLICT (bot, update_id) DO NOTHING RETURNING id",
                       [bot, update_id, connection.ops.adapt_datetimefield_value(now)])
        return cursor.fetchone() is None


def dialog_load(*, bot: str, chat_id: int, user_id: int, now: datetime) -> DialogState:
    """The user's dialog in the chat, locked for this transaction. An expired dialog comes back empty, marked
    expired."""
    key = {"bot": bot, "chat_id": chat_id, "user_id": user_id}
    # Every update reads its dialog: a statement built once (at most one row: the key is unique).
    found = rows.select(Dialog, where=key, for_update=True)
    row = found[0] if found else None
    if row is None:
        return DialogState(**key, stored=False)
    if row.expires_at <= now:
        return DialogState(**key, expired=bool(row.state))
    return DialogState(**key, state=row.state, data=dict(row.data or {}), message_id=row.message_id)


def dialog_save(dialog: DialogState, *, now: datetime) -> None:
    key = {"bot": dialog.bot, "chat_id": dialog.chat_id, "user_id": dialog.user_id}
    if not dialog.state:
        if dialog.stored:
            Dialog.objects.filter(**key).delete()
        return
    values = {"state": dialog.state, "data": dialog.data, "message_id": dialog.message_id,
              "updated_at": now, "expires_at": now + DIALOG_TTL}
    # The row, if any, is locked since dialog_load: update it in place; a new chat's row is created.
    if Dialog.objects.filter(**key).update(**values):
        return
    try:
        with transaction.atomic():
            Dialog.objects.create(**key, **values)
    except IntegrityError:  # the dialog's first two updates raced; the later one's step wins
        Dialog.objects.filter(**key).update(**values)


def dialog_track_message(*, bot: str, chat_id: int, user_id: int, message_id: int) -> None:
    """The message just sent carries the current step's buttons."""
    Dialog.objects.filter(bot=bot, chat_id=chat_id, user_id=user_id).update(message_id=message_id)


def dialogs_purge(*, now: datetime) -> int:
    """Forget expired dialogs and old update ids (for the retention job)."""
    dialogs, _ = Dialog.objects.filter(expires_at__lte=now).delete()
    updates, _ = SeenUpdate.objects.filter(received_at__lt=now - SEEN_UPDATES_KEPT).delete()
    return dialogs + updates
