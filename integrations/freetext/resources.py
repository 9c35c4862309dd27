"""Which cabinet, item or service a message names, matched against the catalogue the caller passes in as
(kind, id, name, aliases) entries. Case, ё/е, one Russian ending and one typo in a word of five letters or more
do not matter; numbers do ("кабинет 2", "кабинет №2", "cabinet 3" name exactly cabinet 2 or 3, never another).
A name that fits several entries gives them all as candidates; a name that fits none gives none: the bot asks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from integrations.freetext.text import FILLER, Span, cyrillic, normalize, same_word

CABINET, EQUIPMENT, SERVICE = "cabinet", "equipment", "service"
KINDS = (CABINET, EQUIPMENT, SERVICE)

# Words that say what kind of thing is meant without naming which one.
KIND_WORDS = {
    CABINET: ("кабинет", "каб", "cabinet", "room", "комната"),
    EQUIPMENT: ("аппарат", "прибор", "устройство", "оборудование", "device", "machine", "equipment", "apparatus"),
    SERVICE: ("услуга", "процедура", "service", "procedure"),
}
# Words of a name that name nothing by themselves.
_NAME_FILLER = {"для", "и", "с", "со", "the", "of", "for", "and", "a", "an", "№"}
_UNIT_WORDS = r"(?:шт|штук[аи]?|штук|единиц[аы]?|units?|pcs|pieces?)"


@dataclass(frozen=True)
class Entry:
    """One bookable thing of the catalogue: kind, id, name and other names people use for it."""

    kind: str
    id: int
    name: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, value) -> Entry:
        if isinstance(value, Entry):
            return value
        kind, id_, name, *rest = value
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return cls(kind, int(id_), name, tuple(rest[0]) if rest else ())

    def phrases(self) -> list[tuple[set[str], set[str]]]:
        """(words, numbers) of the name and of each alias, the kind's own words left out."""
        found = []
        for phrase in (self.name, *self.aliases):
            tokens = re.split(r"[\s\-./]+", normalize(phrase))
            words = {t for t in tokens if t and not t.isdigit() and t not in _NAME_FILLER
                     and not _is_kind_word(t, self.kind)}
            numbers = {t.lstrip("0") or "0" for t in tokens if t.isdigit()}
            words |= {spelled for word in words if (spelled := cyrillic(word))}  # «Филипс» for "Philips"
            found.append((words, numbers))
        return found


def _is_kind_word(word: str, kind: str | None = None) -> bool:
    kinds = [kind] if kind else KINDS
    return any(same_word(word, kind_word) for k in kinds for kind_word in KIND_WORDS[k])


def _kind_of(word: str) -> str | None:
    for kind in KINDS:
        if _is_kind_word(word, kind):
            return kind
    return None


@dataclass(frozen=True)
class Mention:
    """What the message says about resources: the kind it names, the entries that fit (one: found; several:
    ask which; none: not in the catalogue), an item named alongside a cabinet, and a count of units."""

    kind: str | None
    ids: tuple[int, ...]
    equipment_ids: tuple[int, ...]
    units: int | None
    words: tuple[str, ...]  # the words that named it, for the card and the question
    id_kinds: tuple[str, ...] = ()  # the kind of each id, when the ids are of different kinds

    @classmethod
    def of(cls, entries, equipment=(), units=None, words=(), kind=None) -> Mention:
        entries = sorted(entries, key=lambda e: (e.kind, e.id))
        kinds = {e.kind for e in entries}
        return cls(kind if kind is not None or len(kinds) != 1 else kinds.pop(), tuple(e.id for e in entries),
                   tuple(equipment), units, tuple(words), tuple(e.kind for e in entries))


# A number followed by a month is a day («кабинет, 2 декабря в 10»), unless the month has its own day after it
# ("cabinet 2 Dec 10").
_MONTH_NEXT = (r"(?!\s*(?:(?:-|по|до)\s*\d{1,2}\s*)?(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|"
               r"ноябр|декабр|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zа-я]*(?!\s+\d{1,2}(?:st|nd|rd|th)?\b(?![.:]\d)))")
_NUMBERED = re.compile(r"\b(?P<w>[a-zа-я]+)(?:\s*|\.)(?:№\s*)?(?P<n>\d{1,4}(?:\s*(?:или|or|и|and|-)\s*\d{1,4})*)"
                       r"\b(?![.:]\d)" + _MONTH_NEXT + r"|№\s*(?P<n2>\d{1,4})\b(?![.:]\d)" + _MONTH_NEXT
                       + r"|\b(?P<n3>\d{1,2})-?(?:й|ой|ий|м|ом|th|nd|rd|st)\s+(?P<w3>[a-zа-я]+)")


def read_cabinet_numbers(span: Span, catalogue: Iterable) -> list[set[Entry]]:
    """"кабинет 2", "кабинет №2", "каб 2", "cabinet 3", "room 102", "2-й кабинет", "№2": the cabinets with that
    number in a name or an alias. Read before dates, so the 2 of «кабинет 2 10 декабря» is never a day; a number
    followed by a month («кабинет, 2 декабря») is left to the dates. «кабинет 1 или 2» gives both to choose from."""
    entries = [Entry.of(value) for value in catalogue]
    numbered = []
    for match in span.find(_NUMBERED):
        word = match["w"] or match["w3"]
        if word and _kind_of(word) != CABINET:
            continue
        numbers = {n.lstrip("0") or "0" for n in re.findall(r"\d+", match["n"] or match["n2"] or match["n3"])}
        span.claim(match, "resource")
        numbered.append({e for e in entries if e.kind == CABINET
                         and any(numbers & nums for _w, nums in e.phrases())})
    return numbered


def read_resources(span: Span, catalogue: Iterable, numbered: list[set[Entry]]) -> Mention:
    entries = [Entry.of(value) for value in catalogue]
    phrases = {entry: entry.phrases() for entry in entries}
    kinds: list[str] = [CABINET] * len(numbered)
    words_used: list[str] = []
    units = _read_units(span, entries, phrases)
    scores: dict[Entry, set[str]] = {}
    for start, word in span.words():
        if word in FILLER:
            continue  # «хочу», «нужен», "please" never name a thing, however close to a name they are
        for part in re.split(r"[-./]", word):
            kind = _kind_of(part) if not part.isdigit() else None
            hits = [e for e in entries if any(_matches(part, words) for words, _n in phrases[e])]
            if hits:
                for entry in hits:
                    scores.setdefault(entry, set()).add(part)
                words_used.append(part)
            elif kind:
                kinds.append(kind)
                words_used.append(part)
            else:
                continue
            span.claim(re.compile(re.escape(word)).search(span.free, start), "resource")
            break
    return _resolve(entries, kinds, numbered, scores, units, tuple(words_used))


def _matches(word: str, name_words: set[str]) -> bool:
    spelled = cyrillic(word)  # "laser" for «Лазер»
    return any(same_word(word, name_word) or (spelled and same_word(spelled, name_word)) for name_word in name_words)


def _read_units(span: Span, entries: list[Entry], phrases: dict) -> int | None:
    """«2 аппарата Philips», «2 шт», "x2", "2 units": a count right before a unit word, a kind-of-equipment
    word or the name of an item."""
    item_words = {w for e in entries if e.kind == EQUIPMENT for words, _n in phrases[e] for w in words}
    pattern = re.compile(r"\b(?P<n>\d{1,2})\s?(?P<w>[a-zа-я]+)\b|\bx\s?(?P<x>\d{1,2})\b")
    for match in span.find(pattern):
        count = int(match["n"] or match["x"])
        word = match["w"]
        if word and not (re.fullmatch(_UNIT_WORDS, word) or _is_kind_word(word, EQUIPMENT)
                         or _matches(word, item_words)):
            continue
        if count < 1:
            continue
        if word and not re.fullmatch(_UNIT_WORDS, word):  # the item's word stays for the name rules
            span.claim(re.compile(re.escape(match["n"])).search(span.free, match.start()), "units")
        else:
            span.claim(match, "units")
        return count
    return None


def _resolve(entries, kinds, numbered, scores, units, words) -> Mention:
    cabinets: set[Entry] | None = None
    for found in numbered:
        cabinets = found if cabinets is None else cabinets & found
    best = max((len(found) for found in scores.values()), default=0)
    named = {e for e, found in scores.items() if len(found) == best}
    cabinet_best = max((len(found) for e, found in scores.items() if e.kind == CABINET), default=0)
    named_cabinets = {e for e, found in scores.items() if e.kind == CABINET and len(found) == cabinet_best}
    if cabinets is None and CABINET not in kinds and named_cabinets:
        # «массажный» names the massage cabinet and the massage table alike; «массажный стол» only the table.
        cabinet_words = set().union(*(scores[e] for e in named_cabinets))
        rivals = {e for e, found in scores.items() if e.kind != CABINET and found & cabinet_words
                  and len(found) >= cabinet_best}
        if rivals:
            rival_best = max(len(scores[e]) for e in rivals)
            if rival_best > cabinet_best or EQUIPMENT in kinds:
                named_cabinets = set()
                named = {e for e in rivals if len(scores[e]) == rival_best}
            else:
                return Mention.of(named_cabinets | rivals, units=units, words=words)
    if cabinets is not None or CABINET in kinds or named_cabinets:
        if cabinets is None:
            cabinets = named_cabinets or {e for e in entries if e.kind == CABINET}
        elif named_cabinets:
            cabinets = cabinets & named_cabinets
        cabinet_words = set().union(*(scores.get(e, set()) for e in cabinets)) if cabinets else set()
        # An item named alongside a cabinet, by words of its own (not the words that named the cabinet).
        items = {e for e, found in scores.items() if e.kind == EQUIPMENT and found - cabinet_words}
        most = max((len(scores[e] - cabinet_words) for e in items), default=0)
        equipment = tuple(sorted(e.id for e in items if len(scores[e] - cabinet_words) == most))
        if not equipment and EQUIPMENT in kinds:  # «кабинет 2 с аппаратом»: which one is for the bot to ask
            equipment = tuple(sorted(e.id for e in entries if e.kind == EQUIPMENT))
        return Mention.of(cabinets, equipment, units, words, kind=CABINET)
    wanted = [k for k in kinds if k != CABINET]
    kind = wanted[0] if len(set(wanted)) == 1 else None
    if named:
        if kind is not None and any(e.kind == kind for e in named):
            named = {e for e in named if e.kind == kind}
        return Mention.of(named, units=units, words=words)
    if kind is not None:
        return Mention.of([e for e in entries if e.kind == kind], units=units, words=words, kind=kind)
    return Mention(None, (), (), units, words)
