"""Log plumbing: the request id on every record, and no phone numbers or names in clear."""

from __future__ import annotations

import contextvars
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# International or local phone numbers: 10 to 15 digits, optionally grouped.
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{8,}\d(?!\w)")


def mask_phone(value: str) -> str:
    """'+79991234567' -> '+7******4567': enough to tell two numbers apart, not to call one."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 5:
        return "***"
    return f"+{digits[0]}{'*' * (len(digits) - 5)}{digits[-4:]}"


def mask_name(value: str) -> str:
    """'Иванов Иван' -> 'И. И.'"""
    parts = [p for p in (value or "").split() if p]
    return " ".join(f"{p[0]}." for p in parts) or "-"


class RedactPersonalData(logging.Filter):
    """Adds the request id and masks anything shaped like a phone number in the final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        redacted = _PHONE.sub(lambda m: mask_phone(m.group(0)), message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
