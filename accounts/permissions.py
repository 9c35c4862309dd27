"""The "Managers" group: what a staff member who runs the clinic may do in the admin without being a
superuser. Bookings are never deleted (they are cancelled); users and Django's own tables are not theirs."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MANAGERS_GROUP = "Managers"

# app_label -> model -> actions
MANAGER_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "equipment": {
        "item": ("view", "add", "change"),
        "equipmentbooking": ("view", "add", "change"),
        "equipmentbookingstatuschange": ("view",),
        "maintenancewindow": ("view", "add", "change", "delete"),
    },
    "cabinets": {
        "cabinet": ("view", "add", "change"),
        "weeklyschedule": ("view", "add", "change"),
        "holiday": ("view", "add", "change", "delete"),
        "closure": ("view", "add", "change", "delete"),
        "cabinetbooking": ("view", "add", "change"),
        "cabinetbookingstatuschange": ("view",),
        "slothold": ("view",),
        "cabinetseries": ("view", "add", "change"),
    },
    "specialists": {
        "specialist": ("view", "add", "change"),
        "workinghours": ("view", "add", "change", "delete"),
        "dayoff": ("view", "add", "change", "delete"),
        "service": ("view", "add", "change"),
        "serviceequipment": ("view", "add", "change", "delete"),
    },
    "accounts": {
        "telegramaccount": ("view", "change"),
        "partner": ("view", "add", "change"),
        "client": ("view", "change"),
    },
    "kernel": {"idempotencykey": ("view",)},
    "outbox": {"event": ("view",)},
    "pricing": {"discountrule": ("view", "add", "change", "delete"), "discountquota": ("view", "change"),
                "discountquotause": ("view",)},
    # Rows of these three are read-only in the admin; "change" lets a manager cancel a wait or retry deliveries.
    "waitlist": {"wait": ("view", "change")},
    # "change" on monthly audits lets a manager run "Export now" for a chosen month.
    "integrations": {"delivery": ("view", "change"), "auditexport": ("view", "change")},
    "webhooks": {"partnerwebhook": ("view", "add", "change", "delete"), "webhookdelivery": ("view", "change")},
    # The wallets' ledger is append-only: "add" is a deposit or a correction, through the wallet service. A sold
    # package is never edited either: "add" is a sale, through the package service. Payments and refunds are
    # read-only rows: "add" on a payment marks a booking paid in cash, "add" on a refund makes one.
    "payments": {"wallettransaction": ("view", "add"), "packageproduct": ("view", "add", "change"),
                 "clientpackage": ("view", "add"), "payment": ("view", "add"), "refund": ("view", "add")},
    "mail": {"mailmessage": ("view", "change")},
}


def managers_group_ensure(**_kwargs) -> Group:
    """Create the group and give it exactly MANAGER_PERMISSIONS (those that exist yet). Idempotent: run after
    every migrate, so a new model's permissions reach the group once they exist."""
    group, _created = Group.objects.get_or_create(name=MANAGERS_GROUP)
    wanted = Q(pk__in=[])
    for app_label, models in MANAGER_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions])
    group.permissions.set(Permission.objects.filter(wanted))
    return group
