"""Equipment bookings: the only place their rules live. Bots, the API, the admin and tasks call these.

Every check-and-write locks the item rows first (sorted), inside one transaction, so two requests for the
last unit cannot both pass the check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from equipment import rules
from equipment.alternatives import equipment_alternatives
from equipment.availability import clinic_zone, equipment_grid, items_free_in_window
from equipment.models import EquipmentBooking, Item
from kernel import locking, rows
from kernel.alternatives import offers_alternatives
from kernel.bookings import HOLDING_STATUSES, TRANSITIONS, Status
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
from kernel.scheduling import date_range
from kernel.waitlist.services import capacity_freed

RESOURCE = "equipment"


def _today(now: datetime) -> date:
    return timezone.localtime(now, clinic_zone()).date()


def _days_text(days: Sequence[date]) -> str:
    shown = ", ".join(date_format(d, "d.m.Y") for d in days[:10])
    return shown + (" …" if len(days) > 10 else "")


def check_dates(*, start_date: date, end_date: date, now: datetime) -> None:
    """Not in the past (clinic time), not too far ahead, not too long, end not before start."""
    today = _today(now)
    if end_date < start_date:
        raise BookingError("bad_range", _("The end date cannot be before the start date."))
    if start_date < today:
        raise BookingError("date_in_past", _("You cannot book a date in the past."))
    horizon = today + timedelta(days=settings.EQUIPMENT_MAX_ADVANCE_DAYS)
    if end_date > horizon:
        raise BookingError(
            "too_far_ahead",
            _("Bookings are possible up to %(n)s days ahead (until %(day)s).")
            % {"n": settings.EQUIPMENT_MAX_ADVANCE_DAYS, "day": date_format(horizon, "d.m.Y")},
            last_date=horizon.isoformat(),
        )
    days = (end_date - start_date).days + 1
    if days > settings.EQUIPMENT_MAX_RANGE_DAYS:
        raise BookingError(
            "range_too_long",
            _("A booking can cover at most %(n)s days.") % {"n": settings.EQUIPMENT_MAX_RANGE_DAYS},
            max_days=settings.EQUIPMENT_MAX_RANGE_DAYS,
        )


def check_item_bookable(*, item: Item, actor: Actor, with_cabinet_id: int | None = None) -> None:
    """Inactive items cannot be booked; reserved items only by managers; items installed in a cabinet only
    with that cabinet (or by managers for whole days)."""
    if not item.is_active:
        raise BookingError("inactive", _("%(item)s is not available for booking.") % {"item": item.name})
    if item.permanently_reserved and not actor.is_manager:
        raise BookingError(
            "reserved", _("%(item)s is permanently reserved and cannot be booked.") % {"item": item.name}
        )
    if item.cabinet_id is not None:
        if with_cabinet_id is None and not actor.is_manager:
            raise BookingError(
                "installed_in_cabinet",
                _("%(item)s is installed in a cabinet and is booked together with it.") % {"item": item.name},
            )
        if with_cabinet_id is not None and with_cabinet_id != item.cabinet_id:
            raise BookingError(
                "installed_in_cabinet", _("%(item)s is installed in another cabinet.") % {"item": item.name}
            )


def check_units(units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise BookingError("invalid", _("The number of units must be a whole number of at least 1."), field="units")
    return units


def _refuse_full_days(*, item: Item, units: int, full: Sequence[date], grid) -> None:
    if not full:
        return
    if item.quantity < units:
        message = ngettext("%(item)s has only %(total)s unit.", "%(item)s has only %(total)s units.", item.quantity) % {
            "item": item.name,
            "total": item.quantity,
        }
    else:
        message = _("%(item)s: not enough free units on %(days)s.") % {"item": item.name, "days": _days_text(full)}
    raise BookingError(
        "no_capacity",
        message,
        full_days=[d.isoformat() for d in full],
        free={d.isoformat(): grid.free(item.pk, d) for d in full[:31]},
        total=item.quantity,
    )


def _holding_count(account, now: datetime) -> int:
    return EquipmentBooking.objects.filter(
        requester=account, status__in=HOLDING_STATUSES, end_date__gte=_today(now), cabinet_booking__isnull=True
    ).count()


def _reserve_days(
    *, item_id: int, start_date: date, end_date: date, units: int, actor: Actor, now: datetime,
    exclude_booking_ids: Iterable[int] = (),
) -> Item:
    """Lock the item, then check that `units` are free on every day. Returns the locked item."""
    item = locking.lock_one(Item, item_id, _("This item does not exist."))
    check_item_bookable(item=item, actor=actor)
    tail = [end_date + timedelta(days=n) for n in range(1, item.turnaround_days + 1)]
    grid = equipment_grid(
        items=[item], start_date=start_date, end_date=tail[-1] if tail else end_date,
        exclude_booking_ids=exclude_booking_ids, now=now,
    )
    _refuse_full_days(item=item, units=units, full=grid.full_days(item.pk, units, date_range(start_date, end_date)),
                      grid=grid)
    _refuse_short_turnaround(item=item, units=units, full=grid.full_days(item.pk, units, tail), grid=grid)
    locking.after_check()
    return item


def _refuse_short_turnaround(*, item: Item, units: int, full: Sequence[date], grid) -> None:
    """The units must also rest for the item's turnaround days after the booking: ending the day before
    someone else's booking of the last unit would leave no time to clean it."""
    if not full:
        return
    raise BookingError(
        "no_capacity",
        ngettext("%(item)s needs %(n)s day after each booking to get ready, and the units are taken on %(days)s.",
                 "%(item)s needs %(n)s days after each booking to get ready, and the units are taken on %(days)s.",
                 item.turnaround_days) % {"item": item.name, "n": item.turnaround_days, "days": _days_text(full)},
        full_days=[d.isoformat() for d in full],
        turnaround_days=item.turnaround_days,
        free={d.isoformat(): grid.free(item.pk, d) for d in full},
        total=item.quantity,
    )


@offers_alternatives(equipment_alternatives)
@refusals_counted(RESOURCE)
@transaction.atomic
def equipment_booking_create(
    *,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    client_name: str,
    client_phone: str,
    comment: str = "",
    actor: Actor,
    channel: str,
    now: datetime,
    external_booking_id: str | None = None,
) -> EquipmentBooking:
    """Book `units` of `item` for whole days start_date..end_date (one day when end_date is None)."""
    end_date = end_date or start_date
    units = check_units(units)
    check_dates(start_date=start_date, end_date=end_date, now=now)
    check_requester(actor=actor, holding_count=lambda: _holding_count(actor.account, now))
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    item = _reserve_days(item_id=item.pk, start_date=start_date, end_date=end_date, units=units, actor=actor,
                         now=now)
    booking = EquipmentBooking(
        item=item,
        units=units,
        start_date=start_date,
        end_date=end_date,
        status=initial_status(actor, client_phone=phone, now=now),
        channel=channel,
        client_name=name,
        client_phone=phone,
        comment=comment,
        external_booking_id=external_booking_id or None,
        created_at=now,
        updated_at=now,
        **owner_fields(actor),
    )
    if booking.status == Status.APPROVED:
        booking.decided_by, booking.decided_at = actor.label, now
    # The item row was just locked and the partner is the caller (locked by the partner path): looking both
    # up again would only lengthen the item's lock; the foreign keys still guard them.
    booking.full_clean(exclude=["item", "partner"], validate_unique=False, validate_constraints=False)
    rows.insert(booking)
    booking_created(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now)
    return booking


def partner_fingerprint(
    *,
    external_booking_id: str,
    item_id: int,
    start_date: date,
    end_date: date,
    units: int,
    client_name: str,
    client_phone: str,
    comment: str,
) -> dict:
    return {
        "external_booking_id": external_booking_id,
        "item_id": item_id,
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "units": units,
        "client_name": client_name,
        "client_phone": client_phone,
        "comment": comment,
    }


def _fingerprint_of(booking: EquipmentBooking) -> dict:
    return partner_fingerprint(
        external_booking_id=booking.external_booking_id,
        item_id=booking.item_id,
        start_date=booking.start_date,
        end_date=booking.end_date,
        units=booking.units,
        client_name=booking.client_name,
        client_phone=booking.client_phone,
        comment=booking.comment,
    )


def equipment_booking_create_for_partner(
    *,
    partner,
    external_booking_id: str,
    item: Item,
    start_date: date,
    end_date: date | None = None,
    units: int = 1,
    client_name: str,
    client_phone: str,
    comment: str = "",
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[EquipmentBooking, bool]:
    """A partner's booking, approved at once. Returns (booking, replayed): a repeated request with the same
    payload gets the original booking back instead of a second one."""
    external_booking_id = partner_external_id(external_booking_id)
    end_date = end_date or start_date
    units = check_units(units)
    name, phone, comment = clean_client_name(client_name), normalize_phone(client_phone), clean_comment(comment)
    return partner_create(
        partner=partner,
        model=EquipmentBooking,
        resource_type=RESOURCE,
        external_booking_id=external_booking_id,
        idempotency_key=idempotency_key,
        fingerprint=partner_fingerprint(
            external_booking_id=external_booking_id, item_id=item.pk, start_date=start_date, end_date=end_date,
            units=units, client_name=name, client_phone=phone, comment=comment,
        ),
        fingerprint_of=_fingerprint_of,
        # The item is locked once, by the booking itself, so its lock covers only the check and the writes.
        lock=lambda: None,
        create=lambda: equipment_booking_create(
            item=item, start_date=start_date, end_date=end_date, units=units, client_name=name,
            client_phone=phone, comment=comment, actor=Actor.for_partner(partner), channel=Channel.API, now=now,
            external_booking_id=external_booking_id,
        ),
        now=now,
    )


def _locked(booking: EquipmentBooking) -> EquipmentBooking:
    return locking.lock_one(EquipmentBooking, booking.pk, _("This booking does not exist."))


def _refuse_attached(booking: EquipmentBooking) -> None:
    if booking.cabinet_booking_id:
        raise BookingError("forbidden", _("This equipment belongs to cabinet booking %(ref)s; decide that booking.")
                           % {"ref": booking.cabinet_booking.reference}, cabinet_booking_id=booking.cabinet_booking_id)


def _decide(*, booking: EquipmentBooking, to_status: str, actor: Actor, now: datetime, channel: str,
            reason: str = "") -> EquipmentBooking:
    check_can_decide(actor)
    booking = _locked(booking)
    _refuse_attached(booking)
    booking_transition(booking=booking, to_status=to_status, resource_type=RESOURCE, actor=actor, channel=channel,
                       now=now, reason=reason)
    return booking


@transaction.atomic
def equipment_booking_approve(*, booking: EquipmentBooking, actor: Actor, now: datetime,
                              channel: str = Channel.ADMIN) -> EquipmentBooking:
    return _decide(booking=booking, to_status=Status.APPROVED, actor=actor, now=now, channel=channel)


@transaction.atomic
def equipment_booking_reject(*, booking: EquipmentBooking, actor: Actor, now: datetime, reason: str = "",
                             channel: str = Channel.ADMIN) -> EquipmentBooking:
    return _decide(booking=booking, to_status=Status.REJECTED, actor=actor, now=now, channel=channel, reason=reason)


@transaction.atomic
def equipment_booking_cancel(*, booking: EquipmentBooking, actor: Actor, now: datetime, reason: str = "",
                             channel: str = Channel.ADMIN) -> EquipmentBooking:
    """Owner (before the start), owning partner or manager. Frees the units at once."""
    booking = _locked(booking)
    check_can_cancel(booking=booking, actor=actor, starts_at=rules.booking_starts_at(booking), now=now)
    rules.check_attached_cancel(booking=booking, actor=actor)
    booking_transition(booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=actor,
                       channel=channel, now=now, reason=reason)
    return booking


@transaction.atomic
def equipment_booking_move(
    *,
    booking: EquipmentBooking,
    actor: Actor,
    now: datetime,
    item: Item | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    units: int | None = None,
    channel: str = Channel.ADMIN,
) -> EquipmentBooking:
    """Another day, range, item or number of units, with the same checks as a new booking."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can move bookings."))
    booking = _locked(booking)
    if booking.cabinet_booking_id:
        raise BookingError("forbidden", _("This equipment belongs to a cabinet booking; move that booking."))
    if not booking.is_holding:
        raise BookingError("bad_transition", _("Only pending or approved bookings can be moved."))
    new_item_id = item.pk if item is not None else booking.item_id
    new_start = start_date or booking.start_date
    new_end = end_date or (new_start if start_date and not end_date else booking.end_date)
    new_units = check_units(units) if units is not None else booking.units
    check_dates(start_date=new_start, end_date=new_end, now=now)
    locked_item = _reserve_days(
        item_id=new_item_id,
        start_date=new_start,
        end_date=new_end,
        units=new_units,
        actor=actor,
        now=now,
        exclude_booking_ids=[booking.pk],
    )
    before = {
        "item_id": booking.item_id,
        "start_date": booking.start_date.isoformat(),
        "end_date": booking.end_date.isoformat(),
        "units": booking.units,
    }
    booking.item, booking.start_date, booking.end_date, booking.units = locked_item, new_start, new_end, new_units
    booking.updated_at = now
    booking.save(update_fields=["item", "start_date", "end_date", "units", "updated_at"])
    booking_moved(booking=booking, resource_type=RESOURCE, actor=actor, channel=channel, now=now, before=before)
    return booking


# --- Equipment that comes with a cabinet booking ---------------------------------------------------


def _window_check(
    *, merged: dict[int, int], cabinet_id: int, starts_at: datetime, ends_at: datetime, actor: Actor, now: datetime,
    exclude_booking_ids: Iterable[int] = (),
) -> dict[int, Item]:
    """Lock the items (sorted) and check that `merged` units per item are free in the window of a cabinet
    booking in cabinet `cabinet_id`. Returns the locked items."""
    locked = locking.lock(Item, merged)
    missing = set(merged) - set(locked)
    if missing:
        raise BookingError("not_found", _("This item does not exist."))
    for item in locked.values():
        check_item_bookable(item=item, actor=actor, with_cabinet_id=cabinet_id)
    free = items_free_in_window(
        items=locked.values(), starts_at=starts_at, ends_at=ends_at, exclude_booking_ids=exclude_booking_ids, now=now,
    )
    for item_id, units in sorted(merged.items()):
        if free[item_id] < units:
            item = locked[item_id]
            raise BookingError(
                "no_capacity",
                _("%(item)s: only %(free)s of %(total)s units are free at that time.")
                % {"item": item.name, "free": free[item_id], "total": item.quantity},
                item_id=item_id,
                free=free[item_id],
                total=item.quantity,
            )
    locking.after_check()
    return locked


def _window_days(cabinet_booking) -> tuple[date, date]:
    day = timezone.localtime(cabinet_booking.starts_at, clinic_zone()).date()
    last_day = timezone.localtime(cabinet_booking.ends_at - timedelta(microseconds=1), clinic_zone()).date()
    return day, last_day


def equipment_window_reserve(
    *,
    cabinet_booking,
    lines: Sequence[tuple[Item, int]],
    actor: Actor,
    now: datetime,
    exclude_booking_ids: Iterable[int] = (),
) -> list[EquipmentBooking]:
    """Reserve units for the window of a cabinet booking, inside the caller's transaction. The item rows are
    locked in sorted order; a refusal rolls the whole cabinet booking back."""
    locking.require_transaction()
    merged: dict[int, int] = {}
    for item, units in lines:
        merged[item.pk] = merged.get(item.pk, 0) + check_units(units)
    if not merged:
        return []
    locked = _window_check(merged=merged, cabinet_id=cabinet_booking.cabinet_id, starts_at=cabinet_booking.starts_at,
                           ends_at=cabinet_booking.ends_at, actor=actor, now=now,
                           exclude_booking_ids=exclude_booking_ids)
    day, last_day = _window_days(cabinet_booking)
    created = []
    for item_id, units in sorted(merged.items()):
        booking = EquipmentBooking.objects.create(
            item=locked[item_id],
            units=units,
            start_date=day,
            end_date=last_day,
            starts_at=cabinet_booking.starts_at,
            ends_at=cabinet_booking.ends_at,
            status=cabinet_booking.status,
            channel=Channel.CABINET,
            cabinet_booking=cabinet_booking,
            client_name=cabinet_booking.client_name,
            client_phone=cabinet_booking.client_phone,
            requester=cabinet_booking.requester,
            partner=None,
            created_by=cabinet_booking.created_by,
            decided_by=cabinet_booking.decided_by,
            decided_at=cabinet_booking.decided_at,
            created_at=now,
            updated_at=now,
        )
        booking.history.create(
            from_status="", to_status=booking.status, channel=Channel.CABINET, actor=actor.label, at=now
        )
        created.append(booking)
    return created


def equipment_window_move(*, cabinet_booking, actor: Actor, now: datetime) -> list[EquipmentBooking]:
    """The holding equipment of a cabinet booking follows it to its new cabinet and window (already saved on
    `cabinet_booking`), inside the caller's transaction: the units must be free there and an item installed in
    one cabinet does not move to another. Each line gets its "moved" history row; a refusal rolls the whole
    move back."""
    locking.require_transaction()
    attached = list(cabinet_booking.equipment_bookings.select_for_update()
                    .filter(status__in=HOLDING_STATUSES).order_by("pk"))
    if not attached:
        return []
    merged: dict[int, int] = {}
    for line in attached:
        merged[line.item_id] = merged.get(line.item_id, 0) + line.units
    _window_check(merged=merged, cabinet_id=cabinet_booking.cabinet_id, starts_at=cabinet_booking.starts_at,
                  ends_at=cabinet_booking.ends_at, actor=actor, now=now,
                  exclude_booking_ids=[line.pk for line in attached])
    day, last_day = _window_days(cabinet_booking)
    for line in attached:
        line.starts_at, line.ends_at = cabinet_booking.starts_at, cabinet_booking.ends_at
        line.start_date, line.end_date, line.updated_at = day, last_day, now
        line.save(update_fields=["starts_at", "ends_at", "start_date", "end_date", "updated_at"])
        line.history.create(from_status=line.status, to_status=line.status, channel=Channel.CABINET,
                            actor=actor.label, reason="moved", at=now)
    capacity_freed(resource_type=RESOURCE, resource_ids=list(merged), now=now)  # the old window came free
    return attached


def equipment_follow_cabinet(*, cabinet_booking, to_status: str, actor: Actor, now: datetime, reason: str = "") -> None:
    """Attached equipment follows its cabinet booking's status (approve, reject, cancel, complete)."""
    for booking in cabinet_booking.equipment_bookings.select_for_update().filter(status__in=HOLDING_STATUSES):
        if to_status not in TRANSITIONS[booking.status]:
            continue  # already where the cabinet booking is going (an approved line of an approved booking)
        booking_transition(
            booking=booking,
            to_status=to_status,
            resource_type=RESOURCE,
            actor=actor,
            channel=Channel.CABINET,
            now=now,
            reason=reason,
            notify=False,
        )


# --- Sweeps ---------------------------------------------------------------------------------------


def equipment_bookings_complete_ended(*, now: datetime, batch: int = 500) -> int:
    """Approved whole-day bookings whose last day is over become completed."""
    ended = EquipmentBooking.objects.filter(status=Status.APPROVED, end_date__lt=_today(now),
                                            cabinet_booking__isnull=True)
    return bookings_sweep(ended, lambda booking: booking_transition(
        booking=booking, to_status=Status.COMPLETED, resource_type=RESOURCE, actor=Actor.system(),
        channel=Channel.SYSTEM, now=now, notify=False), batch=batch)


def equipment_bookings_expire_undecided(*, now: datetime, batch: int = 500) -> int:
    """Pending whole-day bookings whose first day has begun without a decision (or that waited longer than
    APPROVAL_EXPIRE_HOURS) are cancelled."""
    undecided = EquipmentBooking.objects.filter(
        undecided_too_long(Q(start_date__lte=_today(now)), now=now), status=Status.PENDING,
        cabinet_booking__isnull=True)
    return bookings_sweep(undecided, lambda booking: booking_transition(
        booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=Actor.system(),
        channel=Channel.SYSTEM, now=now, reason=REASON_NOT_DECIDED, topic=Event.Topic.EXPIRED), batch=batch)


def equipment_bookings_remind_undecided(*, now: datetime, batch: int = 500) -> int:
    """Whole-day requests waiting longer than APPROVAL_REMIND_MINUTES are announced to managers once more."""
    return bookings_remind_undecided(EquipmentBooking.objects.filter(cabinet_booking__isnull=True),
                                     resource_type=RESOURCE, now=now, batch=batch)


# --- Catalogue changes ------------------------------------------------------------------------------

REASON_ITEM_WITHDRAWN = "the item was withdrawn"


def _upcoming(item: Item, now: datetime):
    return EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES, end_date__gte=_today(now))


def _item_check(*, stored: Item, now: datetime, quantity: int, is_active: bool,
                cancel_affected: bool) -> list[EquipmentBooking]:
    upcoming = _upcoming(stored, now)
    if stored.is_active and not is_active:
        stranded = list(upcoming.order_by("start_date", "pk"))
        if stranded and not cancel_affected:
            listed = "; ".join(f"{b.reference} {date_format(b.start_date, 'd.m.Y')}" for b in stranded[:20])
            raise BookingError(
                "schedule_conflict",
                _("Withdrawing %(item)s would strand %(n)s booking(s): %(list)s. Move or cancel them first, or "
                  "choose to cancel and notify.") % {"item": stored.name, "n": len(stranded), "list": listed},
                bookings=[b.pk for b in stranded],
                references=[b.reference for b in stranded],
            )
        attached = [b for b in stranded if b.cabinet_booking_id]
        if attached:
            raise BookingError("forbidden", _("%(item)s is booked with cabinet bookings %(list)s; cancel those "
                                              "first.") % {"item": stored.name,
                                                           "list": ", ".join(b.cabinet_booking.reference
                                                                             for b in attached)},
                               references=[b.cabinet_booking.reference for b in attached])
        return stranded
    if quantity < stored.quantity:
        last = upcoming.order_by("-end_date").values_list("end_date", flat=True).first()
        if last is None:
            return []
        grid = equipment_grid(items=[stored], start_date=_today(now), end_date=last, now=now)
        over = [day for day in grid.days if grid.peak(stored.pk, day) > quantity]
        if over:
            crowded = [b for b in upcoming.order_by("start_date", "pk")
                       if any(b.start_date <= day <= b.end_date for day in over)]
            raise BookingError(
                "no_capacity",
                _("%(item)s has more than %(n)s units booked on %(days)s; move or cancel bookings before lowering "
                  "the number of units.") % {"item": stored.name, "n": quantity, "days": _days_text(over)},
                full_days=[d.isoformat() for d in over],
                bookings=[b.pk for b in crowded],
                references=[b.reference for b in crowded],
            )
    return []


def item_catalogue_check(*, item: Item, now: datetime, quantity: int, is_active: bool,
                         cancel_affected: bool = False) -> list[EquipmentBooking]:
    """Check a change to an item's units or active flag against its upcoming holding bookings, without
    writing anything (an admin form calls it while validating). Withdrawing the item strands them: refused,
    listing them, unless the manager chose to cancel and notify (then they are returned); fewer units than
    are already booked on some day is refused naming those days and bookings."""
    stored = Item.objects.filter(pk=item.pk).first()
    if stored is None:
        return []  # a new item: nothing booked yet
    return _item_check(stored=stored, now=now, quantity=quantity, is_active=is_active,
                       cancel_affected=cancel_affected)


@transaction.atomic
def item_catalogue_change(*, item: Item, actor: Actor, now: datetime, quantity: int, is_active: bool,
                          cancel_affected: bool = False) -> None:
    """A manager's change to an item's units or active flag, under the item's lock: checked as
    `item_catalogue_check` does; withdrawing cancels the stranded bookings the manager chose to cancel; more
    units (or an item back in service) are offered to the waiting list once saved. The caller saves the item."""
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change the catalogue."))
    locked = locking.lock(Item, [item.pk]).get(item.pk)
    if locked is None:
        return  # a new item: nothing booked yet
    stranded = _item_check(stored=locked, now=now, quantity=quantity, is_active=is_active,
                           cancel_affected=cancel_affected)
    for booking in stranded:
        booking_transition(booking=booking, to_status=Status.CANCELLED, resource_type=RESOURCE, actor=actor,
                           channel=Channel.ADMIN, now=now, reason=REASON_ITEM_WITHDRAWN)
    if locked.is_active and not is_active:
        return
    if quantity > locked.quantity or (is_active and not locked.is_active):
        capacity_freed(resource_type=RESOURCE, resource_ids=[locked.pk], now=now)  # offered once it is saved


def upcoming_for_requester(*, account, now: datetime, past_days: int = 14):
    """A Telegram user's bookings: upcoming and those of the last `past_days` days, newest first."""
    since = _today(now) - timedelta(days=past_days)
    return (
        EquipmentBooking.objects.filter(requester=account, end_date__gte=since, cabinet_booking__isnull=True)
        .select_related("item")
        .order_by("-start_date", "-id")
    )


__all__ = [
    "check_dates",
    "equipment_booking_approve",
    "equipment_booking_cancel",
    "equipment_booking_create",
    "equipment_booking_create_for_partner",
    "equipment_booking_move",
    "equipment_booking_reject",
    "equipment_bookings_complete_ended",
    "equipment_bookings_expire_undecided",
    "equipment_bookings_remind_undecided",
    "equipment_follow_cabinet",
    "equipment_window_move",
    "equipment_window_reserve",
    "item_catalogue_change",
    "item_catalogue_check",
]
