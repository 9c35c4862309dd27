"""A booking's card with Open and Cancel: who may see it, whether Cancel is offered (the resource's public
cancel rule), the confirmation and the cancellation itself, also by reference (/cancel_booking C-12)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from integrations import texts
from integrations.telegram import keyboards as kb
from integrations.telegram.bots import paying
from integrations.telegram.conversation import Turn
from kernel.errors import BookingError

REFERENCE = re.compile(r"#?(?:([A-Za-z])-)?(\d{1,10})")  # "C-12", "#12", "12"


def cancellable(flow, booking, turn: Turn) -> bool:
    """The resource's cancel rule: managers any time, the owner while the booking holds and has not started."""
    return flow.resource.rules.can_cancel(booking=booking, actor=turn.actor, now=turn.now)


def has_started(flow, booking, turn: Turn) -> bool:
    return flow.resource.rules.booking_starts_at(booking) <= turn.now


def booking_markup(flow, booking, turn: Turn):
    """The buttons under a booking's card: Open, and Cancel while it can be cancelled (the resource may offer
    more, as the cabinet bot does for a date of a series)."""
    awaiting = paying.my_booking_markup(flow, booking, turn)
    if awaiting is not None:
        return awaiting
    can_cancel = cancellable(flow, booking, turn)
    own = flow.resource.booking_markup(flow, booking, can_cancel)
    return own if own is not None else kb.booking_actions(flow.prefix, booking.pk, cancellable=can_cancel)


def refuse_not_cancellable(flow, booking, turn: Turn) -> bool:
    try:
        flow.resource.rules.check_cancellable(booking=booking, actor=turn.actor, now=turn.now)
    except BookingError as refusal:
        turn.notice(_("Not cancelled."))
        turn.say(refusal.message)
        return True
    return False


def visible(booking, turn: Turn) -> bool:
    return booking is not None and (turn.account.is_manager or booking.requester_id == turn.account.pk)


def own_or_managed(booking, turn: Turn) -> bool:
    """The booking is the user's, or the user is a manager."""
    return visible(booking, turn) and (booking.requester_id == turn.account.pk or turn.account.is_manager)


def btn_open(flow, turn: Turn, booking_id: int) -> None:
    booking = flow.resource.load(booking_id)
    if not visible(booking, turn):
        turn.notice(_("Booking not found."))
        return
    for_manager = turn.account.is_manager
    markup = booking_markup(flow, booking, turn)
    if for_manager and booking.status == "pending":
        markup = kb.decision(flow.prefix, booking.pk)
    turn.say(flow.resource.card(booking, for_manager=for_manager), markup)


def btn_cancel(flow, turn: Turn, booking_id: int) -> None:
    booking = flow.resource.load(booking_id)
    if not own_or_managed(booking, turn):
        turn.notice(_("Booking not found."))
        return
    if refuse_not_cancellable(flow, booking, turn):
        return
    turn.say(_("Cancel this booking?") + "\n\n" + flow.resource.card(booking),
             kb.inline([[kb.button(texts.YES_CANCEL, f"{flow.prefix}:cxy:{booking.pk}"),
                         kb.button(texts.BACK, f"{flow.prefix}:open:{booking.pk}")]]))


def btn_cancel_confirmed(flow, turn: Turn, booking_id: int) -> None:
    booking = flow.resource.load(booking_id)
    if not own_or_managed(booking, turn):
        turn.notice(_("Booking not found."))
        return
    if refuse_not_cancellable(flow, booking, turn):
        return
    try:
        booking = flow.resource.cancel(booking, turn)
    except BookingError as exc:
        turn.notice(_("Not cancelled."))
        turn.edit(exc.message)
        return
    turn.notice(_("Cancelled."))
    turn.edit(_("🚫 Booking %(ref)s is cancelled.") % {"ref": booking.reference} + "\n\n"
              + flow.resource.card(booking))


def cmd_cancel_booking(flow, turn: Turn, args: str) -> None:
    """By the reference the bot shows (C-12), or by the bare number as before."""
    found = REFERENCE.fullmatch(args.strip())
    if found is None:
        turn.say(_("Usage: /cancel_booking <booking reference>, for example /cancel_booking C-12"))
        return
    letter, number = found.group(1), int(found.group(2))
    booking = flow.resource.load(number) if letter else None
    if letter and (booking is None or booking.REFERENCE_PREFIX != letter.upper()):
        turn.say(_("Booking not found."))
        return
    btn_cancel(flow, turn, number)
    if turn.outcome.answer:  # not found: say it in the chat, since no button was pressed
        turn.say(turn.outcome.answer)
