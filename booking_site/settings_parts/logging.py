"""The LOGGING dictionary: every record goes through the redaction filter (no phone numbers or names in clear)
to one console handler, as JSON lines or readable lines; both carry the request id (booking_site.logging)."""

from __future__ import annotations


def logging_config(*, log_format: str, level: str) -> dict:
    """`log_format` "json" gives JSON lines, anything else readable lines; `level` is the root level."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "booking_site.logging.RedactPersonalData"}},
        "formatters": {
            "plain": {"()": "booking_site.logging.ReadableFormatter"},
            "json": {"()": "booking_site.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if log_format == "json" else "plain",
                        "filters": ["redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # httpx logs request URLs, which carry the bot token.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            "telegram": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
        },
    }
