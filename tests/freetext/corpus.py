"""The golden corpus (corpus.yaml) as data: each phrase's expected parse next to what parse() gives, and the
two verdicts that matter: exact (every field as expected) and wrong (a field that names a different resource,
day, time, length or count than the phrase wrote: worse than leaving it missing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from integrations.freetext import Parse, parse

CORPUS = Path(__file__).with_name("corpus.yaml")
FIELDS = ("kind", "ids", "equipment", "dates", "start", "end", "daypart", "duration", "units", "missing")
# Fields that would put something into a booking: a value here that differs from the phrase's is a wrong parse.
BOOKING_FIELDS = ("ids", "equipment", "dates", "start", "end", "duration", "units")


def language_of(text: str) -> str:
    return "ru" if any("а" <= char <= "я" for char in text.lower()) else "en"


def load() -> dict:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def _time(value) -> time | None:
    return time.fromisoformat(value) if value else None


def expected(expect: dict) -> dict:
    day = expect.get("date")
    dates = tuple(expect.get("dates") or ((day, day) if day else (None, None)))
    return {"kind": expect.get("kind"), "ids": tuple(expect.get("ids") or ()),
            "equipment": tuple(expect.get("equipment") or ()), "dates": dates, "start": _time(expect.get("start")),
            "end": _time(expect.get("end")), "daypart": expect.get("daypart"), "duration": expect.get("duration"),
            "units": expect.get("units"), "missing": tuple(sorted(expect.get("missing") or ()))}


def actual(result: Parse) -> dict:
    return {"kind": result.kind, "ids": result.ids, "equipment": result.equipment_ids,
            "dates": (result.date_from, result.date_to), "start": result.start, "end": result.end,
            "daypart": result.daypart, "duration": result.duration_minutes, "units": result.units,
            "missing": tuple(sorted(result.missing))}


def is_wrong(field: str, want, got) -> bool:
    """A value given where the phrase gave another (or none). Missing where one was written is not wrong."""
    if field == "ids":  # one id is a booking; candidates only make the bot ask
        return len(got) == 1 and got != want
    if field == "dates":
        return got[0] is not None and got != want
    if isinstance(got, tuple):
        return bool(got) and got != want
    return got is not None and got != want


@dataclass(frozen=True)
class Verdict:
    text: str
    want: dict
    got: dict

    @property
    def exact(self) -> bool:
        return self.want == self.got

    @property
    def wrong_fields(self) -> list[str]:
        return [f for f in BOOKING_FIELDS if is_wrong(f, self.want[f], self.got[f])]

    def differences(self) -> str:
        return ", ".join(f"{f}: want {self.want[f]!r} got {self.got[f]!r}" for f in FIELDS
                         if self.want[f] != self.got[f])


def run(corpus: dict | None = None) -> list[Verdict]:
    corpus = corpus or load()
    zone = ZoneInfo(corpus["zone"])
    now = datetime.fromisoformat(corpus["now"])
    verdicts = []
    for phrase in corpus["phrases"]:
        language = phrase.get("language") or language_of(phrase["text"])
        result = parse(phrase["text"], now=now, catalogue=corpus["catalogue"], language=language, zone=zone)
        verdicts.append(Verdict(phrase["text"], expected(phrase["expect"]), actual(result)))
    return verdicts


def report(verdicts: list[Verdict]) -> str:
    exact = sum(v.exact for v in verdicts)
    lines = [f"{exact}/{len(verdicts)} exact ({exact / len(verdicts):.1%}), "
             f"{sum(bool(v.wrong_fields) for v in verdicts)} wrong"]
    lines += [f"{'WRONG' if v.wrong_fields else 'inexact'}: {v.text!r}: {v.differences()}"
              for v in verdicts if not v.exact]
    return "\n".join(lines)


def as_date(value) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)
