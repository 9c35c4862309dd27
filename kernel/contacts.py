"""Client names and phone numbers: one normalisation for every channel."""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from kernel.errors import BookingError

DEFAULT_REGION = "RU"
NAME_MAX_LENGTH = 200
_SPACES = re.compile(r"\s+")
# A number already in the form this module returns (+7 and ten digits, not starting with 0): phonenumbers
# would give it back unchanged. Every booking normalises its phone twice (the door, then the service).
_NORMALIZED_RU = re.compile(r"\+7[1-9]\d{9}")


def normalize_phone(raw: str) -> str:
    """'8 (999) 123-45-67', '+7 999 1234567', '9991234567' -> '+79991234567'. Anything that is not a
    possible number is refused with a message that shows the expected form."""
    text = (raw or "").strip()
    if _NORMALIZED_RU.fullmatch(text):
        return text
    if not text:
        raise BookingError("invalid", _("The phone number is required."), field="client_phone")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 10 and not text.startswith("+"):
        text = "+7" + digits
    elif len(digits) == 11 and digits[0] in "78" and not text.startswith("+"):
        text = "+7" + digits[1:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number) or not 10 <= len(digits) <= 15:
        raise BookingError("invalid", _("The phone number is not valid. Example: +7 999 123-45-67"),
                           field="client_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """'+79991234567' -> '+7 999 123-45-67' for people to read."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, DEFAULT_REGION),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def clean_client_name(raw: str) -> str:
    """Trimmed, single-spaced, control characters removed; anything left is a name ("Я", "Li", "O'Neil"):
    the one rule for every channel is only that it is not blank."""
    name = _SPACES.sub(" ", "".join(ch if ch.isprintable() else " " for ch in (raw or ""))).strip()
    if not name:
        raise BookingError("invalid", _("The client's name is required."), field="client_name")
    if len(name) > NAME_MAX_LENGTH:
        raise BookingError("invalid", _("The name is too long (at most 200 characters)."), field="client_name")
    return name


def clean_comment(raw: str | None) -> str:
    comment = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in (raw or "")).strip()
    if len(comment) > 1000:
        raise BookingError("invalid", _("The comment is too long (at most 1000 characters)."), field="comment")
    return comment
