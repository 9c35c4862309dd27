"""Calendar links and feeds: issue, revoke and resolve private tokens (only their SHA-256 is stored), and the
feeds they open. Feeds are read in a fixed number of queries whatever the number of bookings."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from cabinets.models import Cabinet, CabinetBooking
from equipment.models import EquipmentBooking
from integrations.calendar import ics
from integrations.calendar.models import CalendarToken
from kernel import locking
from kernel.clock import clinic_zone

TOKEN_BYTES = 24
CABINET_FEED_PAST_DAYS = 7
FEED_MAX_EVENTS = 1000


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def calendar_token_issue(*, now: datetime, account: TelegramAccount | None = None, cabinet: Cabinet | None = None,
                         user=None, label: str = "", issued_by=None) -> tuple[CalendarToken, str]:
    """A new link; returns the row and the raw token (shown once). A new personal link of an account revokes
    its previous one. `issued_by`: the admin user who made it (whether its feed may show names)."""
    if account is None and cabinet is None:
        raise ValueError("a calendar link needs an account or a cabinet")
    if cabinet is None:
        locking.lock(TelegramAccount, [account.pk])
        CalendarToken.objects.filter(account=account, cabinet__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = CalendarToken.objects.create(token_hash=token_hash(raw), prefix=raw[:6], account=account,
                                         cabinet=cabinet, user=user, label=label[:100], created_at=now,
                                         issued_by=issued_by)
    return token, raw


def calendar_token_revoke(*, token: CalendarToken, now: datetime) -> bool:
    return bool(CalendarToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now))


def personal_token(account: TelegramAccount) -> CalendarToken | None:
    return CalendarToken.objects.filter(account=account, cabinet__isnull=True, revoked_at__isnull=True).first()


def calendar_token_resolve(raw: str, *, cabinet_id: int | None, now: datetime) -> CalendarToken | None:
    """The active token for this raw secret and kind of feed, or None (unknown, revoked, another feed)."""
    if not raw or len(raw) > 100:
        return None
    token = (CalendarToken.objects.select_related("account", "user", "cabinet", "issued_by")
             .filter(token_hash=token_hash(raw), revoked_at__isnull=True).first())
    if token is None or token.cabinet_id != cabinet_id:
        return None
    if token.cabinet is not None and not token.cabinet.is_active:
        return None
    # Remember the last use, at most once an hour, so a calendar polling the feed does not write each time.
    if token.last_used_at is None or token.last_used_at < now - timedelta(hours=1):
        CalendarToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def personal_url(raw: str) -> str:
    return settings.PUBLIC_URL + reverse("calendar_personal", args=[raw])


def cabinet_url(cabinet_id: int, raw: str) -> str:
    return settings.PUBLIC_URL + reverse("calendar_cabinet", args=[cabinet_id, raw])


def _with_equipment():
    return Prefetch("equipment_bookings", queryset=EquipmentBooking.objects.select_related("item").order_by("pk"))


def personal_feed(*, account: TelegramAccount, now: datetime) -> bytes:
    """The account's bookings that have not ended, both kinds; cancelled ones stay as STATUS:CANCELLED."""
    today = timezone.localtime(now, clinic_zone()).date()
    cabinets = (CabinetBooking.objects.filter(requester=account, ends_at__gt=now)
                .select_related("cabinet").prefetch_related(_with_equipment())
                .annotate(changes=Count("history", distinct=True)).order_by("starts_at", "pk")[:FEED_MAX_EVENTS])
    equipment = (EquipmentBooking.objects.filter(requester=account, end_date__gte=today,
                                                 cabinet_booking__isnull=True)
                 .select_related("item").annotate(changes=Count("history", distinct=True))
                 .order_by("start_date", "pk")[:FEED_MAX_EVENTS])
    with translation.override(account.language):
        events = [ics.cabinet_event(b, sequence=b.changes - 1) for b in cabinets]
        events += [ics.equipment_event(b, sequence=b.changes - 1) for b in equipment]
        return ics.calendar(events, name=_("My clinic bookings"))


def cabinet_feed(*, token: CalendarToken, now: datetime) -> bytes:
    """A cabinet's bookings from a week ago on, for its staff: names masked unless a manager issued the link
    to a manager."""
    cabinet = token.cabinet
    names = "full" if token.shows_names else "masked"
    bookings = (CabinetBooking.objects.filter(cabinet=cabinet,
                                              ends_at__gt=now - timedelta(days=CABINET_FEED_PAST_DAYS))
                .select_related("cabinet").prefetch_related(_with_equipment())
                .annotate(changes=Count("history", distinct=True)).order_by("starts_at", "pk")[:FEED_MAX_EVENTS])
    language = token.account.language if token.account is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        events = [ics.cabinet_event(b, sequence=b.changes - 1, names=names) for b in bookings]
        return ics.calendar(events, name=cabinet.name)


def booking_attachment(*, kind: str, booking, language: str) -> bytes:
    """The .ics sent with a confirmation: the same event (UID, SEQUENCE) the feeds show."""
    return ics.booking_ics(booking, kind=kind, language=language, sequence=booking.history.count() - 1)
