"""The steps that end every booking dialog: the client's name and phone (the core normalises and validates
them), then Confirm with the price of the request."""

from __future__ import annotations

from django.utils.translation import gettext as _

from integrations import texts
from integrations.prefill import last_client
from integrations.prices import request_price
from integrations.telegram import keyboards as kb
from integrations.telegram.bots.flow import Step, birthday_of
from integrations.telegram.conversation import Turn
from kernel.contacts import clean_client_name, format_phone, normalize_phone
from kernel.errors import BookingError


def show_name(flow, turn: Turn, new: bool = False) -> None:
    prompt = _("Enter the client's full name:") if turn.account.is_manager else _("Enter your full name:")
    last = last_client(turn.account)
    rows = [kb.nav_row()]
    if last is not None:  # the name of their last booking, one tap away
        prompt = _("Enter your full name, or tap the one you gave last time:")
        rows.insert(0, [kb.button("👤 " + last.name[:60], "w:lastname")])
    turn.screen(flow.summary(turn) + "\n\n" + prompt, kb.inline(rows), new=new)


def use_last_name(flow, turn: Turn, value: str) -> None:
    last = last_client(turn.account)
    if last is None:
        turn.notice(_("This button is out of date."))
        return
    name_text(flow, turn, last.name)


def name_text(flow, turn: Turn, text: str) -> None:
    try:
        name = clean_client_name(text)
    except BookingError as exc:
        turn.say(exc.message)
        return
    turn.dialog.data["name"] = name
    flow.enter(turn, "phone", new=True)


def show_phone(flow, turn: Turn, new: bool = False) -> None:
    if turn.account.is_manager:
        prompt = _("Enter the client's phone number, for example +7 999 123-45-67:")
    else:
        prompt = _("Enter your phone number (for example +7 999 123-45-67) or share it with the button below:")
    last = last_client(turn.account)
    if last is not None:  # the phone of their last booking, one tap away
        prompt = _("Tap the phone number you gave last time, share another with the button below, or type it "
                   "(for example +7 999 123-45-67):")
    turn.screen(prompt, kb.phone_request(last=format_phone(last.phone) if last else None), new=True)


def phone_text(flow, turn: Turn, text: str) -> None:
    try:
        phone = normalize_phone(text)
    except BookingError as exc:
        turn.say(exc.message)
        return
    turn.dialog.data["phone"] = phone
    flow.enter(turn, "confirm", new=True)


def price_lines(flow, turn: Turn, data: dict | None = None) -> list[str]:
    """The price of what the dialog's `data` (its own by default) is about to book, for the client of the phone
    it holds, with the birthday given in it: the card's line, or nothing when nothing is priced."""
    data = turn.dialog.data if data is None else data
    request = flow.resource.price_request(turn, data)
    if request is None:
        return []
    resource_type, fields = request
    return texts.price_lines(request_price(resource_type=resource_type, request=fields, now=turn.now,
                                           phone=data.get("phone"), birthday=birthday_of(data)))


def show_confirm(flow, turn: Turn, new: bool = False) -> None:
    text = _("Please check the request:") + "\n\n" + "\n".join([flow.summary(turn), *price_lines(flow, turn)])
    if turn.account.is_manager:
        text += "\n\n" + _("As a manager's booking it will be approved at once.")
    else:
        text += "\n\n" + _("A manager will confirm the request; you will get a message here.")
    turn.screen(text, kb.inline([[kb.button(texts.CONFIRM, "w:confirm")], kb.nav_row()]), new=new)


def booked_text(booking) -> str:
    if booking.status == "approved":
        return _("✅ Booking %(ref)s is approved.") % {"ref": booking.reference}
    return _("⏳ Your request %(ref)s is created. Please wait for a manager's confirmation.") % {
        "ref": booking.reference}


def pick_confirm(flow, turn: Turn, value: str) -> None:
    try:
        booking = flow.resource.create(turn)
    except BookingError as exc:
        flow.resource.on_refused(flow, turn, exc)
        return
    turn.strip()
    turn.dialog.reset()
    turn.say(booked_text(booking) + "\n\n" + flow.resource.card(booking), flow.menu(turn))


STEPS = {
    "name": Step(show=show_name, picks={"lastname": use_last_name}, text=name_text),
    "phone": Step(show=show_phone, text=phone_text),
    "confirm": Step(show=show_confirm, picks={"confirm": pick_confirm}),
}
