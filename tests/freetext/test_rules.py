"""Each rule of the free-text parser on its own: times and their traps, dayparts, durations, date ranges,
relative days, catalogue names with typos, ё and numbers, units, and what is left for the bot to ask."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.freetext import AFTERNOON, EVENING, MORNING, Entry, parse
from integrations.freetext.text import damerau_levenshtein, normalize, same_word

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)  # a Monday
TOMORROW = date(2026, 11, 24)
CATALOGUE = [("cabinet", 1, "Кабинет №1", ["Cabinet 1"]), ("cabinet", 2, "Кабинет №2", ["Cabinet 2", "Room 102"]),
             ("cabinet", 3, "Массажный кабинет №3", ["Cabinet 3"]),
             ("equipment", 10, "Аппарат Philips HD11", ["Филипс"]),
             ("equipment", 11, "Лазер «Fotona SP Dynamis»", []), ("equipment", 12, "Массажный стол", []),
             ("equipment", 15, "Ёлочный проектор", [])]


def read(text: str, catalogue=CATALOGUE, now=NOW):
    return parse(text, now=now, catalogue=catalogue, language="ru", zone=MSK)


# --- Times ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "start"), [
    ("завтра в 15:00", time(15, 0)), ("завтра в 15", time(15, 0)), ("завтра в 15 часов", time(15, 0)),
    ("завтра в 3 часа дня", time(15, 0)), ("завтра в три часа дня", time(15, 0)), ("завтра в 9 утра", time(9, 0)),
    ("завтра в 9 вечера", time(21, 0)), ("завтра в час дня", time(13, 0)), ("завтра в полдень", time(12, 0)),
    ("завтра в 10.30", time(10, 30)), ("завтра к 11:15", time(11, 15)), ("tomorrow at 3pm", time(15, 0)),
    ("tomorrow at 3 pm", time(15, 0)), ("tomorrow at 9am", time(9, 0)), ("tomorrow at 12pm", time(12, 0)),
    ("tomorrow at noon", time(12, 0)), ("tomorrow 10:30", time(10, 30)), ("tomorrow at 18", time(18, 0)),
])
def test_a_written_time_is_read_on_a_24_hour_clock(text, start):
    assert read(text).start == start


@pytest.mark.parametrize("text", ["завтра в 3", "завтра в 4 часа", "tomorrow at 4", "завтра в 25:00",
                                  "завтра в 9-30", "завтра утром в 15:00", "завтра с 12 до 10"])
def test_a_time_we_cannot_be_sure_of_is_left_for_the_bot_to_ask(text):
    result = read(text)
    assert result.start is None and result.end is None
    assert "time" in result.missing


def test_a_number_after_v_is_an_hour_and_never_a_day_of_the_month():
    result = read("в 15")
    assert result.start == time(15, 0)
    assert result.date_from is None


def test_a_time_range_gives_the_start_the_end_and_the_length():
    result = read("кабинет 2 завтра с 10 до 12:30")
    assert (result.start, result.end, result.duration_minutes) == (time(10, 0), time(12, 30), 150)
    english = read("cabinet 2 tomorrow from 9 to 11")
    assert (english.start, english.end, english.duration_minutes) == (time(9, 0), time(11, 0), 120)


def test_the_part_of_the_day_after_a_range_covers_both_ends():
    result = read("кабинет 2 завтра с 2 до 4 дня")
    assert (result.start, result.end) == (time(14, 0), time(16, 0))


# --- Dayparts -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "daypart"), [
    ("кабинет 2 завтра утром", MORNING), ("кабинет 2 завтра с утра", MORNING), ("кабинет 2 завтра до обеда", MORNING),
    ("кабинет 2 завтра после обеда", AFTERNOON), ("кабинет 2 завтра днём", AFTERNOON),
    ("кабинет 2 завтра вечером", EVENING), ("cabinet 2 tomorrow morning", MORNING),
    ("cabinet 2 tomorrow afternoon", AFTERNOON), ("cabinet 2 tomorrow in the evening", EVENING),
])
def test_a_part_of_the_day_without_a_time_asks_for_the_time_within_it(text, daypart):
    result = read(text)
    assert result.daypart == daypart
    assert result.start is None
    assert "time" in result.missing


def test_a_time_inside_the_part_of_the_day_wins_over_it():
    result = read("кабинет 2 завтра вечером в 18:00 на час")
    assert (result.start, result.daypart, result.missing) == (time(18, 0), None, ())
    early = read("кабинет 2 завтра утром в 7:30 на час")
    assert (early.start, early.missing) == (time(7, 30), ())


# --- Durations ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minutes"), [
    ("на час", 60), ("на полчаса", 30), ("на полтора часа", 90), ("на 2 часа", 120), ("на два часа", 120),
    ("на 90 минут", 90), ("на 45 мин", 45), ("на 1,5 часа", 90), ("на 1.5 часа", 90), ("на час 30 минут", 90),
    ("на 2 часа 30 минут", 150), ("for an hour", 60), ("for 90 minutes", 90), ("for 1.5 hours", 90),
    ("for half an hour", 30), ("for an hour and a half", 90), ("for 2 hours", 120), ("1 час", 60), ("1h", 60),
    ("1h30", 90), ("на 1ч 30м", 90),
])
def test_a_length_is_read_in_minutes(text, minutes):
    assert read(f"кабинет 2 {text}").duration_minutes == minutes


def test_a_length_and_a_start_give_the_end():
    result = read("кабинет 2 завтра в 10:30 на 90 минут")
    assert (result.start, result.end) == (time(10, 30), time(12, 0))


def test_a_length_that_disagrees_with_the_range_is_left_to_ask():
    result = read("кабинет 2 завтра с 10 до 11 на 2 часа")
    assert result.duration_minutes is None and result.start is None
    assert {"time", "duration"} <= set(result.missing)


def test_days_of_equipment_run_from_the_first_day():
    result = read("Philips на 3 дня с 1 декабря")
    assert (result.date_from, result.date_to) == (date(2026, 12, 1), date(2026, 12, 3))
    week = read("Philips на неделю со вторника")
    assert (week.date_from, week.date_to) == (TOMORROW, date(2026, 11, 30))


# --- Dates and ranges ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "day"), [
    ("сегодня", date(2026, 11, 23)), ("завтра", TOMORROW), ("послезавтра", date(2026, 11, 25)),
    ("в пятницу", date(2026, 11, 27)), ("во вторник", TOMORROW), ("в воскресенье", date(2026, 11, 29)),
    ("в пятницу на следующей неделе", date(2026, 12, 4)), ("через 2 дня", date(2026, 11, 25)),
    ("через неделю", date(2026, 11, 30)), ("10 декабря", date(2026, 12, 10)), ("10.12", date(2026, 12, 10)),
    ("10.12.2026", date(2026, 12, 10)), ("2026-12-10", date(2026, 12, 10)), ("15-го декабря", date(2026, 12, 15)),
    ("28 числа", date(2026, 11, 28)), ("5 числа", date(2026, 12, 5)), ("3 января", date(2027, 1, 3)),
    ("tomorrow", TOMORROW), ("on friday", date(2026, 11, 27)), ("December 10", date(2026, 12, 10)),
    ("10 Dec", date(2026, 12, 10)), ("in 3 days", date(2026, 11, 26)), ("this friday", date(2026, 11, 27)),
])
def test_a_day_is_read_relative_to_the_clinic_today(text, day):
    result = read(f"Philips {text}")
    assert (result.date_from, result.date_to) == (day, day)


@pytest.mark.parametrize(("text", "first", "last"), [
    ("с 10 по 12 декабря", date(2026, 12, 10), date(2026, 12, 12)),
    ("10-12 декабря", date(2026, 12, 10), date(2026, 12, 12)),
    ("с 28 декабря по 3 января", date(2026, 12, 28), date(2027, 1, 3)),
    ("с 1.12 по 3.12", date(2026, 12, 1), date(2026, 12, 3)),
    ("со вторника по четверг", TOMORROW, date(2026, 11, 26)),
    ("from 10 to 12 December", date(2026, 12, 10), date(2026, 12, 12)),
    ("December 10-12", date(2026, 12, 10), date(2026, 12, 12)),
    ("from December 30 to January 2", date(2026, 12, 30), date(2027, 1, 2)),
])
def test_a_range_of_days_gives_the_first_and_the_last(text, first, last):
    result = read(f"Philips {text}")
    assert (result.date_from, result.date_to) == (first, last)


@pytest.mark.parametrize("text", ["в понедельник", "on monday", "в следующую пятницу", "next friday",
                                  "завтра или в пятницу", "31 ноября", "с 12 по 10 декабря", "на следующей неделе"])
def test_a_day_people_read_differently_is_left_to_ask(text):
    result = read(f"кабинет 2 {text} в 10 на час")
    assert result.date_from is None
    assert "date" in result.missing


def test_a_cabinet_is_booked_for_one_day_so_a_range_asks_for_the_day():
    assert "date" in read("кабинет 2 с 10 по 12 декабря в 10 на час").missing


def test_today_is_the_clinic_today_even_when_now_comes_in_another_zone():
    late_evening_utc = datetime(2026, 11, 23, 22, 30, tzinfo=ZoneInfo("UTC"))  # already the 24th in Moscow
    assert read("Philips сегодня", now=late_evening_utc).date_from == TOMORROW


def test_now_must_carry_its_zone():
    with pytest.raises(ValueError, match="aware"):
        read("завтра", now=datetime(2026, 11, 23, 10, 0))


# --- The catalogue: names, numbers, typos, ё ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "ids"), [
    ("кабинет 2", (2,)), ("кабинет №2", (2,)), ("каб. 2", (2,)), ("каб 2", (2,)), ("Кабинет 2", (2,)),
    ("cabinet 3", (3,)), ("Cabinet #3", (3,)), ("room 102", (2,)), ("2-й кабинет", (2,)), ("№2", (2,)),
    ("кабнет 2", (2,)), ("кабиент 2", (2,)), ("массажный кабинет", (3,)), ("масажный кабинет", (3,)),
    ("кабинет", (1, 2, 3)), ("кабинет 1 или 2", (1, 2)), ("кабинет 7", ()),
])
def test_a_cabinet_is_found_by_its_number_or_name_and_never_by_a_near_number(text, ids):
    result = read(text)
    assert result.kind == "cabinet"
    assert result.ids == ids


@pytest.mark.parametrize(("text", "ids"), [
    ("Philips", (10,)), ("PHILIPS", (10,)), ("Phillips", (10,)), ("Филипс", (10,)), ("Филлипс", (10,)),
    ("филипсом", (10,)), ("лазер", (11,)), ("лазером", (11,)), ("fotona", (11,)), ("fotna", (11,)),
    ("массажный стол", (12,)), ("елочный проектор", (15,)), ("ёлочный проектор", (15,)), ("Елочный", (15,)),
    ("аппарат", (10, 11, 12, 15)),
])
def test_an_item_is_found_by_its_name_whatever_the_case_ё_ending_or_one_typo(text, ids):
    result = read(f"{text} завтра")
    assert result.kind == "equipment"
    assert result.ids == ids


def test_a_word_two_typos_away_finds_nothing():
    result = read("Phlipps завтра")
    assert result.ids == ()
    assert result.unknown == ("phlipps",)
    assert "resource" in result.missing


def test_a_word_that_names_a_cabinet_and_an_item_alike_asks_which():
    result = read("массажный завтра")
    assert result.kind is None
    assert result.ids == (3, 12)


def test_an_item_named_with_a_cabinet_goes_with_it():
    result = read("кабинет 2 с Филипсом завтра в 11 на час")
    assert (result.kind, result.ids, result.equipment_ids) == ("cabinet", (2,), (10,))


def test_a_name_not_in_the_catalogue_is_kept_for_the_question():
    result = read("УЗИ в пятницу после обеда")
    assert result.kind is None and result.ids == ()
    assert result.unknown == ("узи",)
    assert result.missing[0] == "resource"


def test_the_catalogue_accepts_entries_and_tuples_and_refuses_an_unknown_kind():
    assert read("Philips", catalogue=[Entry("equipment", 10, "Philips")]).ids == (10,)
    with pytest.raises(ValueError, match="unknown kind"):
        read("Philips", catalogue=[("gadget", 1, "Philips", [])])


# --- Units --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "units"), [
    ("2 аппарата Philips", 2), ("два аппарата Philips", 2), ("Philips 3 шт", 3), ("Philips x2", 2),
    ("2 Philips", 2), ("2 units of Philips", 2), ("Philips", None),
])
def test_a_count_before_an_item_or_a_unit_word_is_the_units(text, units):
    assert read(f"{text} завтра").units == units


def test_a_cabinet_number_is_never_a_count():
    result = read("кабинет 2 Philips завтра")
    assert result.units is None
    assert result.ids == (2,)


# --- Text plumbing --------------------------------------------------------------------------------------------------

def test_normal_form_lowers_case_turns_ё_into_е_and_number_words_into_digits():
    assert normalize("Ёлка, ДВА аппарата — «Philips»!") == "елка 2 аппарата philips"
    assert normalize("на 1,5 часа; каб. №2") == "на 1.5 часа каб № 2"


def test_one_typo_is_one_edit_and_words_under_five_letters_must_match_exactly():
    assert damerau_levenshtein("кабинет", "кабиент") == 1  # two letters swapped
    assert damerau_levenshtein("кабинет", "кабнет") == 1
    assert damerau_levenshtein("philips", "phlipps") == 2
    assert same_word("кабинете", "кабинет")
    assert not same_word("стул", "стол")
    assert not same_word("2", "3")


# --- Any text at all ----------------------------------------------------------------------------------------------

_PIECES = st.sampled_from(["кабинет", "2", "№", "в", "с", "по", "до", "10", "12", "15:00", "декабря", "завтра", "на",
                           "час", "1.5", "часа", "утра", "дня", "пятницу", "philips", "x", "-", ".", ",", "31", "99",
                           "2026", "10.12", "tomorrow", "at", "pm", "for", "minutes", "next", "week", "через", "0",
                           "24:00", "числа", "хочу", "Филипс", "массажный"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=14).map(" ".join)))
def test_any_text_gives_a_parse_that_names_only_what_the_catalogue_holds(text):
    result = read(text)
    assert {(kind, id_) for kind, id_ in zip(result.id_kinds, result.ids, strict=True)} <= {
        (kind, id_) for kind, id_, *_rest in CATALOGUE}
    assert set(result.equipment_ids) <= {id_ for kind, id_, *_rest in CATALOGUE if kind == "equipment"}
    assert result.complete == (not result.missing and result.understood)
    if result.complete:
        assert result.resource_id is not None and result.date_from is not None


# --- Stretches, corrections and doubt ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Philips до пятницы", "Philips к пятнице", "Philips until friday",
                                  "Philips с 10 декабря", "Philips from December 10", "кабинет 2 по пятницам"])
def test_a_day_that_only_starts_or_ends_a_stretch_is_asked_about(text):
    result = read(text)
    assert result.date_from is None
    assert "date" in result.missing


@pytest.mark.parametrize(("text", "day"), [("во вт", TOMORROW), ("в пт", date(2026, 11, 27)),
                                          ("on fri", date(2026, 11, 27)), ("23 ноября", date(2026, 11, 23)),
                                          ("в пн", None)])
def test_weekday_abbreviations_and_today_s_own_date(text, day):
    assert read(f"кабинет 2 {text}").date_from == day


@pytest.mark.parametrize("text", ["кабинет 2 завтра в 10, нет, в 11 на час",
                                  "cabinet 2 tomorrow at 10 or 11 for an hour", "Philips tomorrow and the day after",
                                  "кабинет 2 завтра в 10 на час 17"])
def test_a_correction_an_alternative_or_a_number_left_over_keeps_the_request_from_being_complete(text):
    result = read(text)
    assert not result.understood
    assert not result.complete


def test_words_left_over_without_doubt_are_kept_for_the_card_and_do_not_stop_the_request():
    result = read("кабинет 2 завтра в 10 на час для УЗИ")
    assert result.unknown == ("узи",)
    assert result.complete


def test_a_latin_c_in_a_russian_message_is_the_russian_preposition():
    result = read("кабинет 2 завтра c 10 до 11")
    assert (result.start, result.end) == (time(10, 0), time(11, 0))


def test_an_english_word_finds_a_russian_name_spelled_alike():
    assert read("the laser tomorrow").ids == (11,)
