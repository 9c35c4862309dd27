"""parse(): one free-text booking message → what it asks for, and what it leaves out.

Order matters: durations first («на 2 часа» must not become a time), then dates (so «с 10 по 12 декабря» is
never read as hours), times, dayparts, resources and units; each rule claims the words it understood, and words
nobody understood are kept so the bot can say what it did not get. Whatever is unsure is left missing, never
guessed: the bot asks for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from integrations.freetext.dates import read_dates
from integrations.freetext.resources import CABINET, EQUIPMENT, SERVICE, read_cabinet_numbers, read_resources
from integrations.freetext.text import DOUBT, FILLER, Span, normalize
from integrations.freetext.times import AFTERNOON, EVENING, MORNING, read_daypart, read_duration, read_times

RESOURCE, DATE, TIME, DURATION, WITH = "resource", "date", "time", "duration", "equipment"

@dataclass(frozen=True)
class Parse:
    """What a message asks for. ids holds the one matching resource, or the candidates when several fit;
    equipment_ids the item to go with a cabinet (several: the candidates); missing lists what the bot still has
    to ask (resource, date, time, duration, equipment)."""

    text: str
    language: str = "ru"
    kind: str | None = None
    ids: tuple[int, ...] = ()
    id_kinds: tuple[str, ...] = ()  # the kind of each of ids (they may differ when kind is None)
    equipment_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    start: time | None = None
    end: time | None = None
    daypart: str | None = None
    duration_minutes: int | None = None
    units: int | None = None
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    zone: ZoneInfo = field(default=ZoneInfo("UTC"), compare=False, repr=False)

    @property
    def resource_id(self) -> int | None:
        return self.ids[0] if len(self.ids) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1

    @property
    def understood(self) -> bool:
        """No number and no word of doubt was left unread: «Philips 2 дня» or «в 10, нет, в 11» may change the
        booking, so the bot asks. Other words left over («для УЗИ») are shown on the card to confirm."""
        return not any(word in DOUBT or any(char.isdigit() for char in word) for word in self.unknown)

    @property
    def complete(self) -> bool:
        return not self.missing and self.understood

    @property
    def starts_at(self) -> datetime | None:
        if self.date_from is None or self.start is None:
            return None
        return datetime.combine(self.date_from, self.start, tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime | None:
        """starts_at plus the length, on the clinic's wall clock: the same sum the cabinet services make."""
        if self.starts_at is None or self.duration_minutes is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def clinic_zone() -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def parse(text: str, *, now: datetime, catalogue: Iterable, language: str = "ru",
          zone: ZoneInfo | None = None) -> Parse:
    """Read one message. now is an aware moment; dates are relative to the clinic's today (the zone of
    settings.TIME_ZONE unless zone is given). catalogue: (kind, id, name, aliases) entries. language is the
    reader's language ("ru" or "en"); the rules read both, so a Russian speaker may write "Philips"."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = zone or clinic_zone()
    today = now.astimezone(zone).date()
    span = Span(normalize(text))
    minutes, days, length_unsure = read_duration(span)
    numbered = read_cabinet_numbers(span, catalogue)
    date_from, date_to, dates_unsure, open_start = read_dates(span, today, language)
    start, end, time_unsure = read_times(span, with_length=minutes is not None)
    daypart = read_daypart(span)
    mention = read_resources(span, catalogue, numbered)
    unknown = tuple(word for _start, word in span.words()
                    if (word not in FILLER and len(word) > 1) or word.isdigit() or word in DOUBT)
    if open_start and not days:
        date_from = date_to = None  # «Philips с 10 декабря»: from then until when?
        dates_unsure = True
    if days and date_from is not None and date_from == date_to:
        date_to = date_from + timedelta(days=days - 1)
    elif days and date_from is not None and (date_to - date_from).days + 1 != days:
        date_from = date_to = None  # «на 3 дня с 10 по 15 декабря»: the two disagree
        dates_unsure = True
    if start and end and minutes is None:
        minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60
    elif start and minutes and end is None:
        end = (datetime.combine(date.min, start) + timedelta(minutes=minutes)).time()
    elif start and end and minutes and (datetime.combine(date.min, end) - datetime.combine(date.min, start)
                                        ).seconds // 60 != minutes:
        start = end = minutes = None  # «с 10 до 11 на 2 часа»
        time_unsure = True
    if start and daypart and not _in_daypart(start, daypart):
        start = end = daypart = None  # «утром в 15:00»
        time_unsure = True
    # A name that is not in the catalogue (a service such as «УЗИ», or a typo too far) leaves kind None and its
    # words in unknown: the bot asks what to book.
    kind = mention.kind
    missing = _missing(kind, mention.ids, date_from, date_to, start, minutes, dates_unsure, time_unsure,
                       length_unsure)
    if len(mention.equipment_ids) > 1:
        missing += (WITH,)  # «кабинет 2 с аппаратом»: one item goes with a cabinet, which one?
    return Parse(text=text, language=language, kind=kind, ids=mention.ids, id_kinds=mention.id_kinds,
                 equipment_ids=mention.equipment_ids, date_from=date_from,
                 date_to=date_to, start=start, end=end, daypart=daypart if start is None else None,
                 duration_minutes=minutes, units=mention.units, unknown=unknown, missing=missing, zone=zone)


# The hours a part of the day may name, wider than the windows the bot offers: «утром в 7:30» is morning.
_DAYPART_HOURS = {MORNING: (time(5, 0), time(12, 0)), AFTERNOON: (time(11, 0), time(18, 0)),
                  EVENING: (time(16, 0), time(23, 59))}


def _in_daypart(start: time, daypart: str) -> bool:
    first, last = _DAYPART_HOURS[daypart]
    return first <= start <= last


def _missing(kind, ids, date_from, date_to, start, minutes, dates_unsure, time_unsure, length_unsure
             ) -> tuple[str, ...]:
    missing = []
    if len(ids) != 1 or kind is None:
        missing.append(RESOURCE)
    if date_from is None or dates_unsure or (length_unsure and kind == EQUIPMENT):
        missing.append(DATE)
    elif kind in (CABINET, SERVICE) and date_from != date_to:
        missing.append(DATE)  # a cabinet or a service is booked for one day at a time
    if kind != EQUIPMENT:
        if start is None or time_unsure:
            missing.append(TIME)
        if (minutes is None or length_unsure) and kind != SERVICE:
            missing.append(DURATION)
    return tuple(missing)
