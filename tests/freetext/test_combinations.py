"""Requests put together from pieces whose meaning is known, in any order: the parse may leave a piece for the
bot to ask, but never reads one as something else."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.freetext import parse
from tests.freetext.corpus import load

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
CATALOGUE = load()["catalogue"]

RU = {
    "resource": [("кабинет 2", 2), ("кабинет №1", 1), ("каб. 3", 3), ("массажный кабинет", 3), ("кабнет 2", 2),
                 ("Кабинет 1", 1), ("room 102", 2)],
    "day": [("завтра", date(2026, 11, 24)), ("послезавтра", date(2026, 11, 25)), ("в пятницу", date(2026, 11, 27)),
            ("10 декабря", date(2026, 12, 10)), ("10.12", date(2026, 12, 10)), ("через 2 дня", date(2026, 11, 25)),
            ("в среду", date(2026, 11, 25)), ("3 января", date(2027, 1, 3)), ("во вторник", date(2026, 11, 24))],
    "time": [("в 15:00", time(15, 0)), ("в 9 утра", time(9, 0)), ("в три часа дня", time(15, 0)),
             ("в 15", time(15, 0)), ("к 10:30", time(10, 30)), ("в 18 часов", time(18, 0)), ("в 7 вечера", time(19, 0)),
             ("в полдень", time(12, 0))],
    "duration": [("на час", 60), ("на полтора часа", 90), ("на 2 часа", 120), ("на 45 минут", 45), ("на полчаса", 30),
                 ("на 1,5 часа", 90)],
}
EN = {
    "resource": [("cabinet 2", 2), ("cabinet 1", 1), ("Cabinet #3", 3), ("massage room", 3), ("room 101", 1)],
    "day": [("tomorrow", date(2026, 11, 24)), ("on friday", date(2026, 11, 27)), ("on December 10", date(2026, 12, 10)),
            ("the day after tomorrow", date(2026, 11, 25)), ("in 3 days", date(2026, 11, 26)),
            ("on 10 Dec", date(2026, 12, 10))],
    "time": [("at 3pm", time(15, 0)), ("at 15:00", time(15, 0)), ("at 9am", time(9, 0)), ("at noon", time(12, 0)),
             ("at 10:30", time(10, 30)), ("at 5 pm", time(17, 0))],
    "duration": [("for an hour", 60), ("for 90 minutes", 90), ("for 2 hours", 120), ("for half an hour", 30),
                 ("for 1.5 hours", 90)],
}


def requests(pieces: dict, language: str):
    parts = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in pieces.items()})
    return st.tuples(parts, st.permutations(list(pieces)), st.sampled_from([" ", ", "]), st.just(language))


@settings(max_examples=400, deadline=None)
@given(st.one_of(requests(RU, "ru"), requests(EN, "en")))
def test_pieces_in_any_order_are_read_as_written_or_left_to_ask(request):
    parts, order, separator, language = request
    text = separator.join(parts[name][0] for name in order)
    result = parse(text, now=NOW, catalogue=CATALOGUE, language=language, zone=MSK)
    cabinet, day, start, minutes = (parts[name][1] for name in ("resource", "day", "time", "duration"))
    assert result.ids in ((cabinet,), ()), text
    assert result.date_from in (day, None) and result.date_to in (day, None), text
    assert result.start in (start, None), text
    assert result.duration_minutes in (minutes, None), text
    assert result.units is None and result.equipment_ids == (), text


ITEMS = [("Philips", 10), ("Филипс", 10), ("лазер", 11), ("Fotona", 11), ("массажный стол", 12), ("ultraformer", 14),
         ("лимфа пресс", 13)]
DAYS = [("с 10 по 12 декабря", (date(2026, 12, 10), date(2026, 12, 12))), ("10-12 декабря", (date(2026, 12, 10),
        date(2026, 12, 12))), ("на 3 дня с 1 декабря", (date(2026, 12, 1), date(2026, 12, 3))),
        ("на завтра", (date(2026, 11, 24),) * 2), ("на пятницу", (date(2026, 11, 27),) * 2),
        ("с 28 декабря по 3 января", (date(2026, 12, 28), date(2027, 1, 3))), ("5 декабря", (date(2026, 12, 5),) * 2),
        ("со вторника по четверг", (date(2026, 11, 24), date(2026, 11, 26)))]
UNITS = [("", None), ("2 шт", 2), ("x3", 3), ("3 штуки", 3)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ITEMS), st.sampled_from(DAYS), st.sampled_from(UNITS), st.booleans())
def test_equipment_pieces_in_either_order_are_read_as_written_or_left_to_ask(item, days, units, item_first):
    text = f"{item[0]} {units[0]} {days[0]}" if item_first else f"{days[0]} {item[0]} {units[0]}"
    result = parse(text, now=NOW, catalogue=CATALOGUE, language="ru", zone=MSK)
    assert result.ids in ((item[1],), ()), text
    assert (result.date_from, result.date_to) in (days[1], (None, None)), text
    assert result.units in (units[1], None), text
