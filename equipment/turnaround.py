"""A longer turnaround for an item must not make its resting units collide with bookings already made:
the change is refused naming the days that would be short, under the item's lock."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from equipment.availability import clinic_zone, equipment_grid
from equipment.models import EquipmentBooking, Item
from kernel import locking
from kernel.bookings import HOLDING_STATUSES
from kernel.channels import Actor
from kernel.errors import BookingError


@transaction.atomic
def item_turnaround_check(*, item: Item, turnaround_days: int, quantity: int, actor: Actor, now: datetime) -> None:
    if not actor.is_manager:
        raise BookingError("forbidden", _("Only managers can change the catalogue."))
    locked = locking.lock(Item, [item.pk]).get(item.pk)
    if locked is None or turnaround_days <= locked.turnaround_days:
        return  # a new item, or a shorter rest: nothing can collide
    today = timezone.localtime(now, clinic_zone()).date()
    last = (EquipmentBooking.objects.filter(item=locked, status__in=HOLDING_STATUSES, end_date__gte=today)
            .order_by("-end_date").values_list("end_date", flat=True).first())
    if last is None:
        return
    proposed = copy.copy(locked)
    proposed.turnaround_days, proposed.quantity = turnaround_days, quantity
    grid = equipment_grid(items=[proposed], start_date=today, end_date=last + timedelta(days=turnaround_days))
    over = [d for d in grid.days if grid.peak(locked.pk, d) + grid.blocked(locked.pk, d) > quantity]
    if over:
        raise BookingError(
            "no_capacity",
            _("With %(n)s turnaround days %(item)s would be short of units on %(days)s; move or cancel bookings "
              "first.") % {"n": turnaround_days, "item": locked.name,
                           "days": ", ".join(date_format(d, "d.m.Y") for d in over[:10])},
            full_days=[d.isoformat() for d in over],
        )
