"""The one domain error: a machine code, an HTTP status and a user-safe message in the user's language."""

import pytest
from django.utils import translation

from kernel.errors import ERRORS, BookingError


def test_every_code_has_a_client_error_status():
    assert all(400 <= status < 500 for status, _message in ERRORS.values())


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        BookingError("no_such_code")


def test_messages_are_russian_by_default_and_english_on_request():
    error = BookingError("slot_taken")
    with translation.override("ru"):
        assert str(error) == "Это время уже занято."
    with translation.override("en"):
        assert str(error) == "This time is already taken."
    assert error.http_status == 409


def test_details_travel_with_the_error():
    error = BookingError("no_capacity", full_days=["2026-11-25"])
    assert error.details == {"full_days": ["2026-11-25"]}
