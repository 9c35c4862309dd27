"""The daily discount quota: at most N bookings made on one clinic day get a discount (DISCOUNT_DAILY_QUOTA until
a manager or the catalogue sets it; 0 = no limit). A discount is taken in the booking's transaction under the
day row's lock, and given back when the booking is cancelled or rejected."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from kernel import locking
from kernel.pricing.models import DiscountQuota, DiscountQuotaUse

QUOTA_ROW = 1  # the one DiscountQuota row


def daily_limit() -> int:
    """Discounted bookings a clinic day may have; 0 = no limit."""
    limit = DiscountQuota.objects.filter(pk=QUOTA_ROW).values_list("daily_limit", flat=True).first()
    return settings.DISCOUNT_DAILY_QUOTA if limit is None else limit


def daily_limit_set(limit: int) -> DiscountQuota:
    """Set the quota (the admin, the catalogue)."""
    quota, _created = DiscountQuota.objects.update_or_create(pk=QUOTA_ROW, defaults={"daily_limit": limit})
    return quota


def quota_used(day: date) -> int:
    return DiscountQuotaUse.objects.filter(day=day).values_list("used", flat=True).first() or 0


def quota_spent(day: date) -> bool:
    """Whether a booking made on `day` would get its discount no more (read only: a quote asks this)."""
    limit = daily_limit()
    return bool(limit) and quota_used(day) >= limit


def quota_take(day: date) -> bool:
    """Count one discount against `day`'s quota, or say it is spent. Runs in the booking's transaction: the
    day's row is locked from the check to the write, so two bookings never take the last discount both."""
    locking.require_transaction()
    pk = DiscountQuotaUse.objects.filter(day=day).values_list("pk", flat=True).first()
    if pk is None:  # the day's first discount: two first ones meet on the unique day, the second waits
        DiscountQuotaUse.objects.bulk_create([DiscountQuotaUse(day=day)], ignore_conflicts=True)
        pk = DiscountQuotaUse.objects.values_list("pk", flat=True).get(day=day)
    limit = daily_limit()
    if not limit:  # no limit: count it, with no check to guard
        DiscountQuotaUse.objects.filter(pk=pk).update(used=F("used") + 1)
        return True
    row = locking.lock_one(DiscountQuotaUse, pk, _("The discount quota of this day is missing."))
    if row.used >= limit:
        return False
    locking.after_check()
    row.used += 1
    row.save(update_fields=["used"])
    return True


def quota_give_back(day: date) -> None:
    """One discount of `day` is no longer used (its booking was cancelled or rejected)."""
    DiscountQuotaUse.objects.filter(day=day, used__gt=0).update(used=F("used") - 1)
