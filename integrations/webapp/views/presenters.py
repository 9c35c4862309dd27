"""How the page shows a booking and a wait: the same lines as the bots' cards (integrations.texts), and
whether Cancel is offered by the resource's public cancel rule."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import TelegramAccount
from cabinets import rules as cabinet_rules
from equipment import rules as equipment_rules
from integrations import texts
from kernel.channels import Actor
from kernel.clock import clinic_zone
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_position

RULES = {"equipment": equipment_rules, "cabinet": cabinet_rules}


def _appointment(kind: str, booking) -> dict:
    """An appointment's service, specialist and cabinet; empty for anything else."""
    if kind != "cabinet" or not booking.service_id:
        return {"service": None, "specialist": None, "cabinet": None}
    return {"service": booking.service.name, "specialist": booking.specialist.name if booking.specialist_id else None,
            "cabinet": booking.cabinet.name}


def booking_json(kind: str, booking, now: datetime, account: TelegramAccount) -> dict:
    return {**_appointment(kind, booking), "kind": kind, "id": booking.pk, "reference": booking.reference,
            "title": texts.booking_title(kind, booking), "when": texts.booking_when(kind, booking),
            "equipment": texts.equipment_lines(booking) if kind == "cabinet" else [], "status": booking.status,
            "status_label": str(texts.status_label(booking.status)),
            "cancellable": RULES[kind].can_cancel(booking=booking, actor=Actor.telegram(account), now=now)}


def wait_json(wait: Wait) -> dict:
    expires = (timezone.localtime(wait.offer_expires_at, clinic_zone()).isoformat()
               if wait.status == Wait.Status.OFFERED and wait.offer_expires_at else None)
    return {"id": wait.pk, "kind": wait.resource_type, "title": texts.wait_title(wait), "when": texts.wait_when(wait),
            "status": wait.status, "status_label": str(wait.get_status_display()), "position": wait_position(wait),
            "offer_expires_at": expires}
