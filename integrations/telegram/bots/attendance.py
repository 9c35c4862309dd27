"""Attendance in both bots: the reminder's "I will come", and the manager's no-show button under the day's
schedule. The rules are the services'; each resource's adapter names its own (`confirm_attendance`,
`mark_no_show`) and its rules tell when a booking starts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from integrations.telegram import keyboards as kb
from integrations.telegram.bots.cards import cancellable, has_started
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.bookings import HOLDING_STATUSES, Status
from kernel.errors import BookingError

# The day's schedule shows what took place too, so a manager can still mark a completed booking a no-show.
SCHEDULE_STATUSES = (*HOLDING_STATUSES, Status.COMPLETED, Status.NO_SHOW)
NO_SHOW_MARKABLE = (Status.APPROVED, Status.COMPLETED)
MAX_NO_SHOW_BUTTONS = 20


def btn_will_come(flow, turn: Turn, booking_id: int) -> None:
    booking = flow.resource.load(booking_id)
    if booking is None or booking.requester_id != turn.account.pk:
        turn.notice(_("Booking not found."))
        return
    try:
        booking = flow.resource.confirm_attendance(booking, turn)
    except BookingError as exc:
        turn.notice(_("Nothing changed."))
        turn.say(exc.message)
        return
    turn.notice(_("Thank you!"))
    turn.edit(_("✅ Thank you! We are expecting you.") + "\n\n" + flow.resource.card(booking),
              kb.booking_actions(flow.prefix, booking.pk, cancellable=cancellable(flow, booking, turn)))


def btn_no_show(flow, turn: Turn, booking_id: int) -> None:
    if flow.refuse_non_manager(turn):
        return
    booking = flow.resource.load(booking_id)
    if booking is None:
        turn.notice(_("Booking not found."))
        return
    try:
        booking = flow.resource.mark_no_show(booking, turn)
    except BookingError as exc:
        turn.notice(_("Nothing changed."))
        turn.say(exc.message)
        return
    text = _("🚷 Booking %(ref)s is marked as a no-show.") % {"ref": booking.reference}
    turn.notice(text)
    turn.say(text + "\n\n" + flow.resource.card(booking, for_manager=True))


def attendance_mark(booking) -> str:
    if booking.status == Status.NO_SHOW:
        return " 🚷"
    if booking.client_confirmed_at is not None:
        return " " + _("✔ confirmed %(time)s") % {"time": f"{local(booking.client_confirmed_at):%d.%m %H:%M}"}
    return ""


def no_show_keyboard(flow, bookings, turn: Turn):
    buttons = [kb.button(_("🚷 No-show %(ref)s") % {"ref": booking.reference}, f"{flow.prefix}:ns:{booking.pk}")
               for booking in bookings
               if booking.status in NO_SHOW_MARKABLE and has_started(flow, booking, turn)]
    return kb.inline(kb.chunks(buttons[:MAX_NO_SHOW_BUTTONS], 2)) if buttons else None
