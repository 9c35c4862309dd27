"""Refusals only specialists give, registered with the kernel's error table (kernel/errors.py) at start-up."""

from django.utils.translation import gettext_lazy as _

from kernel.errors import register_errors

register_errors({
    "specialist_busy": (409, _("The specialist is busy at that time.")),
    "outside_hours": (409, _("The specialist does not work at that time.")),
    "day_off": (409, _("The specialist is off that day.")),
})
