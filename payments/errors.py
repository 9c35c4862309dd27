"""Refusals only wallets give, registered with the kernel's error table (kernel/errors.py) at start-up."""

from django.utils.translation import gettext_lazy as _

from kernel.errors import register_errors

register_errors({
    "wallet_bad_amount": (400, _("The amount is not valid.")),
    "wallet_insufficient": (409, _("There is not enough money in the wallet.")),
    "payment_not_due": (409, _("This booking is not waiting for a payment.")),
    "payment_mismatch": (400, _("The amount or currency does not match the booking's price.")),
    "payments_off": (409, _("Online payments are not available.")),
})
