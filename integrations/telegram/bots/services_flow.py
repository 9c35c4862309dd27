"""The cabinet bot's adapter with services: the cabinet dialog as before, and the "Book a service" dialog
(steps/services.py) whose request is an appointment — a cabinet booking that names its service and
specialist, made by `specialists.services.appointment_create` (a refusal bringing the services grid's
alternatives), so the card, My bookings, approval, reminders
and cancellation of cabinet bookings apply to it unchanged. A dialog is a service dialog while its data names a
service; everything else is the cabinet adapter's."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from integrations import texts
from integrations.telegram.bots.cabinets import CabinetResource, dialog_start
from integrations.telegram.bots.steps import services as steps
from integrations.telegram.bots.steps.client import client_fields
from integrations.telegram.conversation import Turn
from kernel.channels import Channel
from kernel.errors import BookingError
from kernel.lifecycle import check_requester
from specialists.alternatives import appointment_create_offering_alternatives
from specialists.models import Service, Specialist
from specialists.services import RESOURCE as APPOINTMENT


def is_service_dialog(turn: Turn) -> bool:
    return turn.dialog.state in steps.STEPS or bool(turn.dialog.data.get("service"))


class CabinetAndServiceResource(CabinetResource):
    """The cabinet bot's adapter: a cabinet booking, or an appointment for a service."""

    def service(self, turn: Turn) -> Service | None:
        return steps.active_services().filter(pk=turn.dialog.data.get("service") or 0).first()

    def specialist(self, turn: Turn) -> Specialist | None:
        """The chosen specialist; None for Any (or before the choice)."""
        chosen = turn.dialog.data.get("specialist")
        return Specialist.objects.filter(pk=chosen, is_active=True).first() if chosen else None

    def service_start(self, turn: Turn) -> datetime | None:
        return dialog_start(turn.dialog.data)

    # --- The dialog -------------------------------------------------------------------------------

    def chosen_is_gone(self, turn: Turn) -> bool:
        if is_service_dialog(turn):
            return False  # the service steps say themselves when a service or specialist went
        return super().chosen_is_gone(turn)

    def before_step(self, flow, turn: Turn, step: str) -> bool:
        if is_service_dialog(turn):
            return True  # nothing is held while a service is chosen: Confirm checks everything under the lock
        return super().before_step(flow, turn, step)

    def summary_lines(self, turn: Turn) -> list[str]:
        if not is_service_dialog(turn):
            return super().summary_lines(turn)
        data = turn.dialog.data
        service = self.service(turn)
        lines = ["🩺 " + steps.service_label(service)] if service else []
        if data.get("specialist") is not None:
            person = self.specialist(turn)
            lines.append("👩‍⚕️ " + (person.name if person else _("Any specialist")))
        day = self.day(turn)
        if day and data.get("slot"):
            lines.append("📅 " + f"{texts.day_text(day)} {data['slot'][:2]}:{data['slot'][2:]}")
        elif day:
            lines.append("📅 " + texts.day_text(day))
        return lines

    def price_request(self, turn: Turn, data: dict) -> tuple[str, dict] | None:
        """An appointment costs its service's price alone (the specialists' adapter prices it)."""
        if not data.get("service"):
            return super().price_request(turn, data)
        service = steps.active_services().filter(pk=data["service"]).first()
        starts_at = dialog_start(data)
        if service is None or starts_at is None:
            return None
        return APPOINTMENT, {"service": service, "starts_at": starts_at}

    def create(self, turn: Turn):
        if not is_service_dialog(turn):
            return super().create(turn)
        data = turn.dialog.data
        service = self.service(turn)
        if service is None:
            raise BookingError("inactive", _("This service is no longer available."))
        specialist = self.specialist(turn)
        if data.get("specialist") and specialist is None:
            raise BookingError("inactive", _("This specialist is not available for booking."))
        return appointment_create_offering_alternatives(
            service=service, specialist=specialist, starts_at=self.service_start(turn), **client_fields(data),
            actor=turn.actor, channel=Channel.BOT, now=turn.now)

    def on_refused(self, flow, turn: Turn, exc: BookingError) -> None:
        if not is_service_dialog(turn):
            super().on_refused(flow, turn, exc)
            return
        steps.refused(flow, turn, exc)


def cmd_book_service(flow, turn: Turn, args: str) -> None:
    """The menu's "Book a service": the service dialog from its first step."""
    try:
        check_requester(actor=turn.actor, holding_count=lambda: 0)
    except BookingError as exc:
        turn.dialog.reset()
        turn.say(exc.message, flow.menu(turn))
        return
    flow.resource.release(turn)
    turn.dialog.reset()
    flow.enter(turn, steps.TRAIL[0], new=True)


MENU = {texts.BOOK_SERVICE: cmd_book_service}
COMMANDS = {"book_service": cmd_book_service}
