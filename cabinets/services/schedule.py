"""What every cabinet schedule change shares (weekly hours, a holiday, a closure, taking a cabinet out of
service): the holding bookings it would strand, refused and listed unless the manager chose to cancel them,
those cancellations, and the event announcing the change.

Each change has a pure check (`*_check`: read-only, so an admin form may call it while validating) and the
service that locks, checks again with the same function, cancels what the manager chose to cancel, and saves."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.models import CabinetBooking
from cabinets.services.occupancy import lock_booking
from cabinets.services.status import RESOURCE, change_status
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from kernel.stranded import refuse_stranded, resolve_stranded

REASON_SCHEDULE_CHANGED = "the schedule changed"


def _when(moment: datetime) -> str:
    local = rules.local(moment)
    return f"{date_format(local.date(), 'd.m.Y')} {local:%H:%M}"


def describe(booking: CabinetBooking) -> str:
    return f"{booking.reference} {booking.cabinet.name} {_when(booking.starts_at)}"


def check_stranded(*, stranded: list[CabinetBooking], cancel_affected: bool, what) -> list[CabinetBooking]:
    """Refuse the change while it would strand bookings, unless the manager chose to cancel them. Read-only."""
    if not cancel_affected:
        refuse_stranded(stranded=stranded, what=what, describe=describe)
    return stranded


def cancel_stranded(*, stranded: list[CabinetBooking], actor: Actor, now: datetime) -> None:
    resolve_stranded(
        stranded=stranded, cancel_affected=True, what="", describe=describe,
        cancel=lambda b: change_status(booking=lock_booking(b), to_status=Status.CANCELLED, actor=actor, now=now,
                                        channel=Channel.ADMIN, reason=REASON_SCHEDULE_CHANGED),
    )


def future_holding(cabinet_ids=None, day: date | None = None, *, now: datetime):
    query = CabinetBooking.objects.filter(status__in=HOLDING_STATUSES, ends_at__gt=now).select_related("cabinet")
    if cabinet_ids is not None:
        query = query.filter(cabinet_id__in=cabinet_ids)
    if day is not None:
        start = datetime.combine(day, time(0), tzinfo=clinic_zone())
        query = query.filter(starts_at__lt=start + timedelta(days=1), ends_at__gt=start)
    return query.order_by("starts_at")


def require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change schedules."))


def validate(instance) -> None:
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean()
    except ValidationError as exc:
        messages = "; ".join(str(m) for m in exc.messages)
        raise BookingError("invalid", messages, fields=sorted(getattr(exc, "message_dict", {}) or {})) from exc


def schedule_changed(*, actor: Actor, now: datetime, payload: dict) -> None:
    event_record(
        topic=Event.Topic.SCHEDULE_CHANGED,
        resource_type=RESOURCE,
        booking_id=None,
        now=now,
        channel=Channel.ADMIN,
        actor_label=actor.label,
        payload=payload,
    )
