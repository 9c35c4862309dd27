"""Series in the cabinet bot's "My bookings": a date of a recurring booking says which series it belongs to
and offers "Cancel this one" (the ordinary cancel) and "Cancel this and later" (cabinets.series decides)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cabinets.series import cabinet_series_cancel
from integrations import texts
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.cards import own_or_managed, refuse_not_cancellable
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.channels import Channel
from kernel.errors import BookingError

CANCEL_ONE = gettext_lazy("❌ Cancel this one")
CANCEL_LATER = gettext_lazy("⏭ Cancel this and later")


def with_series(booking, card: str) -> str:
    """A booking's card, plus the series it belongs to, if any."""
    if not booking.series_id:
        return card
    series = booking.series
    every = ngettext("every week", "every %(n)s weeks", series.every_weeks) % {"n": series.every_weeks}
    return card + "\n🔁 " + _("Series #%(id)s, date %(n)s (%(every)s)") % {
        "id": series.pk, "n": booking.series_index, "every": every}


def series_markup(flow, booking, can_cancel: bool):
    """Under a cancellable date of a series: Open, Cancel this one, Cancel this and later. None otherwise."""
    if not booking.series_id or not can_cancel:
        return None
    return kb.inline([[kb.button(texts.OPEN, f"{flow.prefix}:open:{booking.pk}")],
                      [kb.button(CANCEL_ONE, f"{flow.prefix}:cancel:{booking.pk}"),
                       kb.button(CANCEL_LATER, f"{flow.prefix}:cxl:{booking.pk}")]])


def _own_occurrence(flow, turn: Turn, booking_id: int):
    booking = flow.resource.load(booking_id)
    if not own_or_managed(booking, turn) or not booking.series_id:
        turn.notice(_("Booking not found."))
        return None
    return booking


def btn_cancel_later(flow, turn: Turn, booking_id: int) -> None:
    booking = _own_occurrence(flow, turn, booking_id)
    if booking is None:
        return
    if refuse_not_cancellable(flow, booking, turn):
        return
    turn.say(_("Cancel this date and every later date of the series?") + "\n\n" + flow.resource.card(booking),
             kb.inline([[kb.button(texts.YES_CANCEL, f"{flow.prefix}:cxly:{booking.pk}"),
                         kb.button(texts.BACK, f"{flow.prefix}:open:{booking.pk}")]]))


def btn_cancel_later_confirmed(flow, turn: Turn, booking_id: int) -> None:
    booking = _own_occurrence(flow, turn, booking_id)
    if booking is None:
        return
    try:
        cancelled = cabinet_series_cancel(series=booking.series, actor=turn.actor, now=turn.now,
                                          from_date=local(booking.starts_at).date(), channel=Channel.BOT)
    except BookingError as exc:
        turn.notice(_("Not cancelled."))
        turn.edit(exc.message)
        return
    turn.notice(_("Cancelled."))
    days = ", ".join(texts.window_text(b.starts_at, b.ends_at) for b in cancelled)
    turn.edit(_("🚫 %(n)s dates of series #%(id)s are cancelled: %(days)s.") % {
        "n": len(cancelled), "id": booking.series_id, "days": days})


BUTTONS = {"cxl": btn_cancel_later, "cxly": btn_cancel_later_confirmed}
