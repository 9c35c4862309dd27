"""Attendance: the client's "I will come" answer, the manager's no-show mark, and the no-show limit.
Every kind of booking shares these rules; each resource's services call them after locking the booking,
inside their own transactions. No-shows are counted through the resources' adapters."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.adapters import adapters
from kernel.bookings import Status
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.lifecycle import booking_transition
from kernel.outbox.models import Event

NO_SHOW_WINDOW_DAYS = 90


def check_can_confirm(*, booking, actor: Actor, starts_at: datetime, now: datetime) -> None:
    """The client who booked answers for an approved booking that has not started yet."""
    if actor.account is None or booking.requester_id != actor.account.pk:
        raise BookingError("forbidden", _("Only the client who booked can confirm the visit."))
    if booking.status != Status.APPROVED:
        raise BookingError("bad_transition", _("Booking %(ref)s is not approved, so there is nothing to confirm.")
                           % {"ref": booking.reference})
    if starts_at <= now:
        raise BookingError("already_started", _("The booking has already started."))


def booking_confirm_attendance(*, booking, actor: Actor, starts_at: datetime, now: datetime) -> bool:
    """Record the client's "I will come" on a locked booking; False if it was confirmed before."""
    check_can_confirm(booking=booking, actor=actor, starts_at=starts_at, now=now)
    if booking.client_confirmed_at is not None:
        return False
    booking.client_confirmed_at, booking.updated_at = now, now
    booking.save(update_fields=["client_confirmed_at", "updated_at"])
    return True


def booking_mark_no_show(*, booking, resource_type: str, actor: Actor, channel: str, starts_at: datetime,
                         now: datetime) -> None:
    """A manager says the client did not come: only once the booking has started, from approved (or from
    completed, which the end-of-booking sweep sets without knowing who came)."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can mark a no-show."))
    if booking.status in (Status.APPROVED, Status.COMPLETED) and starts_at > now:
        raise BookingError("not_started", _("Booking %(ref)s has not started yet: a no-show can be marked only "
                                            "after its start.") % {"ref": booking.reference})
    booking_transition(booking=booking, to_status=Status.NO_SHOW, resource_type=resource_type, actor=actor,
                       channel=channel, now=now, topic=Event.Topic.NO_SHOW, notify=False)


def no_shows_count(*, account=None, client_phone: str = "", now: datetime) -> int:
    """No-shows of this client (by Telegram account or phone) among bookings that started in the last 90 days."""
    who = Q()
    if account is not None:
        who |= Q(requester=account)
    if client_phone:
        who |= Q(client_phone=client_phone)
    if not who:
        return 0
    since = now - timedelta(days=NO_SHOW_WINDOW_DAYS)
    # Each resource counts its own; a booking that is part of another's visit is counted once (its adapter says).
    return sum(adapter.no_shows(who=who, since=since) for adapter in adapters())


def needs_approval_for_no_shows(*, account, client_phone: str, now: datetime) -> bool:
    limit = settings.NO_SHOW_LIMIT
    return bool(limit) and no_shows_count(account=account, client_phone=client_phone, now=now) >= limit
