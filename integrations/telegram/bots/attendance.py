"""Attendance in both bots: the reminder's "I will come", and the manager's no-show button under the day's
schedule. The rules are the services'; each flow names its own (`confirm_attendance`, `mark_no_show`,
`has_started`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from booking_site.bookings import HOLDING_STATUSES, Status
from booking_site.errors import BookingError
from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from integrations.texts import local

# The day's schedule shows what took place too, so a manager can still mark a completed booking a no-show.
SCHEDULE_STATUSES = (*HOLDING_STATUSES, Status.COMPLETED, Status.NO_SHOW)
NO_SHOW_MARKABLE = (Status.APPROVED, Status.COMPLETED)
MAX_NO_SHOW_BUTTONS = 20


class Attendance:
    prefix = ""

    def confirm_attendance(self, booking, turn: Turn):
        raise NotImplementedError

    def mark_no_show(self, booking, turn: Turn):
        raise NotImplementedError

    def has_started(self, booking, turn: Turn) -> bool:
        raise NotImplementedError

    def btn_will_come(self, turn: Turn, booking_id: int) -> None:
        booking = self.load(booking_id)
        if booking is None or booking.requester_id != turn.account.pk:
            turn.notice(_("Booking not found."))
            return
        try:
            booking = self.confirm_attendance(booking, turn)
        except BookingError as exc:
            turn.notice(_("Nothing changed."))
            turn.say(exc.message)
            return
        turn.notice(_("Thank you!"))
        turn.edit(_("✅ Thank you! We are expecting you.") + "\n\n" + self.card(booking),
                  kb.booking_actions(self.prefix, booking.pk, cancellable=self.cancellable(booking, turn)))

    def btn_no_show(self, turn: Turn, booking_id: int) -> None:
        if self.refuse_non_manager(turn):
            return
        booking = self.load(booking_id)
        if booking is None:
            turn.notice(_("Booking not found."))
            return
        try:
            booking = self.mark_no_show(booking, turn)
        except BookingError as exc:
            turn.notice(_("Nothing changed."))
            turn.say(exc.message)
            return
        text = _("🚷 Booking %(ref)s is marked as a no-show.") % {"ref": booking.reference}
        turn.notice(text)
        turn.say(text + "\n\n" + self.card(booking, for_manager=True))

    def attendance_mark(self, booking) -> str:
        if booking.status == Status.NO_SHOW:
            return " 🚷"
        if booking.client_confirmed_at is not None:
            return " " + _("✔ confirmed %(time)s") % {"time": f"{local(booking.client_confirmed_at):%d.%m %H:%M}"}
        return ""

    def no_show_keyboard(self, bookings, turn: Turn):
        buttons = [kb.button(_("🚷 No-show %(ref)s") % {"ref": booking.reference}, f"{self.prefix}:ns:{booking.pk}")
                   for booking in bookings
                   if booking.status in NO_SHOW_MARKABLE and self.has_started(booking, turn)]
        return kb.inline(kb.chunks(buttons[:MAX_NO_SHOW_BUTTONS], 2)) if buttons else None
