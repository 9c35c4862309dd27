"""Equipment bookings: the only place their writes live, one job per module. Bots, the API, the admin and
tasks call these; whether a request may be booked is `equipment.rules` (re-exported here for the doors that
ask before booking).

Every check-and-write locks the item rows first (sorted), inside one transaction, so two requests for the
last unit cannot both pass the check."""

from equipment.rules import check_dates, check_item_bookable, check_units
from equipment.services.cancel import equipment_booking_cancel
from equipment.services.catalogue import REASON_ITEM_WITHDRAWN, item_catalogue_change, item_catalogue_check
from equipment.services.create import equipment_booking_create
from equipment.services.decide import equipment_booking_approve, equipment_booking_reject
from equipment.services.locks import RESOURCE
from equipment.services.move import equipment_booking_move
from equipment.services.partner import equipment_booking_create_for_partner, partner_fingerprint
from equipment.services.sweeps import (
    equipment_bookings_complete_ended,
    equipment_bookings_expire_undecided,
    equipment_bookings_remind_undecided,
)
from equipment.services.upcoming import upcoming_for_requester
from equipment.services.window import (
    equipment_follow_cabinet,
    equipment_window_check,
    equipment_window_move,
    equipment_window_reserve,
)

__all__ = [
    "REASON_ITEM_WITHDRAWN",
    "RESOURCE",
    "check_dates",
    "check_item_bookable",
    "check_units",
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
    "equipment_window_check",
    "equipment_window_move",
    "equipment_window_reserve",
    "item_catalogue_change",
    "item_catalogue_check",
    "partner_fingerprint",
    "upcoming_for_requester",
]
