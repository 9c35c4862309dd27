"""kernel.contacts: every channel writes a client's phone as E.164 and a name trimmed and single-spaced, and
refuses what is not a phone or not a name with a message naming the field."""

from __future__ import annotations

import pytest

from kernel.contacts import clean_client_name, clean_comment, format_phone, normalize_phone
from kernel.errors import BookingError


@pytest.mark.parametrize("raw", ["8 (999) 123-45-67", "+7 999 1234567", "9991234567", "89991234567",
                                 "7 999 123 45 67", " +7(999)123-45-67 "])
def test_the_ways_russians_write_a_mobile_number_all_become_one_e164_number(raw):
    assert normalize_phone(raw) == "+79991234567"


def test_a_foreign_number_written_with_its_country_code_is_kept():
    assert normalize_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["12345", "+7 999", "телефон", "+1 234 567 890 123 456 7", "+7 (999) 12"])
def test_what_is_not_a_phone_number_is_refused_with_an_example(raw):
    with pytest.raises(BookingError) as refused:
        normalize_phone(raw)
    assert (refused.value.code, refused.value.details["field"]) == ("invalid", "client_phone")
    assert "+7 999 123-45-67" in str(refused.value)


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_a_missing_phone_number_is_refused_as_required(raw):
    with pytest.raises(BookingError) as refused:
        normalize_phone(raw)
    assert refused.value.details["field"] == "client_phone"
    assert "+7" not in str(refused.value)


def test_a_stored_number_is_shown_grouped_for_people_to_read_and_garbage_is_shown_as_it_is():
    assert format_phone("+79991234567") == "+7 999 123-45-67"
    assert format_phone("not a number") == "not a number"


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Иван   Петров ", "Иван Петров"),
    ("Анна\tМария\nСидорова", "Анна Мария Сидорова"),
    ("O'Neil", "O'Neil"),
    ("Я", "Я"),
    ("Li\x00 Wei\x1b", "Li Wei"),
])
def test_a_name_is_trimmed_single_spaced_and_rid_of_control_characters_but_otherwise_kept(raw, clean):
    assert clean_client_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x07", None])
def test_a_blank_name_is_refused(raw):
    with pytest.raises(BookingError) as refused:
        clean_client_name(raw)
    assert (refused.value.code, refused.value.details["field"]) == ("invalid", "client_name")


def test_a_name_of_200_characters_is_kept_and_one_of_201_refused():
    assert clean_client_name("Я" * 200) == "Я" * 200
    with pytest.raises(BookingError) as refused:
        clean_client_name("Я" * 201)
    assert refused.value.details["field"] == "client_name"


def test_a_comment_keeps_its_line_breaks_loses_other_control_characters_and_is_limited_to_1000():
    assert clean_comment(" первая строка\nвторая\x07 ") == "первая строка\nвторая"
    assert clean_comment(None) == ""
    assert clean_comment("x" * 1000) == "x" * 1000
    with pytest.raises(BookingError) as refused:
        clean_comment("x" * 1001)
    assert refused.value.details["field"] == "comment"
