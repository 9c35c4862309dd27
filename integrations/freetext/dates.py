"""Dates and date ranges, relative to the clinic's today. The grammar here finds what was written (a day and a
month, a weekday, "завтра", a range "с 10 по 12 декабря") and dateparser turns each piece into a date; its answer
is checked against the numbers the grammar read, and our own rule answers where dateparser is wrong ("10.12" is
10 December, not 10:12) or says nothing ("15 числа", «в эту пятницу»). A weekday that is today's weekday and
"next Friday" mean different days to different people: those are left for the bot to ask."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

from integrations.freetext.text import Span

_MONTHS = [
    ("январ", "янв", "january", "jan"), ("феврал", "фев", "february", "feb"), ("март", "мар", "march", "mar"),
    ("апрел", "апр", "april", "apr"), ("ма[яй]", "мая", "may", "may"), ("июн", "июн", "june", "jun"),
    ("июл", "июл", "july", "jul"), ("август", "авг", "august", "aug"), ("сентябр", "сен", "september", "sept?"),
    ("октябр", "окт", "october", "oct"), ("ноябр", "ноя", "november", "nov"), ("декабр", "дек", "december", "dec"),
]
_MONTH_RE = "|".join(rf"{ru}[а-я]*|{short}[а-я]*|{en}|{en_short}" for ru, short, en, en_short in _MONTHS)
_MON = r"(?P<{0}>" + _MONTH_RE + r")"
_DAY = r"(?P<{0}>[0-3]?\d)(?:-?(?:го|ое|е|th|st|nd|rd))?"
_YEAR = r"(?:\s+(?P<{0}>20\d\d)(?:\s*(?:года?|г))?)?"
_FROM = r"(?:\b(?:с|со|от|from|between)\s+)?"
_TO = r"\s*(?:-|по|до|to|till|until|through|and)\s*"

_RANGE_SHARED_MONTH = re.compile(_FROM + r"\b" + _DAY.format("d1") + _TO + _DAY.format("d2") + r"\s+(?:of\s+)?"
                                 + _MON.format("m2") + _YEAR.format("y2") + r"\b")
_RANGE_EN_MONTH_FIRST = re.compile(_FROM + r"\b" + _MON.format("m2") + r"\s+" + _DAY.format("d1") + _TO
                                   + r"(?:" + _MON.format("m3") + r"\s+)?" + _DAY.format("d2") + r"\b")
_RANGE_TWO_MONTHS = re.compile(_FROM + r"\b" + _DAY.format("d1") + r"\s+(?:of\s+)?" + _MON.format("m1")
                               + _YEAR.format("y1") + _TO + _DAY.format("d2") + r"\s+(?:of\s+)?"
                               + _MON.format("m2") + _YEAR.format("y2") + r"\b")
_RANGE_DOTTED = re.compile(_FROM + r"\b(?P<d1>[0-3]?\d)[./](?P<m1>[01]?\d)(?:[./](?P<y1>(?:20)?\d\d))?" + _TO
                           + r"(?P<d2>[0-3]?\d)[./](?P<m2>[01]?\d)(?:[./](?P<y2>(?:20)?\d\d))?\b")
_SINGLE_RU = re.compile(r"\b" + _DAY.format("d") + r"\s+(?:of\s+)?" + _MON.format("m") + _YEAR.format("y") + r"\b")
_SINGLE_EN = re.compile(r"\b" + _MON.format("m") + r"\s+" + _DAY.format("d") + r"(?:\s*,?\s*(?P<y>20\d\d))?\b")
_SINGLE_DOTTED = re.compile(r"\b(?P<d>[0-3]?\d)[./](?P<m>[01]?\d)(?:[./](?P<y>(?:20)?\d\d))?\b(?![.:/]\d)")
_ISO = re.compile(r"\b(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
_DAYS_OF_MONTH = re.compile(_FROM + r"\b(?P<d1>[0-3]?\d)" + _TO + r"(?P<d2>[0-3]?\d)(?:\s+числа|-?го\s+числа)\b")
_DAY_OF_MONTH = re.compile(r"\b(?:на\s+|on\s+the\s+)?(?P<d>[0-3]?\d)(?:\s+числа|-?го\s+числа|-го|th|st|nd|rd)\b")

_RELATIVE = re.compile(r"\b(?:(?P<today>сегодня|today)|(?P<after>послезавтра|the\s+day\s+after\s+tomorrow|day\s+after"
                       r"\s+tomorrow)|(?P<tomorrow>завтра|tomorrow))\b")
_IN_DAYS = re.compile(r"\b(?:через|in)\s+(?:(?P<n>\d{1,2})\s+|an?\s+)?(?P<unit>день|дня|дней|days?|недел[юи]|недель|"
                      r"weeks?)\b")

_WEEKDAYS = [("понедельник", "monday", "пн", "mon"), ("вторник", "tuesday", "вт", "tue|tues"),
             ("сред", "wednesday", "ср", "wed"), ("четверг", "thursday", "чт", "thu|thur|thurs"),
             ("пятниц", "friday", "пт", "fri"), ("суббот", "saturday", "сб", "sat"),
             ("воскресень", "sunday", "вс", "sun")]
_WEEKDAY_RE = "|".join(rf"{ru}[а-я]*|{en}|{ru_short}|{en_short}" for ru, en, ru_short, en_short in _WEEKDAYS)
# A day after «до», «по», "until" is where a stretch ends, and one after «с», "from" where it starts: alone,
# neither is the day to book.
_ENDS_BEFORE = re.compile(r"\b(?:до|по|к|until|till|through|by)\s*$")
_STARTS_BEFORE = re.compile(r"\b(?:с|со|from|starting)\s*$")
_WD = r"(?P<{0}>" + _WEEKDAY_RE + r")"
_NEXT_WEEK = r"(?:на\s+следующей\s+неделе|на\s+будущей\s+неделе|next\s+week)"
_WEEKDAY_RANGE = re.compile(r"\b(?:с|со|from)\s+" + _WD.format("w1") + _TO + _WD.format("w2") + r"\b")
_WEEKDAY = re.compile(r"(?:\b(?P<nw1>" + _NEXT_WEEK + r")\s+)?(?:\b(?:в|во|с|со|on|from|starting)\s+)?"
                      r"(?:\b(?P<q>эт[уот]|this|следующ[а-я]+|next|ближайш[а-я]+|coming|будущ[а-я]+)\s+)?\b"
                      + _WD.format("w") + r"(?:\s+(?P<nw2>" + _NEXT_WEEK + r"))?\b")
_BARE_NEXT_WEEK = re.compile(r"\b" + _NEXT_WEEK + r"\b")


MAX_RANGE_DAYS = 92


def _month(word: str) -> int:
    for number, forms in enumerate(_MONTHS, 1):
        if any(re.fullmatch(rf"(?:{form})[а-я]*", word) for form in forms):
            return number
    raise ValueError(word)


def _weekday(word: str) -> int:
    for number, (ru, en, ru_short, en_short) in enumerate(_WEEKDAYS):
        if word.startswith(ru) or word == en or word == ru_short or word in en_short.split("|"):
            return number
    raise ValueError(word)


@lru_cache(maxsize=512)
def _dateparser(text: str, today: date) -> date | None:
    languages = ["ru", "en"] if re.search("[а-я]", text) else ["en"]
    midnight = datetime(today.year, today.month, today.day)  # noqa: DTZ001 - dateparser counts from a wall clock
    found = dateparser.parse(text, languages=languages, settings={
        "RELATIVE_BASE": midnight, "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": []})
    return found.date() if found else None


def _next_occurrence(day: int, month: int, today: date) -> date | None:
    """Our rule for a day and month with no year: this year, or next year once the day has passed."""
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if found >= today:
            return found
    return None


def _day_month(text: str, day: int, month: int, year: int | None, today: date) -> date | None:
    """The date of "10 декабря" / "December 10" / "10.12": dateparser's, when it agrees with the numbers written;
    ours otherwise (it reads "10.12" as 10:12 today)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        year = year + 2000 if year < 100 else year
        try:
            return date(year, month, day)
        except ValueError:
            return None
    ours = _next_occurrence(day, month, today)
    found = _dateparser(text, today)
    # dateparser puts today's own date a year ahead ("23 ноября" on 23 November): our rule answers then.
    return found if found == ours else ours


def _year(value: str | None) -> int | None:
    return int(value) if value else None


def _day_range(match: re.Match, today: date, dotted: bool = False) -> tuple[date | None, date | None]:
    groups = match.groupdict()
    month2 = int(groups["m2"]) if dotted else _month(groups["m2"])
    month1 = (int(groups["m1"]) if dotted else _month(groups["m1"])) if groups.get("m1") else month2
    if groups.get("m3"):
        month2 = _month(groups["m3"])
    day1, day2 = int(groups["d1"]), int(groups["d2"])
    end = _day_month(f"{day2}.{month2}" if dotted else f"{day2} {groups.get('m3') or groups['m2']}", day2, month2,
                     _year(groups.get("y2")), today)
    year1 = _year(groups.get("y1"))
    if year1 is None and end is not None:  # the first day is the latest one not after the last
        year1 = end.year if (month1, day1) <= (month2, day2) else end.year - 1
    start = _day_month(f"{day1}.{month1}", day1, month1, year1, today)
    if start is None or end is None or end < start or (end - start).days > MAX_RANGE_DAYS:
        return None, None  # «с 12 по 10 декабря»: not a range anyone books
    return start, end


def _weekday_date(word: str, qualifier: str | None, next_week: bool, today: date) -> date | None:
    weekday = _weekday(word)
    if next_week:  # «в пятницу на следующей неделе»: the Friday of next calendar week
        return today + timedelta(days=7 - today.weekday() + weekday)
    if qualifier and qualifier.startswith(("следующ", "next", "будущ")):
        return None  # the coming Friday or the one after: people differ
    found = _dateparser(_WEEKDAYS[weekday][1], today)
    if found is None or found.weekday() != weekday or not today < found <= today + timedelta(days=7):
        found = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)  # our rule
    if found == today + timedelta(days=7):
        # Today's own weekday: today or in a week. "Этот понедельник" on a Monday is today; unqualified, ask.
        return today if qualifier and qualifier.startswith(("эт", "this")) else None
    return found


def read_dates(span: Span, today: date, language: str = "ru") -> tuple[date | None, date | None, bool, bool]:
    """(first day, last day, unsure, open start). One day gives first == last; unsure when a date was written
    that we do not read for certain, or two dates that disagree, or a day that only ends a stretch («до
    пятницы»). open start: a day that starts a stretch with no end («с 10 декабря»), which a length completes.
    In English "12/11" may be either day first or month first: when both could be a month, it is left to ask."""
    found: list[tuple[date | None, date | None]] = []
    open_start = False

    def single(match: re.Match, day: date | None) -> None:
        nonlocal open_start
        before = span.free[: match.start()]
        if _ENDS_BEFORE.search(before):
            found.append((None, None))
            return
        if _STARTS_BEFORE.search(before) or re.match(r"(?:с|со|from|starting)\s", match.group()):
            open_start = True
        found.append((day, day))

    for pattern, dotted in ((_RANGE_TWO_MONTHS, False), (_RANGE_SHARED_MONTH, False), (_RANGE_EN_MONTH_FIRST, False),
                            (_RANGE_DOTTED, True)):
        for match in span.find(pattern):
            span.claim(match, "dates")
            if dotted and language == "en" and max(int(match["d1"]), int(match["d2"])) <= 12:
                found.append((None, None))
                continue
            found.append(_day_range(match, today, dotted=dotted))
    for match in span.find(_DAYS_OF_MONTH):
        span.claim(match, "dates")
        first, last = _day_of_month(int(match["d1"]), today), _day_of_month(int(match["d2"]), today)
        found.append((first, last) if first and last and first <= last else (None, None))
    for match in span.find(_ISO):
        span.claim(match, "date")
        single(match, _day_month(match.group(), int(match["d"]), int(match["m"]), int(match["y"]), today))
    for pattern, dotted in ((_SINGLE_RU, False), (_SINGLE_EN, False), (_SINGLE_DOTTED, True)):
        for match in span.find(pattern):
            if dotted and not 1 <= int(match["m"]) <= 12:
                continue  # "10.30" is a time, left to the time rules
            span.claim(match, "date")
            if dotted and language == "en" and int(match["d"]) <= 12 and match["d"] != match["m"]:
                found.append((None, None))
                continue
            month = int(match["m"]) if dotted else _month(match["m"])
            single(match, _day_month(match.group(), int(match["d"]), month, _year(match["y"]), today))
    for match in span.find(_DAY_OF_MONTH):
        span.claim(match, "date")
        single(match, _day_of_month(int(match["d"]), today))
    for match in span.find(_RELATIVE):
        span.claim(match, "date")
        offset = 0 if match["today"] else 2 if match["after"] else 1
        parsed, ours = _dateparser(match.group(), today), today + timedelta(days=offset)
        single(match, parsed if parsed == ours else ours)
    for match in span.find(_IN_DAYS):
        span.claim(match, "date")
        count = int(match["n"] or 1) * (7 if match["unit"].startswith(("недел", "week")) else 1)
        day = today + timedelta(days=count)
        single(match, day if _dateparser(match.group(), today) in (day, None) else None)
    for match in span.find(_WEEKDAY_RANGE):
        span.claim(match, "dates")
        start = _weekday_date(match["w1"], None, False, today)
        end = _weekday_date(match["w2"], None, False, today) if start else None
        if start and end and end < start:
            end += timedelta(days=7)
        found.append((start, end) if start and end else (None, None))
    for match in span.find(_WEEKDAY):
        span.claim(match, "date")
        single(match, _weekday_date(match["w"], match["q"], bool(match["nw1"] or match["nw2"]), today))
    for match in span.find(_BARE_NEXT_WEEK):
        span.claim(match, "date")
        found.append((None, None))
    return (*_agree(found), open_start)


def _day_of_month(day: int, today: date) -> date | None:
    """«28 числа»: that day of this month, or of the next once it has passed."""
    month_start = today.replace(day=1)
    for first in (month_start, (month_start + timedelta(days=32)).replace(day=1)):
        candidate = _day_month("", day, first.month, first.year, today) if day <= 31 else None
        if candidate and candidate >= today:
            return candidate
    return None


def _agree(found: list[tuple[date | None, date | None]]) -> tuple[date | None, date | None, bool]:
    if not found:
        return None, None, False
    if len(found) == 2 and found[0][0] and found[1][0] and found[0][0] == found[0][1] == found[1][0] == found[1][1]:
        return found[0][0], found[0][1], False  # «завтра, 24 ноября»
    if len(found) == 2 and all(pair[0] and pair[0] == pair[1] for pair in found) and found[0][0] < found[1][0]:
        return None, None, True  # two separate days: the bot asks
    if len(found) != 1 or found[0][0] is None:
        return None, None, True
    return found[0][0], found[0][1], False
