"""Times of day, dayparts, durations and units, by our own rules (dateparser reads «в 9 утра» as 10:00,
«в три часа дня» as 13:00 and «в 15» as the 15th; none of that may reach a booking).

Each reader claims the words it understood from the Span and returns plain values. A time without a part of
the day and an hour from 1 to 6 ("в 3", "at 4") is left unread: 03:00 and 15:00 are both times people write
that way, and a wrong guess would book the wrong slot."""

from __future__ import annotations

import re
from datetime import time

from integrations.freetext.text import Span

# The part of the day a word names, and the window the bot offers free times from.
MORNING, AFTERNOON, EVENING = "morning", "afternoon", "evening"
DAYPARTS = {MORNING: (time(8, 0), time(12, 0)), AFTERNOON: (time(12, 0), time(17, 0)),
            EVENING: (time(17, 0), time(21, 0))}

_MONTH_AHEAD = (r"(?!\s*(?:-|по|до)?\s*\d{0,2}\s*(?:янв|фев|мар|апр|мая|май|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|"
                r"apr|may|jun|jul|aug|sep|oct|nov|dec|числ|[-.]?го\b))")
_H = r"(?P<{0}h>[01]?\d|2[0-3])"
_HM = (r"(?P<{0}h>[01]?\d|2[0-3])(?:[:.](?P<{0}m>[0-5]\d)|\s*ч\s*(?P<{0}m2>[0-5]\d)\s*(?:мин|м)?"
       r"|\s(?P<{0}m3>00|15|30|45)\b(?!\s*(?:мин|min|м\b|m\b|час|ч\b|h\b|дн|ден|day|числ|[-.:/]\d)))?")
# Words that put an hour in the day: «в 9 утра», «в 3 часа дня», "3 pm".
_RU_PART = r"(?:\s*(?:час(?:а|ов)?|ч))?\s*(?P<{0}part>утра|дня|вечера|ночи)"
_EN_PART = r"\s*(?P<{0}epart>am|pm|a\.m|p\.m|in the morning|in the afternoon|in the evening)"
_PART_HOURS = {"утра": "am", "ночи": "night", "дня": "pm", "вечера": "pm", "am": "am", "a.m": "am", "pm": "pm",
               "p.m": "pm", "in the morning": "am", "in the afternoon": "pm", "in the evening": "pm"}


def _clock(hour: int, minute: int, part: str | None) -> time | None:
    """hour:minute on a 24-hour clock, given the part of the day written with it (None: none was)."""
    kind = _PART_HOURS.get(part or "")
    if kind == "am":
        if not 1 <= hour <= 12:
            return None
        return time(0 if hour == 12 else hour, minute)
    if kind == "night":
        return time(hour, minute) if hour <= 5 or hour == 12 else None
    if kind == "pm":
        if hour > 12 and part == "дня":  # «в 15 часов дня» is plainly 15:00
            return time(hour, minute)
        if not 1 <= hour <= 12:
            return None
        return time(12 if hour == 12 else hour + 12, minute)
    if 1 <= hour <= 6 and minute == 0:  # "в 3": three at night or in the afternoon, we do not guess
        return None
    return time(hour, minute)


def _fields(match: re.Match, prefix: str) -> tuple[int, int, str | None]:
    groups = match.groupdict()
    minute = groups.get(f"{prefix}m") or groups.get(f"{prefix}m2") or groups.get(f"{prefix}m3") or 0
    return int(groups[f"{prefix}h"]), int(minute), groups.get(f"{prefix}part") or groups.get(f"{prefix}epart")


_RANGE = re.compile(
    r"(?:\b(?:с|от|from|between)\s+)?\b" + _HM.format("a") + r"(?:" + _RU_PART.format("a") + r"|"
    + _EN_PART.format("a") + r")?\s*(?:-|до|по|to|till|until|and)\s*" + _HM.format("b") + r"(?:"
    + _RU_PART.format("b") + r"|" + _EN_PART.format("b") + r")?\b" + _MONTH_AHEAD)
_RANGE_NEEDS = re.compile(r"^(?:с|от|from|between)\s|^\S*[:.]|:|(?:am|pm|утра|дня|вечера|ночи)$")
_UNTIL = re.compile(r"\b(?:до|until|till)\s+" + _HM.format("b") + r"(?:" + _RU_PART.format("b") + r")?\b"
                    + _MONTH_AHEAD)
_AT = re.compile(
    r"(?:\b(?:в|во|к|на|at|@)\s+)?(?<![-\d])\b" + _HM.format("a") + r"(?:" + _RU_PART.format("a") + r"|"
    + _EN_PART.format("a") + r"|\s*(?:час(?:а|ов)?|ч|o'?clock)(?![а-я]))?\b(?![-.:/]\d)" + _MONTH_AHEAD)
_COMPACT_EN = re.compile(r"(?<!-)\b(?:at\s+)?(?P<ah>1[0-2]|0?[1-9])(?::(?P<am>[0-5]\d))?(?P<apart>am|pm)\b")
_WORD_HOURS = re.compile(r"\b(?:в|at|с|from)\s+(?:(?P<one>час)\s+(?P<part>дня|ночи)|"
                         r"(?P<noon>полдень|полудня|noon)|(?P<midnight>полночь|midnight))\b")


def read_times(span: Span, *, with_length: bool = False) -> tuple[time | None, time | None, bool]:
    """(start, end, unsure): the time or time range written; unsure when a time was written that we do not
    read for certain (an hour with no part of the day, "в 3") or two times were written («в 10, нет, в 11»),
    so the bot asks rather than guesses. with_length: a length was written too, so «с 10 на час» starts at 10."""
    found: list[tuple[time | None, time | None]] = []
    for match in span.find(_WORD_HOURS):
        span.claim(match, "time")
        if match.group("noon"):
            found.append((time(12, 0), None))
        elif match.group("one"):
            found.append((time(13, 0) if match.group("part") == "дня" else time(1, 0), None))
        else:
            found.append((None, None))
    for match in span.find(_RANGE):
        if not _RANGE_NEEDS.search(match.group().strip()):
            continue  # a bare "10-12" is more likely days than hours
        start, end = _clock(*_fields(match, "a")), _clock(*_fields(match, "b"))
        a_part = match.group("apart") or match.group("aepart")
        b_part = match.group("bpart") or match.group("bepart")
        if start is None and b_part and not a_part:  # «с 2 до 4 дня»: the part of the day covers both ends
            start = _clock(*_fields(match, "a")[:2], b_part)
        span.claim(match, "time")
        found.append((start, end) if start and end and start < end else (None, None))
    for match in span.find(_COMPACT_EN):
        span.claim(match, "time")
        found.append((_clock(*_fields(match, "a")), None))
    for match in span.find(_AT):
        text = match.group().strip()
        part = match.group("apart") or match.group("aepart")
        if text.startswith("на ") and not (":" in text or part):
            continue  # «на 15» is a date as often as a time
        # «с 10 на час» starts at 10; «с 2 аппаратами» is a count, so a bare hour after «с» must be a day's hour.
        starts_from = (with_length and int(match.group("ah")) > 6
                       and re.search(r"\b(?:с|со|from)\s+$", span.free[:match.start()]))
        has_marker = (bool(re.match(r"(?:в|во|к|at|@)\s", text)) or ":" in text or part or starts_from
                      or re.search(r"(час|ч|clock)$", text))
        minute = match.group("am")
        if minute and "." in text and (minute == "00" or int(minute) > 12):
            has_marker = True  # "15.00": no month is 00 or above 12
        if not has_marker or (minute is None and "." in text):
            continue
        span.claim(match, "time")
        found.append((_clock(*_fields(match, "a")), None))
    for match in span.find(_UNTIL):
        span.claim(match, "time")
        end = _clock(*_fields(match, "b"))
        if len(found) == 1 and found[0][1] is None and found[0][0] and end and found[0][0] < end:
            found[0] = (found[0][0], end)  # «в 10 до 12»
        else:
            found.append((None, end) if end else (None, None))
    if not found:
        return None, None, False
    if len(set(found)) != 1 or found[0][0] is None:
        return None, None, True
    return found[0][0], found[0][1], False


_DAYPARTS = [
    (re.compile(r"\b(?:после\s+обеда|во\s+второй\s+половине\s+дня|днем|(?:in\s+the\s+)?afternoon)\b"), AFTERNOON),
    (re.compile(r"\b(?:с\s+утра|утром|до\s+обеда|в\s+первой\s+половине\s+дня|(?:in\s+the\s+)?morning)\b"), MORNING),
    (re.compile(r"\b(?:вечером|(?:in\s+the\s+)?evening|tonight)\b"), EVENING),
]


def read_daypart(span: Span) -> str | None:
    found = None
    for pattern, part in _DAYPARTS:
        for match in span.find(pattern):
            span.claim(match, "daypart")
            if found not in (None, part):
                return None
            found = part
    return found


_NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
_DURATIONS = [
    (re.compile(r"\b(?:на\s+)?полтора\s+часа\b|\b(?:for\s+)?(?:an?\s+)?hour\s+and\s+a\s+half\b"), 90),
    (re.compile(r"\b(?:на\s+)?пол\s?часа\b|\b(?:for\s+)?half\s+an\s+hour\b"), 30),
    # «на час 30» is an hour and a half; «на час 17» is not a way to say 77 minutes.
    (re.compile(r"\b(?:на\s+)?час\s+(?:(?P<m>15|30|45)\b(?:\s*(?:минут[аы]?|мин))?|(?P<m2>\d{1,2})\s*(?:минут[аы]?|мин)\b)"),
     60),
    (re.compile(r"\bна\s+час\b|\b(?:for\s+)?(?:an|one|1)\s+hour\b"), 60),
]
_COMPACT_HOURS = re.compile(r"\b(?:(?:на|for)\s+)?(?P<n>\d{1,2})h(?P<m>[0-5]\d)\b")  # "1h30"
_HOURS_MINUTES = re.compile(r"\b(?:на|for)\s+" + _NUMBER + r"\s*(?:часа|часов|час|ч|h|hours?|hrs?)\b"
                           r"(?:\s*(?:и\s+|and\s+)?(?P<m>\d{1,2})\s*(?:минут[аы]?|мин|м|m|minutes?|mins?)\b)?")
# «кабинет 2 завтра 10:00 два часа»: a small count of hours with no preposition is a length, not a time.
_BARE_HOURS = re.compile(r"(?<![вк] )(?<!во )(?<!at )(?<!до )(?<!с )\b(?P<n>[1-4](?:\.5)?)\s*(?:часа|час|hours?|h)\b"
                         r"(?!\s*(?:утра|дня|вечера|ночи))")
_MINUTES = re.compile(r"\b(?:на|for)\s+(?P<n>\d{1,3})\s*(?:минут[аы]?|мин|m|minutes?|mins?)\b")
# A bare «2 дня» is two days, but «до 4 дня» is 4 p.m. and «через 2 дня» a date.
_DAYS = re.compile(r"\b(?:(?:на|for)\s+(?:(?P<n>\d{1,2})\s*)?|(?<!через )(?<!in )(?<!до )(?<!в )(?<!с )(?<!к )(?<!по )"
                   r"(?P<bare>\d{1,2})\s*)(?P<unit>день|дня|дней|сутки|суток|days?|недел[юи]|"
                   r"недель|weeks?)\b")


def read_duration(span: Span) -> tuple[int | None, int | None, bool]:
    """(minutes, days, unsure): «на час» → 60 minutes, «на 3 дня» → 3 days, «на неделю» → 7 days; unsure when
    a length was written that is not one (0 minutes, 25 hours) or two lengths disagree."""
    lengths: list[int | None] = []
    for pattern, value in _DURATIONS:
        for match in span.find(pattern):
            span.claim(match, "duration")
            extra = match.groupdict().get("m") or match.groupdict().get("m2")
            lengths.append(value + (int(extra) if extra else 0))
    for match in span.find(_COMPACT_HOURS):
        span.claim(match, "duration")
        lengths.append(int(match.group("n")) * 60 + int(match.group("m")) or None)
    for match in span.find(_HOURS_MINUTES):
        span.claim(match, "duration")
        total = float(match.group("n")) * 60 + int(match.group("m") or 0)
        lengths.append(int(total) if total == int(total) and 0 < total <= 24 * 60 else None)
    for pattern in (_BARE_HOURS, _MINUTES):
        for match in span.find(pattern):
            span.claim(match, "duration")
            total = float(match.group("n")) * (60 if pattern is _BARE_HOURS else 1)
            lengths.append(int(total) if 0 < total <= 24 * 60 else None)
    day_counts = []
    for match in span.find(_DAYS):
        span.claim(match, "duration")
        count = int(match.group("n") or match.group("bare") or 1)
        day_counts.append(count * 7 if match.group("unit").startswith(("недел", "week")) else count)
    unsure = len(set(lengths)) > 1 or None in lengths or len(set(day_counts)) > 1 or 0 in day_counts
    minutes = lengths[0] if lengths and not unsure else None
    days = day_counts[0] if day_counts and not unsure else None
    return minutes, days, unsure
