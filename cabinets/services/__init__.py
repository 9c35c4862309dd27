"""Cabinet bookings, slot holds and schedule changes: the only place their writes live, one job per module.
Whether a request may be booked is `cabinets.rules`; these lock, check with it, and write.

Every check-and-write locks the cabinet row first, inside one transaction (`occupancy`); the occupancy table's
unique index (and on PostgreSQL an exclusion constraint) refuses an overlap even if a check were skipped."""

from cabinets.services.cancel import cabinet_booking_cancel
from cabinets.services.closures import closure_check, closure_save
from cabinets.services.create import cabinet_booking_create
from cabinets.services.deactivation import cabinet_deactivate, cabinet_deactivate_check
from cabinets.services.decide import cabinet_booking_approve, cabinet_booking_reject
from cabinets.services.holds import slot_hold_release, slot_hold_take
from cabinets.services.holidays import holiday_check, holiday_save
from cabinets.services.move import cabinet_booking_move
from cabinets.services.partner import cabinet_booking_create_for_partner, merged_lines, partner_fingerprint
from cabinets.services.schedule import REASON_SCHEDULE_CHANGED
from cabinets.services.status import RESOURCE
from cabinets.services.sweeps import (
    cabinet_bookings_complete_ended,
    cabinet_bookings_expire_undecided,
    cabinet_bookings_remind_undecided,
)
from cabinets.services.upcoming import upcoming_for_requester
from cabinets.services.weekly import weekly_schedule_check, weekly_schedule_save

__all__ = [
    "REASON_SCHEDULE_CHANGED",
    "RESOURCE",
    "cabinet_booking_approve",
    "cabinet_booking_cancel",
    "cabinet_booking_create",
    "cabinet_booking_create_for_partner",
    "cabinet_booking_move",
    "cabinet_booking_reject",
    "cabinet_bookings_complete_ended",
    "cabinet_bookings_expire_undecided",
    "cabinet_bookings_remind_undecided",
    "cabinet_deactivate",
    "cabinet_deactivate_check",
    "closure_check",
    "closure_save",
    "holiday_check",
    "holiday_save",
    "merged_lines",
    "partner_fingerprint",
    "slot_hold_release",
    "slot_hold_take",
    "upcoming_for_requester",
    "weekly_schedule_check",
    "weekly_schedule_save",
]
