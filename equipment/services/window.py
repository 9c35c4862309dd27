"""Equipment that comes with a cabinet booking: reserved for its window, moved with it and following its
status, always inside the cabinet booking's transaction so a refusal here rolls the whole change back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.availability import clinic_zone, items_free_in_window
from equipment.models import EquipmentBooking, Item
from equipment.rules import check_item_bookable, check_units
from equipment.services.locks import RESOURCE
from kernel import locking
from kernel.bookings import HOLDING_STATUSES, TRANSITIONS
from kernel.channels import Actor, Channel
from kernel.errors import BookingError
from kernel.lifecycle import booking_transition
from kernel.waitlist.services import capacity_freed


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


def equipment_window_check(
    *,
    cabinet_id: int,
    starts_at: datetime,
    ends_at: datetime,
    lines: Sequence[tuple[Item, int]],
    actor: Actor,
    now: datetime,
) -> list[tuple[Item, int]]:
    """Lock the items of `lines` (sorted) and check that their units are free in the window of a cabinet
    booking about to be made in cabinet `cabinet_id`, inside the caller's transaction. Returns the locked items
    with their units (merged per item), for `equipment_window_reserve` once the cabinet booking is saved."""
    locking.require_transaction()
    merged: dict[int, int] = {}
    for item, units in lines:
        merged[item.pk] = merged.get(item.pk, 0) + check_units(units)
    if not merged:
        return []
    locked = _window_check(merged=merged, cabinet_id=cabinet_id, starts_at=starts_at, ends_at=ends_at, actor=actor,
                           now=now)
    return [(locked[item_id], units) for item_id, units in sorted(merged.items())]


def equipment_window_reserve(
    *,
    cabinet_booking,
    checked: Sequence[tuple[Item, int]],
    actor: Actor,
    now: datetime,
) -> list[EquipmentBooking]:
    """Reserve the units `equipment_window_check` locked and checked for the window of `cabinet_booking`
    (saved since), in the same transaction: one line per item, with the cabinet booking's status, owner and
    client. A refusal of the cabinet booking rolls them back with it."""
    locking.require_transaction()
    day, last_day = _window_days(cabinet_booking)
    created = []
    for item, units in checked:
        booking = EquipmentBooking.objects.create(
            item=item,
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
            client_id=cabinet_booking.client_id,
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
