"""The steps that end every booking dialog: the client's name and phone (the core normalises and validates
them), the birthday once per client (skippable; accounts.clients remembers it was asked), then Confirm with the
price of the request."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from accounts.clients import clean_birthday, client_asks_birthday, client_birthday_skipped
from integrations import texts
from integrations.prefill import last_client
from integrations.prices import request_price
from integrations.telegram import keyboards as kb
from integrations.telegram.bots import paying
from integrations.telegram.bots.flow import Step, birthday_of
from integrations.telegram.conversation import Turn
from kernel.contacts import clean_client_name, format_phone, normalize_phone
from kernel.errors import BookingError

# 17.05.1990, 17/5/1990, 17-05-1990, or 1990-05-17
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


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
    data = turn.dialog.data
    data["phone"] = phone
    asked = data.get("birthday_phone") == phone  # answered earlier in this dialog
    flow.enter(turn, "birthday" if not asked and client_asks_birthday(phone) else "confirm", new=True)


def show_birthday(flow, turn: Turn, new: bool = False) -> None:
    if turn.account.is_manager:
        prompt = _("Enter the client's date of birth, for example 17.05.1990, or tap Skip:")
    else:
        prompt = _("Enter your date of birth, for example 17.05.1990, or tap Skip. We ask only once:")
    turn.screen(prompt, kb.inline([[kb.button(texts.SKIP, "w:skipbirthday")], kb.nav_row()]), new=new)


def parse_birthday(text: str) -> date | None:
    """A date as people type it: day.month.year (dots, slashes or dashes) or year-month-day; None when it is
    not one."""
    text = text.strip()
    day_first, iso = _DAY_MONTH_YEAR.fullmatch(text), _ISO.fullmatch(text)
    try:
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None
    return None


def birthday_text(flow, turn: Turn, text: str) -> None:
    birthday = parse_birthday(text)
    if birthday is None:
        turn.say(_("Please write the date as day.month.year, for example 17.05.1990, or tap Skip."))
        return
    try:
        clean_birthday(birthday, now=turn.now)
    except BookingError as exc:
        turn.say(exc.message)
        return
    data = turn.dialog.data
    data["birthday"], data["birthday_phone"] = birthday.isoformat(), data["phone"]
    flow.enter(turn, "confirm", new=True)


def skip_birthday(flow, turn: Turn, value: str) -> None:
    data = turn.dialog.data
    data["birthday"], data["birthday_phone"] = None, data["phone"]
    flow.enter(turn, "confirm")


def client_fields(data: dict) -> dict:
    """The client's part of a booking request from the dialog: name, phone and the birthday given for it."""
    return {"client_name": data["name"], "client_phone": data["phone"], "client_birthday": birthday_of(data)}


def _remember_skipped(turn: Turn, booking) -> None:
    """A birthday skipped in this dialog is not asked again for this client."""
    data = turn.dialog.data
    if data.get("birthday_phone") == data.get("phone") and not data.get("birthday"):
        client_birthday_skipped(client_id=booking.client_id, now=turn.now)


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
    _remember_skipped(turn, booking)
    turn.strip()
    turn.dialog.reset()
    if paying.awaits_payment(booking):
        paying.offer_payment(flow, turn, booking)
        return
    turn.say(booked_text(booking) + "\n\n" + flow.resource.card(booking), flow.menu(turn))


STEPS = {
    "name": Step(show=show_name, picks={"lastname": use_last_name}, text=name_text),
    "phone": Step(show=show_phone, text=phone_text),
    "birthday": Step(show=show_birthday, picks={"skipbirthday": skip_birthday}, text=birthday_text),
    "confirm": Step(show=show_confirm, picks={"confirm": pick_confirm}),
}
