"""Recurring cabinet bookings: every N weeks (1-4) on one weekday at one local time, for a count or until
a date, optionally with equipment. Managers (admin) and partners (API) book them; each occurrence is an
ordinary CabinetBooking made by cabinet_booking_create, so every single-booking rule applies to each date.

Lead time, as a clinic decides it: the first occurrence obeys the single-booking limits (at least
CABINET_MIN_ADVANCE_MINUTES and at most CABINET_MAX_ADVANCE_DAYS ahead); the later ones are exempt from the
max-advance limit, since a weekly series naturally reaches further, but the whole series must end within
SERIES_HORIZON_DAYS. The local wall-clock time is kept across DST changes (10:00 stays 10:00)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.clients import clean_birthday, clean_email
from cabinets import rules
from cabinets.models import Cabinet, CabinetBooking, CabinetSeries
from cabinets.services import (
    cabinet_booking_cancel,
    cabinet_booking_create,
    merged_lines,
)
from cabinets.services.occupancy import lock_cabinet
from equipment.models import Item
from kernel import locking
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.channels import Actor, Channel
from kernel.clock import clinic_zone
from kernel.contacts import clean_client_name, clean_comment, normalize_phone
from kernel.errors import BookingError
from kernel.idempotency import partner_create, partner_external_id
from kernel.lifecycle import check_can_cancel, owner_fields
from kernel.scheduling import local_datetime

RESOURCE = "cabinet_series"
SERIES_HORIZON_DAYS = 365
# Refusals that belong to one date (the slot is taken, the day is closed...): listed, or skipped on request.
# Anything else (an inactive cabinet, a reserved item, a lock timeout) refuses the whole series at once.
DATE_CODES = {"slot_taken", "held", "closed", "too_soon", "date_in_past", "not_a_slot", "too_long", "no_capacity",
              "too_far_ahead"}


def _positive_int(value, *, field: str, low: int, high: int, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BookingError("invalid", message, field=field)
    return value


def series_dates(*, first: date, every_weeks: int, count: int | None = None, until: date | None = None) -> list[date]:
    """The dates of a series: `first`, then every `every_weeks` weeks, `count` of them or up to `until`."""
    every_weeks = _positive_int(every_weeks, field="every_weeks", low=1, high=CabinetSeries.MAX_EVERY_WEEKS,
                                message=_("Repeat every 1 to 4 weeks."))
    if (count is None) == (until is None):
        raise BookingError("invalid", _("Give either a number of occurrences or an end date, not both."),
                           field="repeat")
    step = timedelta(weeks=every_weeks)
    most = CabinetSeries.MAX_OCCURRENCES
    if count is not None:
        count = _positive_int(count, field="count", low=1, high=most,
                              message=_("A series has 1 to %(n)s occurrences.") % {"n": most})
        return [first + step * i for i in range(count)]
    if until < first:
        raise BookingError("invalid", _("The end date must not be before the first date."), field="until")
    days = []
    day = first
    while day <= until:
        days.append(day)
        day += step
    if len(days) > most:
        raise BookingError("series_too_long", _("A series has at most %(n)s occurrences; this one would have "
                                                "%(k)s.") % {"n": most, "k": len(days)}, occurrences=len(days))
    return days


def _starts(days: Sequence[date], wall: time) -> list[datetime | None]:
    """The same wall-clock time on each date (None where DST skips it)."""
    zone = clinic_zone()
    return [local_datetime(day, wall, zone) for day in days]


def _conflicts_text(skipped: list[dict]) -> str:
    return "; ".join(f"{date_format(date.fromisoformat(s['date']), 'd.m.Y')}: {s['reason']}" for s in skipped[:26])


@transaction.atomic
def cabinet_series_create(
    *,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    every_weeks: int,
    client_name: str,
    client_phone: str,
    actor: Actor,
    channel: str,
    now: datetime,
    count: int | None = None,
    until: date | None = None,
    skip_conflicts: bool = False,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    requester=None,
    external_booking_id: str | None = None,
    request: dict | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> CabinetSeries:
    """Book every occurrence, or none: a date that cannot be booked refuses the series with the list of
    dates and reasons (`series_conflict`), unless `skip_conflicts` books the free ones and records the
    skipped dates. `requester` is the Telegram client the series is for (they see it in the bot). The client's
    birthday and e-mail, when given, update the client record with the first occurrence."""
    if not (actor.is_manager or actor.partner is not None):
        raise BookingError("forbidden", _("Only managers and partners can book a series."))
    starts_at = rules.as_utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    local_start = rules.local(starts_at)
    days = series_dates(first=local_start.date(), every_weeks=every_weeks, count=count, until=until)
    rules.check_lead_time(starts_at=starts_at, now=now)
    if days[-1] > (now + timedelta(days=SERIES_HORIZON_DAYS)).astimezone(clinic_zone()).date():
        raise BookingError("series_too_long", _("A series must end within %(n)s days.") % {"n": SERIES_HORIZON_DAYS},
                           horizon_days=SERIES_HORIZON_DAYS)
    # One lock on the cabinet, then on the items (sorted), for the whole series: the same order as a single
    # booking takes them, so the two never wait for each other in a circle.
    cabinet = lock_cabinet(cabinet.pk)
    lines = merged_lines(equipment)
    if lines:
        locking.lock(Item, [item_id for item_id, _units in lines])
    series = CabinetSeries(
        cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes if isinstance(duration_minutes, int)
        else 0, every_weeks=every_weeks, count=count, until=until, status=Status.APPROVED, channel=channel,
        client_name=name, client_phone=phone, comment=comment, equipment=[list(line) for line in lines],
        external_booking_id=external_booking_id or None, request=request or {}, created_at=now, updated_at=now,
        **owner_fields(actor),
    )
    if requester is not None:
        series.requester = requester
    series.save()
    booked, skipped = [], []
    for index, (day, start) in enumerate(zip(days, _starts(days, local_start.time()), strict=True), start=1):
        try:
            if start is None:
                raise BookingError("not_a_slot", _("%(time)s does not exist on that day (the clocks change).")
                                   % {"time": local_start.strftime("%H:%M")})
            with transaction.atomic():  # a refused date rolls back only its own writes
                booked.append(cabinet_booking_create(
                    cabinet=cabinet, starts_at=start, duration_minutes=duration_minutes, client_name=name,
                    client_phone=phone, comment=comment, equipment=equipment, actor=actor, channel=channel,
                    now=now, external_booking_id=f"{external_booking_id}#{index}" if external_booking_id else None,
                    series=series, series_index=index, notify=not booked,  # one notice per series, not per date
                    client_birthday=birthday, client_email=email,
                ))
        except BookingError as exc:
            if exc.code not in DATE_CODES:
                raise
            skipped.append({"date": day.isoformat(), "code": exc.code, "reason": str(exc.message)})
    if skipped and (not skip_conflicts or not booked):
        raise BookingError(
            "series_conflict",
            _("%(n)s of %(total)s dates cannot be booked: %(list)s.")
            % {"n": len(skipped), "total": len(days), "list": _conflicts_text(skipped)},
            conflicts=skipped,
        )
    if skipped:
        series.skipped = skipped
        series.save(update_fields=["skipped"])
    return series


def _series_fingerprint(*, external_booking_id: str, cabinet_id: int, starts_at: datetime, duration_minutes: int,
                        every_weeks: int, count: int | None, until: date | None, skip_conflicts: bool,
                        equipment: list[tuple[int, int]], client_name: str, client_phone: str, comment: str) -> dict:
    return {
        "external_booking_id": external_booking_id, "cabinet_id": cabinet_id,
        "starts_at": starts_at.astimezone(clinic_zone()).isoformat(), "duration_minutes": duration_minutes,
        "every_weeks": every_weeks, "count": count, "until": until.isoformat() if until else None,
        "skip_conflicts": bool(skip_conflicts), "equipment": sorted([list(line) for line in equipment]),
        "client_name": client_name, "client_phone": client_phone, "comment": comment,
    }


def cabinet_series_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    cabinet: Cabinet,
    starts_at: datetime,
    duration_minutes: int,
    every_weeks: int,
    client_name: str,
    client_phone: str,
    now: datetime,
    count: int | None = None,
    until: date | None = None,
    skip_conflicts: bool = False,
    equipment: Sequence[tuple[Item, int]] = (),
    comment: str = "",
    idempotency_key: str | None = None,
    client_birthday: date | None = None,
    client_email: str = "",
) -> tuple[CabinetSeries, bool]:
    """A partner's series, approved at once; (series, replayed). `external_booking_id` names the series, its
    occurrences get "<id>#1", "<id>#2"...; a repeat with the same data returns the original series."""
    external_booking_id = partner_external_id(external_booking_id)
    starts_at = rules.as_utc(starts_at)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    birthday, email = clean_birthday(client_birthday, now=now), clean_email(client_email)
    fingerprint = _series_fingerprint(
        external_booking_id=external_booking_id, cabinet_id=cabinet.pk, starts_at=starts_at,
        duration_minutes=duration_minutes, every_weeks=every_weeks, count=count, until=until,
        skip_conflicts=skip_conflicts, equipment=merged_lines(equipment), client_name=name, client_phone=phone,
        comment=comment,
    )

    def create() -> CabinetSeries:
        taken = CabinetBooking.objects.filter(partner=partner, external_booking_id__in=[
            external_booking_id, *(f"{external_booking_id}#{i}" for i in range(1, CabinetSeries.MAX_OCCURRENCES + 1))
        ]).values_list("external_booking_id", flat=True).first()
        if taken is not None:
            raise BookingError("idempotency_conflict",
                               _("External booking id %(id)s is already used by a single booking.") % {"id": taken},
                               external_booking_id=taken)
        return cabinet_series_create(
            cabinet=cabinet, starts_at=starts_at, duration_minutes=duration_minutes, every_weeks=every_weeks,
            count=count, until=until, skip_conflicts=skip_conflicts, client_name=name, client_phone=phone,
            comment=comment, equipment=equipment, actor=Actor.for_partner(partner), channel=Channel.API, now=now,
            external_booking_id=external_booking_id, request=fingerprint, client_birthday=birthday,
            client_email=email,
        )

    return partner_create(
        partner=partner, model=CabinetSeries, resource_type=RESOURCE, external_booking_id=external_booking_id,
        idempotency_key=idempotency_key, fingerprint=fingerprint, fingerprint_of=lambda series: series.request,
        lock=lambda: lock_cabinet(cabinet.pk), create=create, now=now,
    )


@transaction.atomic
def cabinet_series_cancel(
    *,
    series: CabinetSeries,
    actor: Actor,
    now: datetime,
    from_date: date | None = None,
    reason: str = "",
    channel: str = Channel.ADMIN,
) -> list[CabinetBooking]:
    """Cancel every occurrence that has not started, from `from_date` on (default: all of them). Each is
    cancelled by cabinet_booking_cancel, so its slots and equipment are freed and its client told. The
    series itself is cancelled once nothing of it is left ahead."""
    series = locking.lock_one(CabinetSeries, series.pk, _("This series does not exist."))
    if not isinstance(from_date, date | None):
        raise BookingError("invalid", _("The date must be YYYY-MM-DD."), field="from")
    ahead = series.occurrences.filter(status__in=HOLDING_STATUSES, starts_at__gt=now).order_by("starts_at", "pk")
    if from_date is not None:
        ahead = ahead.filter(starts_at__gte=datetime.combine(from_date, time(0), tzinfo=clinic_zone()))
    ahead = list(ahead)
    if not ahead:
        raise BookingError("bad_transition", _("This series has no upcoming bookings to cancel from that date."))
    check_can_cancel(booking=series, actor=actor, starts_at=ahead[0].starts_at, now=now)
    cancelled = [cabinet_booking_cancel(booking=booking, actor=actor, now=now, reason=reason, channel=channel)
                 for booking in ahead]
    if not series.occurrences.filter(status__in=HOLDING_STATUSES, starts_at__gt=now).exists():
        series.status = Status.CANCELLED
    series.updated_at = now
    series.save(update_fields=["status", "updated_at"])
    return cancelled


def series_occurrences(series: CabinetSeries):
    """The occurrences of a series in date order, with their equipment, in a fixed number of queries."""
    return (series.occurrences.select_related("cabinet").prefetch_related("equipment_bookings__item")
            .order_by("starts_at", "pk"))


__all__ = ["cabinet_series_cancel", "cabinet_series_create", "cabinet_series_create_for_partner", "series_dates",
           "series_occurrences"]
