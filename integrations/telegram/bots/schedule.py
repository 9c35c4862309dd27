"""/schedule in the cabinet bot for a specialist whose Telegram id the clinic has recorded: their appointments
today and tomorrow (time, service, cabinet, the client's first name and the last digits of the phone)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from cabinets.models import CabinetBooking
from integrations import texts
from integrations.telegram.bots.attendance import SCHEDULE_STATUSES
from integrations.telegram.conversation import Turn
from integrations.telegram.specialist_notices import appointment_line
from integrations.texts import local
from kernel.clock import clinic_zone
from kernel.scheduling import day_bounds
from specialists.models import Specialist


def cmd_schedule(flow, turn: Turn, args: str) -> None:
    specialist = Specialist.objects.filter(telegram_id=turn.account.telegram_id, is_active=True).first()
    if specialist is None:
        turn.say(_("This command is for the clinic's specialists: it shows their appointments for today and "
                   "tomorrow."), flow.menu(turn))
        return
    today = local(turn.now).date()
    start, _end = day_bounds(today, clinic_zone())
    _start, end = day_bounds(today + timedelta(days=1), clinic_zone())
    appointments = list(CabinetBooking.objects.select_related("cabinet", "service")
                        .filter(specialist=specialist, service__isnull=False, status__in=SCHEDULE_STATUSES,
                                starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "id"))
    lines = [_("🗓 %(name)s, your appointments:") % {"name": specialist.name}]
    for day, title in ((today, _("Today")), (today + timedelta(days=1), _("Tomorrow"))):
        on_day = [booking for booking in appointments if local(booking.starts_at).date() == day]
        lines += ["", f"{title}, {texts.day_text(day)}:"]
        lines += [f"🔹 {appointment_line(booking)}" for booking in on_day] or [_("no appointments")]
    for message in texts.split_message(lines):
        turn.say(message, flow.menu(turn))
