"""The waitlist on the page: join with exactly the request that was refused for capacity, leave, or answer an
offer (book it, or pass it on), through the same waitlist services as the bots."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import TelegramAccount
from cabinets import waitlist as cabinet_waitlist
from equipment import waitlist as equipment_waitlist
from equipment.models import EquipmentBooking
from integrations.webapp.views.bookings import cabinet_booking, request_fields
from integrations.webapp.views.plumbing import body, endpoint
from integrations.webapp.views.presenters import booking_json, wait_json
from kernel.channels import Actor
from kernel.errors import BookingError
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_cancel, wait_decline


def _own_wait(account: TelegramAccount, wait_id: int) -> Wait:
    wait = Wait.objects.filter(pk=wait_id, requester=account).first()
    if wait is None:
        raise BookingError("not_found", _("This waitlist entry does not exist."))
    return wait


@require_POST
@endpoint(signed=True)
def waitlist_join(request: HttpRequest, *, account: TelegramAccount, now: datetime):
    """Wait for exactly the request that was refused for capacity."""
    kind, fields = request_fields(body(request), account, now, wait=True)  # a wait is for the window
    join = equipment_waitlist.equipment_wait_join if kind == "equipment" else cabinet_waitlist.cabinet_wait_join
    wait = join(**fields)
    return JsonResponse({"wait": wait_json(_own_wait(account, wait.pk))}, status=201)


@require_POST
@endpoint(signed=True)
def waitlist_action(request: HttpRequest, wait_id: int, action: str, *, account: TelegramAccount,
                    now: datetime):
    """Leave the waitlist, or answer an offer: book it, or pass it on."""
    wait, actor = _own_wait(account, wait_id), Actor.telegram(account)
    if action == "accept":
        if wait.resource_type == "equipment":
            booking = equipment_waitlist.equipment_wait_accept(wait=wait, actor=actor, now=now)
            booking = EquipmentBooking.objects.select_related("item").get(pk=booking.pk)
        else:
            booking = cabinet_booking(cabinet_waitlist.cabinet_wait_accept(wait=wait, actor=actor, now=now).pk)
        return JsonResponse({"booking": booking_json(wait.resource_type, booking, now, account)}, status=201)
    if action == "decline":
        wait = wait_decline(wait=wait, actor=actor, now=now)
    elif action == "leave":
        wait = wait_cancel(wait=wait, actor=actor, now=now)
    else:
        raise BookingError("not_found")
    return JsonResponse({"wait": wait_json(_own_wait(account, wait.pk))})
