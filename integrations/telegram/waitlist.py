"""The waitlist in both bots: "Join the waitlist" on a refusal for capacity, waits in "My bookings" with Leave,
and the offer message with Book and No, thanks. Rules live in the waitlist services; this parses and renders.

Buttons: `<eq|cab>:join:0` (joins with the request the dialog was refused, kept in the dialog), `:wcx:<id>`
(leave), `:wbk:<id>` (book the offer), `:wno:<id>` (decline it)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from integrations import texts
from integrations.delivery import delivery_enqueue
from integrations.models import Delivery
from integrations.telegram import keyboards as kb
from integrations.telegram.conversation import Turn
from kernel.errors import BookingError
from kernel.outbox.models import Event
from kernel.waitlist.models import Wait
from kernel.waitlist.services import wait_cancel, wait_decline, wait_position

JOIN_WAITLIST, NO_THANKS, LEAVE_WAITLIST = texts.JOIN_WAITLIST, texts.NO_THANKS, texts.LEAVE_WAITLIST
BOT_OF = {"equipment": Delivery.Bot.EQUIPMENT, "cabinet": Delivery.Bot.CABINET}
PREFIX_OF = {"equipment": "eq", "cabinet": "cab"}


def wait_card(wait: Wait) -> str:
    return ("🏢 " if wait.starts_at is None else "🚪 ") + texts.wait_title(wait) + "\n📅 " + texts.wait_when(wait)


def offer_markup(prefix: str, wait_id: int):
    return kb.inline([[kb.button(texts.BOOK, f"{prefix}:wbk:{wait_id}"),
                       kb.button(NO_THANKS, f"{prefix}:wno:{wait_id}")]])


def _offer_text(wait: Wait) -> str:
    return (_("🔔 A place you are waiting for is free and held for you until %(time)s:")
            % {"time": f"{texts.day_text(texts.local(wait.offer_expires_at).date())} "
                       f"{texts.hhmm(wait.offer_expires_at)}"}
            + "\n\n" + wait_card(wait) + "\n\n" + _("Book it?"))


def _ended_text(wait: Wait, status: str) -> str:
    if status == Wait.Status.EXPIRED:
        return _("⌛ The offer was not taken in time and has passed to the next person in line:") + "\n\n" + (
            wait_card(wait))
    return _("The wait is over: its dates have passed.") + "\n\n" + wait_card(wait)


def render_wait_event(event: Event, *, now) -> list[int]:
    """The waiter's Telegram message for a waitlist event; partners' waits are not sent here."""
    payload = event.payload or {}
    wait = Wait.objects.select_related("requester").filter(pk=payload.get("wait_id")).first()
    if wait is None or wait.requester is None or wait.resource_type not in BOT_OF:
        return []
    client = wait.requester
    with translation.override(client.language):
        if event.topic == Event.Topic.WAITLIST_OFFERED:
            if wait.status != Wait.Status.OFFERED:
                return []  # already booked, declined or expired before we got to tell them
            text, markup = _offer_text(wait), offer_markup(PREFIX_OF[wait.resource_type], wait.pk).to_dict()
        else:
            text, markup = _ended_text(wait, payload.get("status", "")), None
    delivery = delivery_enqueue(bot=BOT_OF[wait.resource_type], chat_id=client.telegram_id, now=now,
                                event_id=event.pk, dedupe_key=f"event:{event.pk}:waiter:{client.telegram_id}",
                                payload={"text": text, **({"reply_markup": markup} if markup else {})})
    return [delivery.pk] if delivery is not None else []


def can_wait(turn: Turn) -> bool:
    """The refused request is complete (a refusal at Confirm): it can be waited for as it is."""
    return bool(turn.dialog.data.get("name") and turn.dialog.data.get("phone"))


def remember_wait_request(flow, turn: Turn, waitable: bool = True) -> None:
    """Keep the refused request for the Join button; forget an older one when this refusal is not for
    capacity."""
    if waitable:
        turn.dialog.data["waitreq"] = flow.resource.wait_request(turn)
    else:
        turn.dialog.data.pop("waitreq", None)


def join_rows(flow, turn: Turn) -> list:
    """The Join button's row on the alternatives screen, while a refused request is kept."""
    return [[kb.button(JOIN_WAITLIST, f"{flow.prefix}:join:0")]] if turn.dialog.data.get("waitreq") else []


def offer_waitlist(flow, turn: Turn, text: str) -> None:
    """Say why the request was refused, with a button to wait for exactly it."""
    remember_wait_request(flow, turn)
    turn.say(text, kb.inline([[kb.button(JOIN_WAITLIST, f"{flow.prefix}:join:0")]]))


def btn_join_waitlist(flow, turn: Turn, _zero: int) -> None:
    request = turn.dialog.data.get("waitreq")
    if not request:
        turn.notice(_("This button is out of date."))
        return
    try:
        wait = flow.resource.join_wait(turn, request)
    except BookingError as exc:
        turn.notice(_("Not added."))
        turn.say(exc.message)
        return
    flow.resource.release(turn)
    turn.strip()
    turn.dialog.reset()
    turn.notice(_("You are on the waitlist."))
    turn.say(_("🕒 You are on the waitlist, number %(n)s in line. When it is free it will be held for you and "
               "you will get a message here with a Book button.") % {"n": wait_position(wait)}
             + "\n\n" + wait_card(wait), flow.menu(turn))


def _own_wait(flow, turn: Turn, wait_id: int) -> Wait | None:
    wait = Wait.objects.filter(
        pk=wait_id, requester=turn.account, resource_type=flow.bot).first()
    if wait is None:
        turn.notice(_("This waitlist entry does not exist."))
    return wait


def btn_leave_waitlist(flow, turn: Turn, wait_id: int) -> None:
    wait = _own_wait(flow, turn, wait_id)
    if wait is None:
        return
    try:
        wait_cancel(wait=wait, actor=turn.actor, now=turn.now)
    except BookingError as exc:
        turn.notice(_("Nothing changed."))
        turn.edit(exc.message)
        return
    turn.notice(_("You have left the waitlist."))
    turn.edit(_("You have left the waitlist.") + "\n\n" + wait_card(wait))


def btn_book_offer(flow, turn: Turn, wait_id: int) -> None:
    wait = _own_wait(flow, turn, wait_id)
    if wait is None:
        return
    try:
        booking = flow.resource.accept_wait(turn, wait)
    except BookingError as exc:
        turn.notice(_("Not booked."))
        turn.edit(exc.message + "\n\n" + wait_card(wait))
        return
    from integrations.telegram.bots import paying  # the bots' modules import this one

    if paying.awaits_payment(booking):
        turn.notice(_("Booked."))
        paying.offer_payment(flow, turn, booking)
        return
    if booking.status == "approved":
        text = _("✅ Booking %(ref)s is approved.") % {"ref": booking.reference}
    else:
        text = _("⏳ Your request %(ref)s is created. Please wait for a manager's confirmation.") % {
            "ref": booking.reference}
    turn.notice(_("Booked."))
    turn.edit(text + "\n\n" + flow.resource.card(booking))


def btn_decline_offer(flow, turn: Turn, wait_id: int) -> None:
    wait = _own_wait(flow, turn, wait_id)
    if wait is None:
        return
    try:
        wait_decline(wait=wait, actor=turn.actor, now=turn.now)
    except BookingError as exc:
        turn.notice(_("Nothing changed."))
        turn.edit(exc.message)
        return
    turn.notice(_("Declined."))
    turn.edit(_("Thank you: the place passes to the next person in line.") + "\n\n" + wait_card(wait))


def say_waits(flow, turn: Turn) -> None:
    """The user's waits after their bookings, each with Leave (and Book / No, thanks while offered)."""
    waits = flow.resource.my_waits(turn)
    if not waits:
        return
    turn.say(_("🕒 You are on the waitlist:"))
    for wait in waits:
        if wait.status == Wait.Status.OFFERED:
            turn.say(_offer_text(wait), offer_markup(flow.prefix, wait.pk))
            continue
        text = _("Number %(n)s in line") % {"n": wait_position(wait)} + "\n" + wait_card(wait)
        turn.say(text, kb.inline([[kb.button(LEAVE_WAITLIST, f"{flow.prefix}:wcx:{wait.pk}")]]))


# `<eq|cab>:join:0` joins with the refused request kept in the dialog; the others take the wait's id.
BUTTONS = {"join": btn_join_waitlist, "wcx": btn_leave_waitlist, "wbk": btn_book_offer, "wno": btn_decline_offer}
