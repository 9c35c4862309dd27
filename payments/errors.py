"""Refusals only wallets give, registered with the kernel's error table (kernel/errors.py) at start-up."""

from django.utils.translation import gettext_lazy as _

from kernel.errors import register_errors

register_errors({
    "wallet_bad_amount": (400, _("The amount is not valid.")),
    "wallet_insufficient": (409, _("There is not enough money in the wallet.")),
})
