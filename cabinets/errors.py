"""Refusals only cabinets give, registered with the kernel's error table (kernel/errors.py) at start-up."""

from django.utils.translation import gettext_lazy as _

from kernel.errors import register_errors

register_errors({
    "closed": (409, _("The cabinet is closed at that time.")),
    "not_a_slot": (400, _("This time is not a bookable slot.")),
    "series_conflict": (409, _("Some dates of the series cannot be booked.")),
    "series_too_long": (400, _("The series is too long.")),
})
