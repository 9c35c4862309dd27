"""What managers do in both bots: approve and reject requests (with a typed reason, or without), the pending
list, the day's schedule, and the blocklist."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from accounts.models import TelegramAccount
from accounts.services import telegram_account_block, telegram_account_unblock
from integrations import texts
from integrations.telegram import keyboards as kb
from integrations.telegram.bots import attendance
from integrations.telegram.bots.flow import Step
from integrations.telegram.conversation import Turn
from integrations.texts import local
from kernel.errors import BookingError


def btn_approve(flow, turn: Turn, booking_id: int) -> None:
    if flow.refuse_non_manager(turn):
        return
    decide(flow, turn, booking_id, approve=True)


def btn_reject(flow, turn: Turn, booking_id: int) -> None:
    if flow.refuse_non_manager(turn):
        return
    booking = flow.resource.load(booking_id)
    if booking is None:
        turn.notice(_("Booking not found."))
        return
    if booking.status != "pending":  # tell at once rather than after the reason is typed
        decide(flow, turn, booking_id, approve=False)
        return
    turn.dialog.reset()
    turn.dialog.go("reject", booking=booking.pk)
    turn.screen(_("Why is request %(ref)s rejected? Send the reason as a message.") % {"ref": booking.reference},
                kb.inline([[kb.button(texts.NO_REASON, f"{flow.prefix}:rjn:{booking.pk}")],
                           [kb.button(texts.CANCEL, "w:cancel")]]), new=True)


def btn_reject_without_reason(flow, turn: Turn, booking_id: int) -> None:
    if flow.refuse_non_manager(turn):
        return
    turn.dialog.reset()
    decide(flow, turn, booking_id, approve=False)


def reject_with_reason(flow, turn: Turn, text: str) -> None:
    booking_id = turn.dialog.data.get("booking")
    turn.dialog.reset()
    if not turn.account.is_manager or not booking_id:
        return
    decide(flow, turn, int(booking_id), approve=False, reason=text[:500])


# The dialog state a Reject opens: the next message is the reason.
STEPS = {"reject": Step(text=reject_with_reason)}


def decide(flow, turn: Turn, booking_id: int, *, approve: bool, reason: str = "") -> None:
    booking = flow.resource.load(booking_id)
    if booking is None:
        turn.notice(_("Booking not found."))
        return
    try:
        booking = flow.resource.decide(booking, turn, approve=approve, reason=reason)
    except BookingError as exc:
        turn.notice(_("Nothing changed."))
        turn.say(exc.message)
        return
    if approve:
        text = _("✅ Booking %(ref)s is approved.") % {"ref": booking.reference}
    else:
        text = _("❌ Booking %(ref)s is rejected.") % {"ref": booking.reference}
    turn.notice(text)
    text += " " + _("The client has been told.") + "\n\n" + flow.resource.card(booking, for_manager=True)
    if turn.incoming.is_callback and turn.incoming.callback_data.split(":")[1] == "ap":
        turn.edit(text)
    else:
        turn.say(text)


def cmd_pending(flow, turn: Turn, args: str) -> None:
    if flow.refuse_non_manager(turn):
        return
    bookings = flow.resource.pending()
    if not bookings:
        turn.say(_("No requests are waiting for a decision."), flow.menu(turn))
        return
    turn.say(_("📥 Waiting for a decision: %(n)s") % {"n": len(bookings)})
    shown = bookings[:20]
    prices = flow.resource.prices(shown)
    for booking in shown:
        turn.say(flow.resource.card(booking, for_manager=True, prices=prices), kb.decision(flow.prefix, booking.pk))


def cmd_today(flow, turn: Turn, args: str) -> None:
    day_schedule(flow, turn, local(turn.now).date())


def cmd_tomorrow(flow, turn: Turn, args: str) -> None:
    day_schedule(flow, turn, local(turn.now).date() + timedelta(days=1))


def day_schedule(flow, turn: Turn, day: date) -> None:
    if flow.refuse_non_manager(turn):
        return
    bookings = flow.resource.on_day(day)
    if not bookings:
        turn.say(_("No bookings on %(day)s.") % {"day": texts.day_text(day)}, flow.menu(turn))
        return
    lines = [_("🗓 Schedule for %(day)s:") % {"day": texts.day_text(day)}]
    lines += [flow.resource.schedule_line(booking) + attendance.attendance_mark(booking) for booking in bookings]
    turn.say("\n".join(lines), attendance.no_show_keyboard(flow, bookings, turn) or flow.menu(turn))


def cmd_block(flow, turn: Turn, args: str) -> None:
    if flow.refuse_non_manager(turn):
        return
    target_id, _sep, reason = args.partition(" ")
    target = _account_by_id(turn, target_id, "/block <Telegram id> [reason]")
    if target is None:
        return
    telegram_account_block(account=target, actor=turn.actor, now=turn.now, reason=reason.strip())
    turn.say(_("User %(id)s is blocked: they can see their bookings but cannot book.") % {
        "id": target.telegram_id})


def cmd_unblock(flow, turn: Turn, args: str) -> None:
    if flow.refuse_non_manager(turn):
        return
    target = _account_by_id(turn, args.strip(), "/unblock <Telegram id>")
    if target is None:
        return
    telegram_account_unblock(account=target, actor=turn.actor)
    turn.say(_("User %(id)s is unblocked.") % {"id": target.telegram_id})


def _account_by_id(turn: Turn, raw: str, usage: str) -> TelegramAccount | None:
    raw = raw.strip()
    if not raw.lstrip("-").isdigit():
        turn.say(_("Usage: %(usage)s") % {"usage": usage})
        return None
    account = TelegramAccount.objects.filter(telegram_id=int(raw)).first()
    if account is None:
        turn.say(_("No user with Telegram id %(id)s has written to the bots.") % {"id": raw})
    return account
