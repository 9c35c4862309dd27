"""Appointments: a service performed by a specialist in a cabinet, with the service's equipment, claimed in one
transaction. The specialist rows are locked first (in id order), then the cabinet booking service locks the
cabinet and the items; the same order everywhere, so two requests never wait for each other in a circle. On
PostgreSQL an exclusion constraint refuses two overlapping live appointments of one specialist even if a
check were skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet, CabinetBooking
from cabinets.services import cabinet_booking_create, cabinet_booking_move
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import refusals_counted
from specialists.availability import (
    OUTSIDE_HOURS,
    SPECIALIST_BUSY,
    SPECIALIST_DAY_OFF,
    ServiceGrid,
    day_of,
    performers,
)
from specialists.models import Service, Specialist
from specialists.rules import (
    Hours,
    Off,
    check_duration,
    check_on_grid,
    check_within_hours,
    clinic_zone,
    intervals_on,
    not_a_performer,
    within,
)

RESOURCE = "specialist"
SPECIALIST_CONSTRAINT = "cabinetbooking_specialist_no_overlap"


def _hhmm(moment: datetime) -> str:
    return f"{timezone.localtime(moment, clinic_zone()):%H:%M}"


def _check_service(service: Service) -> None:
    if not service.is_active:
        raise BookingError("inactive", _("%(service)s is not available for booking.") % {"service": service.name})
    check_duration(service.duration_minutes)


def _candidates(service: Service, specialist: Specialist | None) -> list[int]:
    """Who may take the appointment: the one asked for (who must perform the service), or every active
    specialist who performs it."""
    if specialist is None:
        ids = list(performers(service).values_list("pk", flat=True))
        if not ids:
            raise BookingError("inactive", _("No specialist performs %(service)s now.") % {"service": service.name})
        return ids
    if not specialist.is_active:
        raise BookingError("inactive", _("%(name)s is not available for booking.") % {"name": specialist.name},
                           specialist_id=specialist.pk)
    if not performers(service, [specialist.pk]).exists():
        raise not_a_performer(specialist.name, service.name)
    return [specialist.pk]


def _refuse_specialist(grid: ServiceGrid, specialist: Specialist, starts_at: datetime) -> None:
    """The asked-for specialist's own refusal, with the rules' own messages for their hours."""
    refusal = grid.specialist_refusal(specialist.pk, starts_at)
    if refusal in (SPECIALIST_DAY_OFF, OUTSIDE_HOURS):
        # The rules say it with the specialist's hours; the grid read the same rows, so they refuse too.
        check_within_hours(specialist, starts_at, starts_at + grid.duration,
                           hours=grid.hours.get(specialist.pk, ()), days_off=grid.days_off.get(specialist.pk, ()))
        raise BookingError(refusal, specialist_id=specialist.pk)
    if refusal == SPECIALIST_BUSY:
        raise BookingError(
            SPECIALIST_BUSY,
            _("%(name)s already has an appointment at %(time)s on %(day)s.")
            % {"name": specialist.name, "time": _hhmm(starts_at), "day": date_format(day_of(starts_at), "d.m.Y")},
            specialist_id=specialist.pk,
        )


def _choose_specialist(grid: ServiceGrid, candidates: list[int], starts_at: datetime) -> int:
    """Among the candidates free for the whole length, the one with the fewest booked minutes that day, the
    lowest id on a tie. Refuses with the most telling reason when no one is free."""
    refusals = {pk: grid.specialist_refusal(pk, starts_at) for pk in candidates}
    free = [pk for pk, refusal in refusals.items() if refusal is None]
    if free:
        day = day_of(starts_at)
        return min(free, key=lambda pk: (grid.booked_minutes(pk, day), pk))
    if any(refusal == SPECIALIST_BUSY for refusal in refusals.values()):
        raise BookingError(SPECIALIST_BUSY, _("Every specialist of %(service)s is busy at %(time)s.")
                           % {"service": grid.service.name, "time": _hhmm(starts_at)})
    if any(refusal == OUTSIDE_HOURS for refusal in refusals.values()):
        raise BookingError(OUTSIDE_HOURS, _("No specialist of %(service)s works at %(time)s.")
                           % {"service": grid.service.name, "time": _hhmm(starts_at)})
    raise BookingError(SPECIALIST_DAY_OFF, _("No specialist of %(service)s works on %(day)s.")
                       % {"service": grid.service.name, "day": date_format(day_of(starts_at), "d.m.Y")})


def _choose_cabinet(grid: ServiceGrid, cabinet: Cabinet | None, starts_at: datetime) -> Cabinet:
    """The asked-for cabinet (which must be allowed for the service; the cabinet service then checks it), or
    the first allowed cabinet in sort order that is free for the whole length. When none is, the first one
    open that day: the cabinet service then says exactly why (too soon, in the past, taken, lunch)."""
    allowed = {c.pk: c for c in grid.cabinets}
    if cabinet is not None:
        if cabinet.pk not in allowed:
            raise BookingError("invalid", _("%(service)s does not take place in %(cabinet)s.")
                               % {"service": grid.service.name, "cabinet": cabinet.name}, field="cabinet_id")
        return allowed[cabinet.pk]
    day = day_of(starts_at)
    free = grid.free_cabinet_ids(day, starts_at.timestamp())
    if free:
        return allowed[free[0]]
    open_ids = grid.open_cabinet_ids(day)
    if not open_ids:
        raise BookingError("closed", _("No cabinet for %(service)s is open on %(day)s.")
                           % {"service": grid.service.name, "day": date_format(day, "d.m.Y")})
    return allowed[open_ids[0]]


def _lost_to_another_appointment(error: BookingError) -> bool:
    """Whether the cabinet service's 'taken' came from the specialist's exclusion constraint."""
    cause = error.__cause__
    return isinstance(cause, IntegrityError) and SPECIALIST_CONSTRAINT in str(cause)


@refusals_counted(RESOURCE)
@transaction.atomic
def appointment_create(
    *,
    service: Service,
    starts_at: datetime,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    specialist: Specialist | None = None,
    cabinet: Cabinet | None = None,
    comment: str = "",
    external_booking_id: str | None = None,
    notify: bool = True,
    client_birthday: date | None = None,
    client_email: str = "",
) -> CabinetBooking:
    """Book `service` at `starts_at` with `specialist` (None: any who is free, chosen deterministically) in
    `cabinet` (None: the first allowed one free for the whole length), with the service's equipment. The
    appointment is a cabinet booking naming its service and specialist, made by the cabinet booking service,
    so every rule, notice and record of cabinet bookings applies to it."""
    if timezone.is_naive(starts_at):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    starts_at = starts_at.astimezone(UTC)
    _check_service(service)
    check_on_grid(starts_at)
    candidates = _candidates(service, specialist)
    locked = locking.lock(Specialist, candidates)
    candidates = [pk for pk in candidates if pk in locked and locked[pk].is_active]
    if not candidates:
        raise BookingError("inactive", _("This specialist is not available for booking."))
    day = day_of(starts_at)
    holder_id = actor.account.pk if actor.account is not None else None
    grid = ServiceGrid(service=service, start_date=day, end_date=day, now=now, specialist_ids=candidates,
                       holder_id=holder_id)
    if day in grid.holidays:
        raise BookingError("closed", _("The clinic is closed on %(day)s.") % {"day": date_format(day, "d.m.Y")},
                           reason="holiday")
    if specialist is not None:
        _refuse_specialist(grid, locked[specialist.pk], starts_at)
        chosen = specialist.pk
    else:
        chosen = _choose_specialist(grid, candidates, starts_at)
    room = _choose_cabinet(grid, cabinet, starts_at)
    if not grid.equipment_free(starts_at):
        raise BookingError("no_capacity", _("The equipment for %(service)s is not free at %(time)s.")
                           % {"service": service.name, "time": _hhmm(starts_at)})
    locking.after_check()
    try:
        booking = cabinet_booking_create(
            cabinet=room, starts_at=starts_at, duration_minutes=service.duration_minutes, client_name=client_name,
            client_phone=client_phone, actor=actor, channel=channel, now=now, comment=comment,
            external_booking_id=external_booking_id, notify=notify,
            equipment=grid.lines,
            service=service, specialist=locked[chosen], client_birthday=client_birthday, client_email=client_email,
        )
    except BookingError as error:
        # The cabinet's suggestions would book a cabinet without the specialist: not an answer here.
        error.details.pop("alternatives", None)
        if error.code == "slot_taken" and _lost_to_another_appointment(error):
            raise BookingError(SPECIALIST_BUSY, _("%(name)s was just booked at %(time)s by someone else.")
                               % {"name": locked[chosen].name, "time": _hhmm(starts_at)},
                               specialist_id=chosen) from error
        raise
    return booking



@refusals_counted(RESOURCE)
@transaction.atomic
def appointment_move(
    *,
    booking: CabinetBooking,
    actor: Actor,
    now: datetime,
    starts_at: datetime | None = None,
    cabinet: Cabinet | None = None,
    channel: str = Channel.ADMIN,
) -> CabinetBooking:
    """Move an appointment to another start and/or cabinet: it keeps its service, specialist and length. The
    specialist is locked and must work the whole new window and be free in it (their own appointment aside);
    the cabinet service then moves the booking and its equipment with the cabinets' own checks."""
    if booking.specialist_id is None or booking.service_id is None:
        raise BookingError("invalid", _("This booking is not an appointment."))
    if starts_at is not None and timezone.is_naive(starts_at):
        raise BookingError("invalid", _("The start time needs a time zone."), field="starts_at")
    new_start = starts_at.astimezone(UTC) if starts_at is not None else booking.starts_at
    check_on_grid(new_start)
    specialist = locking.lock_one(Specialist, booking.specialist_id, _("This specialist does not exist."))
    day = day_of(new_start)
    grid = ServiceGrid(service=booking.service, start_date=day, end_date=day, now=now, specialist_ids=[specialist.pk],
                       exclude_booking_ids=[booking.pk], duration_minutes=booking.duration_minutes)
    _refuse_specialist(grid, specialist, new_start)
    if cabinet is not None:
        _choose_cabinet(grid, cabinet, new_start)  # refuses a cabinet the service may not use
    try:
        return cabinet_booking_move(booking=booking, actor=actor, now=now, cabinet=cabinet, starts_at=new_start,
                                    channel=channel)
    except BookingError as error:
        if error.code == "slot_taken" and _lost_to_another_appointment(error):
            raise BookingError(SPECIALIST_BUSY, _("%(name)s was just booked at %(time)s by someone else.")
                               % {"name": specialist.name, "time": _hhmm(new_start)},
                               specialist_id=specialist.pk) from error
        raise


def appointments_stranded(*, specialist: Specialist, now: datetime, hours: list[Hours] | None = None,
                          days_off: list[Off] | None = None) -> list[CabinetBooking]:
    """The specialist's future live appointments that these hours and days off (their saved ones where not
    given) would leave outside their working time: a change of hours must not strand them silently."""
    if specialist.pk is None:
        return []
    if hours is None:
        hours = [Hours(*row) for row in specialist.hours.values_list("weekday", "start", "end")]
    upcoming = list(CabinetBooking.objects.filter(specialist=specialist, status__in=HOLDING_STATUSES,
                                                  ends_at__gt=now).select_related("cabinet").order_by("starts_at"))
    if days_off is None and upcoming:
        days_off = [Off(*row) for row in specialist.days_off.filter(to_date__gte=day_of(now)).values_list(
            "from_date", "to_date")]
    stranded = []
    for appointment in upcoming:
        intervals = intervals_on(day_of(appointment.starts_at), hours, days_off or ())
        if not within(intervals, appointment.starts_at, appointment.ends_at):
            stranded.append(appointment)
    return stranded
