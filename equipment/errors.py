"""Refusals only equipment gives, registered with the kernel's error table (kernel/errors.py) at start-up."""

from django.utils.translation import gettext_lazy as _

from kernel.errors import register_errors

register_errors({
    "reserved": (409, _("This item is permanently reserved and cannot be booked here.")),
    "installed_in_cabinet": (409, _("This item is installed in a cabinet and is booked together with it.")),
})
