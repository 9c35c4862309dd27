"""Cabinet bookings, slot holds and schedule changes: the only place their rules live.

Every check-and-write locks the cabinet row first, inside one transaction; the occupancy table's unique
index (and on PostgreSQL an exclusion constraint) refuses an overlap even if a check were skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cabinets import rules
from cabinets.alternatives import cabinet_alternatives
from cabinets.availability import CabinetDay, cabinet_day, clinic_zone
from cabinets.models import (
    Cabinet,
    CabinetBooking,
    CabinetOccupancy,
    Closure,
    Holiday,
    SlotHold,
    WeeklySchedule,
)
from equipment.models import Item
from equipment.services import equipment_follow_cabinet, equipment_window_move, equipment_window_reserve
from kernel import locking
from kernel.alternatives import offers_alternatives
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor, Channel
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.idempotency import partner_create, partner_external_id
from kernel.lifecycle import (
    REASON_NOT_DECIDED,
    booking_created,
    booking_moved,
    booking_transition,
    bookings_remind_undecided,
    bookings_sweep,
    check_can_cancel,
    check_can_decide,
    check_requester,
    initial_status,
    owner_fields,
    refusals_counted,
    undecided_too_long,
)
from kernel.outbox.models import Event
from kernel.outbox.services import event_record
from kernel.scheduling import DayWindow, day_slots, grid_points, slot_run
from kernel.stranded import refuse_stranded, resolve_stranded

RESOURCE = "cabinet"
REASON_SCHEDULE_CHANGED = "the schedule changed"


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, clinic_zone())


def _utc(moment: datetime) -> datetime:
    """Instants are compared and added to in UTC: wall-clock arithmetic in a DST zone goes wrong."""
    if timezone.is_naive(moment):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    return moment.astimezone(UTC)


def _hhmm(moment: datetime) -> str:
    return _local(moment).strftime("%H:%M")


def _when(moment: datetime) -> str:
    return f"{date_format(_local(moment).date(), 'd.m.Y')} {_hhmm(moment)}"


def _check_lead_time(*, starts_at: datetime, now: datetime, far_ahead_ok: bool = False) -> None:
    if starts_at < now:
        raise BookingError("date_in_past", _("This time has already passed."))
    minimum = settings.CABINET_MIN_ADVANCE_MINUTES
    if starts_at < now + timedelta(minutes=minimum):
        raise BookingError(
            "too_soon",
            _("Too close to the start: book at least %(n)s minutes ahead.") % {"n": minimum},
            min_advance_minutes=minimum,
        )
    maximum = settings.CABINET_MAX_ADVANCE_DAYS
    if not far_ahead_ok and starts_at > now + timedelta(days=maximum):
        raise BookingError(
            "too_far_ahead",
            _("Too far ahead: cabinets can be booked up to %(n)s days ahead.") % {"n": maximum},
            max_advance_days=maximum,
        )


def check_lunch_break(
    *, cabinet: Cabinet, starts_at: datetime, duration_minutes: int | None = None, window: DayWindow | None = None
) -> None:
    """Refuse a window that starts in, or runs into, the cabinet's lunch break that day (`closed`, reason
    `lunch`). Read only: `window` is the day's hours when the caller has them, else the weekly schedule's."""
    start = _local(starts_at)
    if window is None:
        schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=start.weekday(), is_day_off=False).first()
        if schedule is None:
            return
        lunch_start, lunch_end = schedule.lunch_start, schedule.lunch_end
    else:
        lunch_start, lunch_end = window.lunch_start, window.lunch_end
    if lunch_start is None or lunch_end is None:
        return
    zone = clinic_zone()
    begins = datetime.combine(start.date(), lunch_start, tzinfo=zone)
    ends = datetime.combine(start.date(), lunch_end, tzinfo=zone)
    finish = starts_at + timedelta(minutes=duration_minutes or 0)
    if begins <= starts_at < ends:
        at = start
    elif starts_at < begins < finish:
        at = begins
    else:
        return
    raise BookingError(
        "closed",
        _("%(time)s is during the lunch break (%(start)s–%(end)s) in %(cabinet)s.")
        % {"time": f"{at:%H:%M}", "start": f"{lunch_start:%H:%M}", "end": f"{lunch_end:%H:%M}",
           "cabinet": cabinet.name},
        reason="lunch", lunch_start=f"{lunch_start:%H:%M}", lunch_end=f"{lunch_end:%H:%M}", field="starts_at",
    )


def _check_request(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    now: datetime,
    holder_id: int | None,
    exclude_booking_ids: Sequence[int] = (),
    far_ahead_ok: bool = False,
) -> CabinetDay:
    """All the cabinet rules for one request: active, lead time, schedule, consecutive slots, free.
    `far_ahead_ok` lifts CABINET_MAX_ADVANCE_DAYS for the later occurrences of a series (cabinets.series)."""
    if not cabinet.is_active:
        raise BookingError("inactive", _("%(cabinet)s is not available for booking.") % {"cabinet": cabinet.name})
    if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) or duration_minutes <= 0:
        raise BookingError("invalid", _("The duration must be a positive number of minutes."), field="duration_minutes")
    _check_lead_time(starts_at=starts_at, now=now, far_ahead_ok=far_ahead_ok)
    day = cabinet_day(
        cabinet=cabinet,
        day=_local(starts_at).date(),
        now=now,
        holder_id=holder_id,
        exclude_booking_ids=exclude_booking_ids,
    )
    if day.closed_reason:
        raise BookingError(
            "closed",
            _("%(cabinet)s is closed on %(day)s (%(reason)s).")
            % {"cabinet": cabinet.name, "day": date_format(day.date, "d.m.Y"), "reason": day.closed_reason},
            reason=day.closed_reason,
        )
    step = day.window.slot_minutes
    longest = step * settings.CABINET_MAX_SLOTS
    if duration_minutes % step:
        raise BookingError(
            "not_a_slot", _("The duration must be a multiple of %(n)s minutes.") % {"n": step}, slot_minutes=step
        )
    if duration_minutes > longest:
        raise BookingError(
            "too_long", _("A booking can last at most %(n)s minutes.") % {"n": longest}, max_minutes=longest
        )
    check_lunch_break(cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, window=day.window)
    if not any(slot.start == starts_at for slot in day.grid):
        raise BookingError(
            "not_a_slot",
            _("%(time)s is not the start of a slot in %(cabinet)s.")
            % {"time": _hhmm(starts_at), "cabinet": cabinet.name},
        )
    run = slot_run(day.grid, starts_at, duration_minutes)
    if run is None:
        start_slot = day.slot_at(starts_at)
        fits = [d for d in (start_slot.durations if start_slot else [])]
        raise BookingError(
            "too_long",
            _("From %(time)s the cabinet is free for at most %(n)s minutes (lunch, a closure or closing time follows).")
            % {"time": _hhmm(starts_at), "n": max(fits) if fits else 0},
            durations=fits,
        )
    for interval in run:
        state = day.slot_at(interval.start).state
        if state == "taken":
            raise BookingError(
                "slot_taken",
                _("%(time)s in %(cabinet)s is already taken.")
                % {"time": _hhmm(interval.start), "cabinet": cabinet.name},
                slot=interval.start.isoformat(),
            )
        if state == "held":
            raise BookingError(
                "held",
                _("%(time)s in %(cabinet)s is being booked by someone else right now.")
                % {"time": _hhmm(interval.start), "cabinet": cabinet.name},
                slot=interval.start.isoformat(),
            )
    return day


def _lock_cabinet(cabinet_id: int) -> Cabinet:
    return locking.lock_one(Cabinet, cabinet_id, _("This cabinet does not exist."))


def _occupy(booking: CabinetBooking) -> None:
    """Write the occupancy rows; the unique index turns a lost race into a clear 'taken'."""
    rows = [
        CabinetOccupancy(cabinet_id=booking.cabinet_id, booking=booking, starts_at=point)
        for point in grid_points(booking.starts_at, booking.ends_at)
    ]
    try:
        with transaction.atomic():
            CabinetOccupancy.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise BookingError(
            "slot_taken",
            _("This time in %(cabinet)s was just taken by someone else.") % {"cabinet": booking.cabinet.name},
        ) from exc


def _release(booking: CabinetBooking) -> None:
    CabinetOccupancy.objects.filter(booking=booking).delete()


# --- Slot holds -----------------------------------------------------------------------------------


@offers_alternatives(cabinet_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def slot_hold_take(
    *, cabinet: Cabinet, starts_at: datetime, account, now: datetime, duration_minutes: int | None = None
) -> SlotHold:
    """Hold slots for a Telegram user while they finish the dialog: nobody else can take them until the
    hold expires (SLOT_HOLD_MINUTES) or becomes a booking. A user has one hold; taking another moves it."""
    check_requester(actor=Actor.telegram(account), holding_count=lambda: 0)
    starts_at = _utc(starts_at)
    cabinet = _lock_cabinet(cabinet.pk)
    if duration_minutes is None:
        schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=_local(starts_at).weekday()).first()
        duration_minutes = schedule.slot_minutes if schedule else 30
    _check_request(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, now=now, holder_id=account.pk
    )
    locking.after_check()
    SlotHold.objects.filter(holder=account).delete()
    return SlotHold.objects.create(
        cabinet=cabinet,
        holder=account,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        expires_at=now + timedelta(minutes=settings.SLOT_HOLD_MINUTES),
        created_at=now,
    )


def slot_hold_release(*, account) -> int:
    deleted, _ = SlotHold.objects.filter(holder=account).delete()
    return deleted


# --- Bookings -------------------------------------------------------------------------------------


def _holding_count(account, now: datetime) -> int:
    return CabinetBooking.objects.filter(requester=account, status__in=HOLDING_STATUSES, ends_at__gt=now).count()


@offers_alternatives(cabinet_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def cabinet_booking_create(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    external_booking_id: str | None = None,
    series=None,
    series_index: int | None = None,
    notify: bool = True,
) -> CabinetBooking:
    """Book 1..CABINET_MAX_SLOTS consecutive slots, with optional equipment for the same window: both or
    neither. The requester's own slot hold, if any, becomes this booking. An occurrence of a `series`
    (cabinets.series) belongs to the series' client and may lie beyond CABINET_MAX_ADVANCE_DAYS."""
    check_requester(actor=actor, holding_count=lambda: _holding_count(actor.account, now))
    starts_at = _utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    cabinet = _lock_cabinet(cabinet.pk)
    holder_id = actor.account.pk if actor.account is not None else None
    _check_request(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, now=now, holder_id=holder_id,
        far_ahead_ok=series is not None,
    )
    locking.after_check()
    status = initial_status(actor, client_phone=phone, now=now)
    owner = owner_fields(actor)
    if series is not None and series.requester_id:
        owner["requester"] = series.requester
    booking = CabinetBooking(
        cabinet=cabinet,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        status=status,
        channel=channel,
        client_name=name,
        client_phone=phone,
        comment=comment,
        external_booking_id=external_booking_id or None,
        created_at=now,
        updated_at=now,
        decided_by=actor.label if status == Status.APPROVED else "",
        decided_at=now if status == Status.APPROVED else None,
        series=series,
        series_index=series_index,
        **owner,
    )
    booking.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: someone else won the race
        raise BookingError(
            "slot_taken", _("This time in %(cabinet)s was just taken by someone else.") % {"cabinet": cabinet.name}
        ) from exc
    _occupy(booking)
    equipment_window_reserve(cabinet_booking=booking, lines=equipment, actor=actor, now=now)
    if holder_id is not None:
        SlotHold.objects.filter(holder_id=holder_id).delete()
    booking_created(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, notify=notify)
    return booking


def partner_fingerprint(
    *,
    external_booking_id: str,
    cabinet_id: int,
    starts_at: datetime,
    duration_minutes: int,
    equipment: Sequence[tuple[int, int]],
    client_name: str,
    client_phone: str,
    comment: str,
) -> dict:
    return {
        "external_booking_id": external_booking_id,
        "cabinet_id": cabinet_id,
        "starts_at": starts_at.astimezone(clinic_zone()).isoformat(),
        "duration_minutes": duration_minutes,
        "equipment": sorted([list(line) for line in equipment]),
        "client_name": client_name,
        "client_phone": client_phone,
        "comment": comment,
    }


def _fingerprint_of(booking: CabinetBooking) -> dict:
    lines = [(b.item_id, b.units) for b in booking.equipment_bookings.all()]
    return partner_fingerprint(
        external_booking_id=booking.external_booking_id,
        cabinet_id=booking.cabinet_id,
        starts_at=booking.starts_at,
        duration_minutes=booking.duration_minutes,
        equipment=lines,
        client_name=booking.client_name,
        client_phone=booking.client_phone,
        comment=booking.comment,
    )


def merged_lines(equipment: Sequence[tuple[Item, int]]) -> list[tuple[int, int]]:
    """(item id, units) per item, as a partner's fingerprint names the equipment."""
    merged: dict[int, int] = {}
    for item, units in equipment:
        merged[item.pk] = merged.get(item.pk, 0) + units
    return list(merged.items())


def cabinet_booking_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    client_name: str,
    client_phone: str,
    now: datetime,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    idempotency_key: str | None = None,
) -> tuple[CabinetBooking, bool]:
    """A partner's cabinet booking, approved at once; (booking, replayed) as for equipment."""
    external_booking_id = partner_external_id(external_booking_id)
    starts_at = _utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    return partner_create(
        partner=partner,
        model=CabinetBooking,
        resource_type=RESOURCE,
        external_booking_id=external_booking_id,
        idempotency_key=idempotency_key,
        fingerprint=partner_fingerprint(
            external_booking_id=external_booking_id, cabinet_id=cabinet.pk, starts_at=starts_at,
            duration_minutes=duration_minutes, equipment=merged_lines(equipment), client_name=name,
            client_phone=phone, comment=comment,
        ),
        fingerprint_of=_fingerprint_of,
        lock=lambda: _lock_cabinet(cabinet.pk),
        create=lambda: cabinet_booking_create(
            cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, client_name=name,
            client_phone=phone, comment=comment, equipment=equipment, actor=Actor.for_partner(partner),
            channel=Channel.API, now=now, external_booking_id=external_booking_id,
        ),
        now=now,
    )


def _locked(booking: CabinetBooking) -> CabinetBooking:
    return locking.lock_one(CabinetBooking, booking.pk, _("This booking does not exist."))


def _change_status(
    *,
    booking: CabinetBooking,
    to_status: str,
    actor: Actor,
    now: datetime,
    channel: str,
    reason: str = "",
    topic: str | None = None,
    notify: bool = True,
) -> CabinetBooking:
    booking_transition(
        booking=booking,
        to_status=to_status,
        resource_type=RESOURCE,
        actor=actor,
        channel=channel,
        now=now,
        reason=reason,
        topic=topic,
        notify=notify,
    )
    equipment_follow_cabinet(cabinet_booking=booking, to_status=to_status, actor=actor, now=now, reason=reason)
    if to_status not in HOLDING_STATUSES:
        _release(booking)
    return booking


@transaction.atomic
def cabinet_booking_approve(
    *, booking: CabinetBooking, actor: Actor, now: datetime, channel: str = Channel.ADMIN
) -> CabinetBooking:
    check_can_decide(actor)
    return _change_status(booking=_locked(booking), to_status=Status.APPROVED, actor=actor, now=now, channel=channel)


@transaction.atomic
def cabinet_booking_reject(
    *, booking: CabinetBooking, actor: Actor, now: datetime, reason: str = "", channel: str = Channel.ADMIN
) -> CabinetBooking:
    check_can_decide(actor)
    return _change_status(
        booking=_locked(booking), to_status=Status.REJECTED, actor=actor, now=now, channel=channel, reason=reason
    )


@transaction.atomic
def cabinet_booking_cancel(
    *, booking: CabinetBooking, actor: Actor, now: datetime, reason: str = "", channel: str = Channel.ADMIN
) -> CabinetBooking:
    """Owner (before the start), owning partner or manager. Frees the slots and the equipment at once."""
    booking = _locked(booking)
    check_can_cancel(booking=booking, actor=actor, starts_at=rules.booking_starts_at(booking), now=now)
    return _change_status(
        booking=booking, to_status=Status.CANCELLED, actor=actor, now=now, channel=channel, reason=reason
    )


@transaction.atomic
def cabinet_booking_move(
    *,
    booking: CabinetBooking,
    actor: Actor,
    now: datetime,
    cabinet: Cabinet | None = None,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    channel: str = Channel.ADMIN,
) -> CabinetBooking:
    """Another cabinet, start or duration, with the same checks as a new booking; attached equipment moves
    with it and must be free in the new window."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can move bookings."))
    booking = _locked(booking)
    if not booking.is_holding:
        raise BookingError("bad_transition", _("Only pending or approved bookings can be moved."))
    target_id = cabinet.pk if cabinet is not None else booking.cabinet_id
    locking.lock(Cabinet, {booking.cabinet_id, target_id})
    target = Cabinet.objects.get(pk=target_id)
    new_start = _utc(starts_at) if starts_at else booking.starts_at
    minutes = duration_minutes or booking.duration_minutes
    _check_request(
        cabinet=target,
        starts_at=new_start,
        duration_minutes=minutes,
        now=now,
        holder_id=None,
        exclude_booking_ids=[booking.pk],
    )
    new_end = new_start + timedelta(minutes=minutes)
    locking.after_check()
    before = {
        "cabinet_id": booking.cabinet_id,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
    }
    _release(booking)
    booking.cabinet, booking.starts_at, booking.ends_at, booking.updated_at = target, new_start, new_end, now
    try:
        with transaction.atomic():
            booking.save(update_fields=["cabinet", "starts_at", "ends_at", "updated_at"])
    except IntegrityError as exc:
        raise BookingError("slot_taken", _("This time was just taken by someone else.")) from exc
    _occupy(booking)
    # The equipment app checks and writes its own rows; a refusal there rolls this whole move back.
    equipment_window_move(cabinet_booking=booking, actor=actor, now=now)
    booking_moved(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, before=before)
    return booking


# --- Sweeps ---------------------------------------------------------------------------------------


def _system_change(*, to_status: str, now: datetime, reason: str = "", topic: str | None = None, notify: bool):
    return lambda booking: _change_status(booking=booking, to_status=to_status, actor=Actor.system(), now=now,
                                          channel=Channel.SYSTEM, reason=reason, topic=topic, notify=notify)


def cabinet_bookings_complete_ended(*, now: datetime, batch: int = 500) -> int:
    """Approved bookings whose end has passed become completed."""
    ended = CabinetBooking.objects.filter(status=Status.APPROVED, ends_at__lte=now)
    return bookings_sweep(ended, _system_change(to_status=Status.COMPLETED, now=now, notify=False), batch=batch)


def cabinet_bookings_expire_undecided(*, now: datetime, batch: int = 500) -> int:
    """Pending bookings whose start has passed without a decision (or that waited longer than
    APPROVAL_EXPIRE_HOURS) are cancelled."""
    undecided = CabinetBooking.objects.filter(undecided_too_long(Q(starts_at__lte=now), now=now),
                                              status=Status.PENDING)
    change = _system_change(to_status=Status.CANCELLED, now=now, reason=REASON_NOT_DECIDED,
                            topic=Event.Topic.EXPIRED, notify=True)
    return bookings_sweep(undecided, change, batch=batch)


def cabinet_bookings_remind_undecided(*, now: datetime, batch: int = 500) -> int:
    """Requests waiting longer than APPROVAL_REMIND_MINUTES are announced to managers once more."""
    return bookings_remind_undecided(CabinetBooking.objects.all(), resource_type=RESOURCE, now=now, batch=batch)


def upcoming_for_requester(*, account, now: datetime, past_days: int = 14):
    since = now - timedelta(days=past_days)
    return (
        CabinetBooking.objects.filter(requester=account, ends_at__gte=since)
        .select_related("cabinet", "series")
        .prefetch_related("equipment_bookings__item")
        .order_by("-starts_at", "-id")
    )


# --- Schedule changes ------------------------------------------------------------------------------


def _fits(booking: CabinetBooking, window: DayWindow | None, closures=()) -> bool:
    if window is None:
        return False
    local_start = _local(booking.starts_at)
    grid = day_slots(local_start.date(), window, clinic_zone(), closures)
    return slot_run(grid, booking.starts_at, booking.duration_minutes) is not None


def _describe(booking: CabinetBooking) -> str:
    return f"{booking.reference} {booking.cabinet.name} {_when(booking.starts_at)}"


def _check_stranded(*, stranded: list[CabinetBooking], cancel_affected: bool, what) -> list[CabinetBooking]:
    """Refuse the change while it would strand bookings, unless the manager chose to cancel them. Read-only."""
    if not cancel_affected:
        refuse_stranded(stranded=stranded, what=what, describe=_describe)
    return stranded


def _cancel_stranded(*, stranded: list[CabinetBooking], actor: Actor, now: datetime) -> None:
    resolve_stranded(
        stranded=stranded, cancel_affected=True, what="", describe=_describe,
        cancel=lambda b: _change_status(booking=_locked(b), to_status=Status.CANCELLED, actor=actor, now=now,
                                        channel=Channel.ADMIN, reason=REASON_SCHEDULE_CHANGED),
    )


def _future_holding(cabinet_ids=None, day: date | None = None, *, now: datetime):
    query = CabinetBooking.objects.filter(status__in=HOLDING_STATUSES, ends_at__gt=now).select_related("cabinet")
    if cabinet_ids is not None:
        query = query.filter(cabinet_id__in=cabinet_ids)
    if day is not None:
        start = datetime.combine(day, time(0), tzinfo=clinic_zone())
        query = query.filter(starts_at__lt=start + timedelta(days=1), ends_at__gt=start)
    return query.order_by("starts_at")


def _require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change schedules."))


# Each change below has a pure check (`*_check`: read-only, so an admin form may call it while validating)
# and the service that locks, checks again with the same function, cancels what the manager chose to
# cancel, and saves.


def weekly_schedule_check(
    *,
    cabinet: Cabinet,
    weekday: int,
    now: datetime,
    is_day_off: bool = False,
    opens: time | None = None,
    closes: time | None = None,
    slot_minutes: int = 30,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
    cancel_affected: bool = False,
) -> tuple[WeeklySchedule, list[CabinetBooking]]:
    """The weekday's row as it would be (not saved) and the bookings the new hours would strand."""
    schedule = WeeklySchedule.objects.filter(cabinet=cabinet, weekday=weekday).first() or WeeklySchedule(
        cabinet=cabinet, weekday=weekday
    )
    schedule.is_day_off = is_day_off
    schedule.opens, schedule.closes = (None, None) if is_day_off else (opens, closes)
    schedule.slot_minutes = slot_minutes
    schedule.lunch_start, schedule.lunch_end = (None, None) if is_day_off else (lunch_start, lunch_end)
    _validate(schedule)
    window = (
        None
        if is_day_off
        else DayWindow(
            opens=opens, closes=closes, slot_minutes=slot_minutes, lunch_start=lunch_start, lunch_end=lunch_end
        )
    )
    stranded = [
        b
        for b in _future_holding([cabinet.pk], now=now)
        if _local(b.starts_at).weekday() == weekday and not _fits(b, window, _closures_of(b))
    ]
    return schedule, _check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=_("The new hours"))


@transaction.atomic
def weekly_schedule_save(
    *,
    cabinet: Cabinet,
    weekday: int,
    actor: Actor,
    now: datetime,
    is_day_off: bool = False,
    opens: time | None = None,
    closes: time | None = None,
    slot_minutes: int = 30,
    lunch_start: time | None = None,
    lunch_end: time | None = None,
    cancel_affected: bool = False,
) -> WeeklySchedule:
    _require_manager(actor)
    cabinet = _lock_cabinet(cabinet.pk)
    schedule, stranded = weekly_schedule_check(
        cabinet=cabinet, weekday=weekday, now=now, is_day_off=is_day_off, opens=opens, closes=closes,
        slot_minutes=slot_minutes, lunch_start=lunch_start, lunch_end=lunch_end, cancel_affected=cancel_affected,
    )
    _cancel_stranded(stranded=stranded, actor=actor, now=now)
    schedule.save()
    _schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "weekday": weekday})
    return schedule


def _closures_of(booking: CabinetBooking):
    return [
        (c.start_time, c.end_time)
        for c in Closure.objects.filter(cabinet_id=booking.cabinet_id, date=_local(booking.starts_at).date())
    ]


def _validate(instance) -> None:
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean()
    except ValidationError as exc:
        messages = "; ".join(str(m) for m in exc.messages)
        raise BookingError("invalid", messages, fields=sorted(getattr(exc, "message_dict", {}) or {})) from exc


def holiday_check(
    *, day: date, name: str, now: datetime, cancel_affected: bool = False
) -> tuple[Holiday, list[CabinetBooking]]:
    """The holiday as it would be (not saved) and the bookings of that day it would strand."""
    holiday = Holiday.objects.filter(date=day).first() or Holiday(date=day)
    holiday.name = name
    _validate(holiday)
    stranded = list(_future_holding(None, day, now=now))
    what = _("The holiday on %(day)s") % {"day": date_format(day, "d.m.Y")}
    return holiday, _check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def holiday_save(*, day: date, name: str, actor: Actor, now: datetime, cancel_affected: bool = False) -> Holiday:
    """A clinic-wide day off: every cabinet closes on that date."""
    _require_manager(actor)
    cabinets = sorted(Cabinet.objects.values_list("pk", flat=True))
    locking.lock(Cabinet, cabinets)
    holiday, stranded = holiday_check(day=day, name=name, now=now, cancel_affected=cancel_affected)
    _cancel_stranded(stranded=stranded, actor=actor, now=now)
    holiday.save()
    _schedule_changed(actor=actor, now=now, payload={"holiday": day.isoformat()})
    return holiday


def closure_check(
    *,
    cabinet: Cabinet,
    day: date,
    now: datetime,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    cancel_affected: bool = False,
    closure: Closure | None = None,
) -> tuple[Closure, list[CabinetBooking]]:
    """The closure as it would be (not saved) and the bookings it would strand."""
    closure = closure or Closure()
    closure.cabinet, closure.date = cabinet, day
    closure.start_time, closure.end_time, closure.reason = start_time, end_time, reason
    _validate(closure)
    bookings = _future_holding([cabinet.pk], day, now=now)
    if start_time is None:
        stranded = list(bookings)
    else:
        closed_from = datetime.combine(day, start_time, tzinfo=clinic_zone())
        closed_to = datetime.combine(day, end_time, tzinfo=clinic_zone())
        stranded = [b for b in bookings if b.starts_at < closed_to and closed_from < b.ends_at]
    what = _("Closing %(cabinet)s") % {"cabinet": cabinet.name}
    return closure, _check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def closure_save(
    *,
    cabinet: Cabinet,
    day: date,
    actor: Actor,
    now: datetime,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    cancel_affected: bool = False,
    closure: Closure | None = None,
) -> Closure:
    """Close one cabinet for a whole day (no times) or for a time range."""
    _require_manager(actor)
    cabinet = _lock_cabinet(cabinet.pk)
    closure, stranded = closure_check(cabinet=cabinet, day=day, now=now, start_time=start_time, end_time=end_time,
                                      reason=reason, cancel_affected=cancel_affected, closure=closure)
    _cancel_stranded(stranded=stranded, actor=actor, now=now)
    closure.save()
    _schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "closure": day.isoformat()})
    return closure


def cabinet_deactivate_check(*, cabinet: Cabinet, now: datetime, cancel_affected: bool = False) -> list[CabinetBooking]:
    """The upcoming holding bookings taking the cabinet out of service would strand: refused (listed) unless
    the manager chose to cancel them."""
    stranded = list(_future_holding([cabinet.pk], now=now))
    what = _("Closing %(cabinet)s") % {"cabinet": cabinet.name}
    return _check_stranded(stranded=stranded, cancel_affected=cancel_affected, what=what)


@transaction.atomic
def cabinet_deactivate(*, cabinet: Cabinet, actor: Actor, now: datetime, cancel_affected: bool = False) -> Cabinet:
    """Take a cabinet out of service: refused while it has upcoming holding bookings (listed), unless the
    manager chose to cancel them and notify the clients."""
    _require_manager(actor)
    cabinet = _lock_cabinet(cabinet.pk)
    stranded = cabinet_deactivate_check(cabinet=cabinet, now=now, cancel_affected=cancel_affected)
    _cancel_stranded(stranded=stranded, actor=actor, now=now)
    cabinet.is_active = False
    cabinet.save(update_fields=["is_active"])
    _schedule_changed(actor=actor, now=now, payload={"cabinet_id": cabinet.pk, "is_active": False})
    return cabinet


def _schedule_changed(*, actor: Actor, now: datetime, payload: dict) -> None:
    event_record(
        topic=Event.Topic.SCHEDULE_CHANGED,
        resource_type=RESOURCE,
        booking_id=None,
        now=now,
        channel=Channel.ADMIN,
        actor_label=actor.label,
        payload=payload,
    )
