"""A phone number already normalised comes back as it is, exactly as phonenumbers itself would return it."""

import phonenumbers
import pytest

from kernel.contacts import DEFAULT_REGION, normalize_phone
from kernel.errors import BookingError


def by_phonenumbers(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text, DEFAULT_REGION), phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("first", "123456789")
def test_every_normalised_russian_or_kazakh_number_comes_back_as_phonenumbers_formats_it(first):
    for rest in ("000000000", "123456789", "999999999", "5550101"[:7] + "00"):
        number = f"+7{first}{rest}"
        assert normalize_phone(number) == by_phonenumbers(number) == number


@pytest.mark.parametrize("raw, normalised", [
    ("8 (999) 123-45-67", "+79991234567"), ("+7 999 1234567", "+79991234567"), ("9991234567", "+79991234567"),
    (" +79991234567 ", "+79991234567"), ("+44 20 7946 0958", "+442079460958"),
    ("+70123456789", by_phonenumbers("+70123456789")),  # a leading 0 is left to phonenumbers
])
def test_other_forms_are_still_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["+7999123456", "+799912345678", "12", ""])
def test_numbers_outside_the_shortcut_are_still_checked(raw):
    with pytest.raises(BookingError):
        normalize_phone(raw)
