"""Status changes of any booking: the transition table, the history row, the outbox event, the metric.
Equipment and cabinet services call these inside their own transactions, after locking the booking."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel import metrics, prepayment, rows
from kernel.adapters import adapter_for
from kernel.bookings import HOLDING_STATUSES, TRANSITIONS, Status
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from kernel.pricing.services import booking_price_release
from kernel.waitlist.services import capacity_freed

TOPICS = {
    Status.PENDING: Event.Topic.PAID,  # only a paid booking becomes pending by a transition
    Status.APPROVED: Event.Topic.APPROVED,
    Status.REJECTED: Event.Topic.REJECTED,
    Status.CANCELLED: Event.Topic.CANCELLED,
    Status.COMPLETED: Event.Topic.COMPLETED,
    Status.NO_SHOW: Event.Topic.NO_SHOW,
}
REASON_NOT_DECIDED = "not decided in time"


def refusals_counted(resource_type: str):
    """Count every refusal of a booking request by its code (booking_refused_total), whatever the channel."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except BookingError as error:
                metrics.BOOKING_REFUSALS.labels(resource_type, error.code).inc()
                raise

        return wrapper

    return decorate


def _history_add(booking, **values) -> None:
    """A row of the booking's status history, inserted by a statement built once (`booking.history.create`
    builds a related manager on every access and an insert compiler on every save)."""
    descriptor = type(booking).history
    rows.insert(descriptor.rel.related_model(**{descriptor.field.name: booking}, **values))


def booking_created(*, booking, resource_type: str, actor: Actor, channel: str, now: datetime,
                    notify: bool = True) -> None:
    _history_add(booking, from_status="", to_status=booking.status, channel=channel, actor=actor.label, at=now)
    payload = {"status": booking.status} if notify else {"status": booking.status, "notify": False}
    event_record(topic=Event.Topic.CREATED, resource_type=resource_type, booking_id=booking.pk, now=now,
                 channel=channel, actor_label=actor.label, payload=payload)
    transaction.on_commit(lambda: metrics.BOOKINGS_CREATED.labels(resource_type, channel).inc())


def booking_transition(
    *,
    booking,
    to_status: str,
    resource_type: str,
    actor: Actor,
    channel: str,
    now: datetime,
    reason: str = "",
    topic: str | None = None,
    notify: bool = True,
) -> None:
    """Move a locked booking to `to_status`, or refuse with a message that says why."""
    from_status = booking.status
    if from_status == Status.AWAITING_PAYMENT and to_status != Status.CANCELLED and topic != Event.Topic.PAID:
        # Only its payment moves it on (payments/): a manager marks it paid in cash rather than approving it.
        raise BookingError("awaiting_payment", _("Booking %(ref)s is waiting for its payment: mark it paid first.")
                           % {"ref": booking.reference}, status=from_status)
    if to_status not in TRANSITIONS[from_status]:
        if to_status in (Status.APPROVED, Status.REJECTED) and from_status != Status.PENDING:
            raise BookingError(
                "already_decided",
                _("Booking %(ref)s is already %(status)s (%(by)s).") % {
                    "ref": booking.reference, "status": Status(from_status).label.lower(),
                    "by": booking.decided_by or _("no one")},
                status=from_status, decided_by=booking.decided_by,
            )
        raise BookingError(
            "bad_transition",
            _("Booking %(ref)s is %(status)s and cannot become %(target)s.") % {
                "ref": booking.reference, "status": Status(from_status).label.lower(),
                "target": Status(to_status).label.lower()},
            status=from_status,
        )
    booking.status = to_status
    booking.updated_at = now
    fields = ["status", "updated_at"]
    if to_status in (Status.APPROVED, Status.REJECTED):
        booking.decided_by = actor.label
        booking.decided_at = now
        fields += ["decided_by", "decided_at"]
    if reason:
        booking.status_reason = reason[:500]
        fields.append("status_reason")
    booking.save(update_fields=fields)
    booking.history.create(from_status=from_status, to_status=to_status, channel=channel, actor=actor.label,
                           reason=reason[:500], at=now)
    event_record(topic=topic or TOPICS[to_status], resource_type=resource_type, booking_id=booking.pk, now=now,
                 channel=channel, actor_label=actor.label,
                 payload={"from": from_status, "to": to_status, "reason": reason[:500], "notify": notify})
    transaction.on_commit(
        lambda: metrics.BOOKING_STATUS_CHANGES.labels(resource_type, to_status, channel).inc())
    if to_status in (Status.CANCELLED, Status.REJECTED):
        booking_price_release(resource_type=resource_type, booking_id=booking.pk, now=now)
        prepayment.booking_ended(booking=booking, resource_type=resource_type, from_status=from_status,
                                 to_status=to_status, actor=actor, reason=reason, now=now)
        _freed(booking, resource_type, now)


def _freed(booking, resource_type: str, now: datetime, *also: int) -> None:
    """Capacity came free: after commit, waiters of the booking's resource (and of the one it moved from) are
    offered what now fits."""
    resource_id = adapter_for(resource_type).booking_resource_id(booking)
    capacity_freed(resource_type=resource_type, resource_ids=[resource_id, *also], now=now)


def booking_moved(*, booking, resource_type: str, actor: Actor, channel: str, now: datetime, before: dict) -> None:
    booking.history.create(from_status=booking.status, to_status=booking.status, channel=channel,
                           actor=actor.label, reason="moved", at=now)
    event_record(topic=Event.Topic.MOVED, resource_type=resource_type, booking_id=booking.pk, now=now,
                 channel=channel, actor_label=actor.label, payload={"before": before})
    _freed(booking, resource_type, now, adapter_for(resource_type).moved_from(before))


def bookings_sweep(queryset, change, *, batch: int = 500) -> int:
    """Apply `change(booking)` to up to `batch` bookings of `queryset`, each in its own short transaction and
    re-read under a row lock, so a booking changed meanwhile (no longer matching) is skipped."""
    done = 0
    for pk in list(queryset.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            booking = queryset.select_for_update().filter(pk=pk).first()
            if booking is None:
                continue
            change(booking)
            done += 1
    return done


def undecided_too_long(start_passed: Q, *, now: datetime) -> Q:
    """Which pending bookings are cancelled as "not decided in time": those whose start has passed, and with
    APPROVAL_EXPIRE_HOURS set, also those waiting longer than that."""
    hours = settings.APPROVAL_EXPIRE_HOURS
    return start_passed | Q(created_at__lte=now - timedelta(hours=hours)) if hours > 0 else start_passed


def bookings_remind_undecided(queryset, *, resource_type: str, now: datetime, batch: int = 500) -> int:
    """Announce again, once, the pending bookings of `queryset` waiting longer than APPROVAL_REMIND_MINUTES.
    Each is claimed with a conditional update, so overlapping runs announce it only once; the announcement
    is an outbox event recorded in the same transaction as the claim."""
    minutes = settings.APPROVAL_REMIND_MINUTES
    if minutes <= 0:
        return 0
    waiting = queryset.filter(status=Status.PENDING, approval_reminded_at__isnull=True,
                              created_at__lte=now - timedelta(minutes=minutes))
    done = 0
    for pk, created_at in list(waiting.order_by("created_at", "pk").values_list("pk", "created_at")[:batch]):
        with transaction.atomic():
            claimed = queryset.model.objects.filter(pk=pk, status=Status.PENDING, approval_reminded_at__isnull=True
                                                    ).update(approval_reminded_at=now)
            if not claimed:
                continue
            event_record(topic=Event.Topic.APPROVAL_OVERDUE, resource_type=resource_type, booking_id=pk, now=now,
                         channel=Channel.SYSTEM, payload={"waited_minutes": int((now - created_at).total_seconds()
                                                                                // 60)})
        metrics.APPROVAL_REMINDERS.labels(resource_type).inc()
        done += 1
    return done


def _cancel_refusal(*, booking, actor: Actor, starts_at: datetime, now: datetime) -> BookingError | None:
    if actor.is_manager:
        return None
    if actor.partner is not None:
        # Partners (the API) cancel their own bookings at any time, as before; their clients' deadline is theirs.
        return None if booking.partner_id == actor.partner.pk else BookingError("not_found")
    if actor.account is None or booking.requester_id != actor.account.pk:
        return BookingError("forbidden", _("You can cancel only your own bookings."))
    if starts_at <= now:
        return BookingError("already_started", _("A booking that has started cannot be cancelled."))
    return None


def check_can_cancel(*, booking, actor: Actor, starts_at: datetime, now: datetime) -> None:
    """Owners cancel their own bookings before they start; managers and the owning partner any time.
    `starts_at` is the resource's start instant (`cabinets.rules` / `equipment.rules.booking_starts_at`)."""
    refusal = _cancel_refusal(booking=booking, actor=actor, starts_at=starts_at, now=now)
    if refusal is not None:
        raise refusal


def not_cancellable(booking) -> BookingError:
    """The refusal every door gives when `can_cancel` says no (shown before the service is asked)."""
    code = "already_started" if booking.status in HOLDING_STATUSES else "bad_transition"
    return BookingError(code, _("Booking %(ref)s can no longer be cancelled (it is %(status)s or has started).")
                        % {"ref": booking.reference, "status": Status(booking.status).label.lower()})


def can_cancel(*, booking, actor: Actor, starts_at: datetime, now: datetime) -> bool:
    """Whether `actor` may cancel `booking` now: it still holds its place (pending or approved) and
    `check_can_cancel` would let it through. Every door asks this to show or hide its Cancel button."""
    return (Status.CANCELLED in TRANSITIONS[booking.status]
            and _cancel_refusal(booking=booking, actor=actor, starts_at=starts_at, now=now) is None)


def check_can_decide(actor: Actor) -> None:
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can approve or reject bookings."))


def check_requester(*, actor: Actor, holding_count) -> None:
    """Blocked accounts cannot book; non-manager Telegram users are limited per kind of booking."""
    from django.conf import settings

    account = actor.account
    if account is None:
        return
    if account.is_blocked:
        raise BookingError("blocked", _("Your account is blocked, so you cannot book. Please contact a manager."))
    limit = settings.MAX_ACTIVE_BOOKINGS_PER_USER
    if limit and not account.is_manager:
        # Count under a lock on the account, so parallel requests for different resources queue here.
        from accounts.models import TelegramAccount
        from kernel import locking

        locking.lock(TelegramAccount, [account.pk])
    if limit and not account.is_manager and holding_count() >= limit:
        raise BookingError(
            "limit_reached",
            _("You already have %(n)s active bookings, the most allowed. Cancel one or contact a manager.")
            % {"n": limit},
            limit=limit,
        )


def initial_status(actor: Actor, *, client_phone: str = "", now: datetime | None = None) -> str:
    """Clients' requests wait for a manager; managers', staff's and partners' bookings are approved at once,
    except for a client with NO_SHOW_LIMIT no-shows in the last 90 days (by account or phone): a manager
    decides those."""
    from kernel.attendance import needs_approval_for_no_shows

    if actor.is_manager:
        return Status.APPROVED
    if actor.partner is None:
        return Status.PENDING
    if now is not None and needs_approval_for_no_shows(account=actor.account, client_phone=client_phone, now=now):
        return Status.PENDING
    return Status.APPROVED


def owner_fields(actor: Actor) -> dict:
    return {
        "requester": actor.account,
        "partner": actor.partner,
        "created_by": actor.user,
    }
