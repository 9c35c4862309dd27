"""Text plumbing shared by the rules: one normal form of a message (lower case, ё → е, number words → digits,
punctuation that carries no meaning → spaces), word comparison that forgives one typo and a Russian ending,
and a Span that remembers which part of the message a rule has already understood."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NUMBER_WORDS = {
    # Russian cardinals in the forms a booking message uses them ("на два часа", "две единицы", "в три дня").
    "один": 1, "одна": 1, "одну": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3,
    "четыре": 4, "четырех": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7,
    "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10, "одиннадцать": 11,
    "одиннадцати": 11, "двенадцать": 12, "двенадцати": 12, "пятнадцать": 15, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "сорока": 40, "девяносто": 90,
    # English.
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "ninety": 90,
}

# Words that ask for a booking without saying what, when or how long.
FILLER = frozenset("""
    хочу хотел хотела хотим хотелось бы бы мне нам нужен нужна нужно нужны надо можно пожалуйста плиз забронировать
    забронируйте забронируй бронь бронировать бронирую запишите записать запись запишись занять займите арендовать
    аренда взять возьму снять на в во с со к по до от и или а для у меня нас это этот эту тот та время свободно
    свободен свободный есть будет здравствуйте привет добрый день утро вечер спасибо пож-та час часа часов
    i want would like to book a an the please need for on at in from with me us reserve reservation get hi hello
    thanks thank you can could we some of and is are be it free slot
    """.split())

# Words that take back or weigh what was just said («в 10, нет, в 11», "at 10 or 11", "the day after"): a
# message with one of them left over is not understood for certain, whatever the rules read in it.
DOUBT = frozenset("или либо нет не лучше вернее точнее or no not rather instead either after".split())

# Commas, quotes, brackets and the like separate words; ":" "." "-" "/" "№" stay, since times, dates, ranges
# and cabinet numbers are written with them.
_SEPARATORS = re.compile(r"[,;!?\"'«»“”„()\[\]{}]+")
_DASHES = re.compile(r"(?<=\d)\s*[–—]\s*(?=\d)")
_WORD = re.compile(r"[a-zа-я0-9]+(?:[-.:/][a-zа-я0-9]+)*|№")


def normalize(text: str) -> str:
    """The message in one form: lower case, ё as е, number words as digits, dashes as "-", single spaces.
    Trailing dots of sentences and abbreviations ("каб.", "мин.") go; dots inside "10.12" and "1.5" stay."""
    text = text.lower().replace("ё", "е").replace("×", " x ")
    if re.search("[а-я]", text):
        text = re.sub(r"(?<![a-z])c(?![a-z])", "с", text)  # «c 10 до 11» typed with a Latin c
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # "1,5 часа"
    text = _SEPARATORS.sub(" ", text)
    text = _DASHES.sub("-", text).replace("–", " ").replace("—", " ")
    text = re.sub(r"[№#]\s*", "№ ", text)
    text = re.sub(r"\.(?!\d)", " ", text)
    words = [str(NUMBER_WORDS.get(word, word)) for word in text.split()]
    return " ".join(words)


@dataclass
class Span:
    """The normalized message and which characters of it a rule has already claimed. A rule that matched
    blanks its characters out, so later rules never read the same words twice."""

    text: str
    claimed: list[tuple[int, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.free = self.text

    def claim(self, match: re.Match, rule: str) -> None:
        start, end = match.span()
        self.free = self.free[:start] + " " * (end - start) + self.free[end:]
        self.claimed.append((start, end, rule))

    def find(self, pattern: re.Pattern):
        """Every non-overlapping match of pattern in what is still free, leftmost first."""
        return list(pattern.finditer(self.free))

    def words(self) -> list[tuple[int, str]]:
        return [(match.start(), match.group()) for match in _WORD.finditer(self.free)]


def damerau_levenshtein(a: str, b: str, limit: int = 2) -> int:
    """The optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps), cut off at
    limit: enough to tell "within one typo" from "a different word"."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


# Russian case and number endings, longest first: "кабинете" and "кабинетом" compare as "кабинет".
_ENDINGS = sorted({"а", "я", "у", "ю", "е", "и", "ы", "о", "ом", "ем", "ой", "ей", "ою", "ею", "ам", "ям", "ах",
                   "ях", "ами", "ями", "ов", "ев", "ий", "ый", "ая", "ое", "ые", "ие", "ого", "его", "ому", "ему",
                   "ую", "юю", "ых", "их", "ым", "им", "s", "es"}, key=len, reverse=True)


def stem(word: str) -> str:
    """The word without one inflectional ending, keeping at least four letters (short words stay whole, so
    "узи" never loses its "и")."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def same_word(text_word: str, name_word: str) -> bool:
    """A word of the message names a word of a catalogue name: equal, equal but for an ending, or (both at
    least five letters long) one typo apart. Numbers and short words must match exactly."""
    if text_word == name_word:
        return True
    if text_word.isdigit() or name_word.isdigit() or min(len(text_word), len(name_word)) < 4:
        return False
    if stem(text_word) == stem(name_word):
        return True
    if min(len(text_word), len(name_word)) < 5:
        return False
    return damerau_levenshtein(text_word, name_word) <= 1 or damerau_levenshtein(stem(text_word),
                                                                                 stem(name_word)) <= 1


_LATIN_PAIRS = (("sch", "ш"), ("sh", "ш"), ("ch", "ч"), ("ph", "ф"), ("th", "т"), ("ck", "к"), ("ee", "и"),
                ("oo", "у"), ("x", "кс"))
_LATIN = str.maketrans("abcdefghijklmnopqrstuvwyz", "абкдефгхийклмнопкрстуввиз")


def cyrillic(word: str) -> str | None:
    """A rough Cyrillic spelling of a Latin word ("philips" → "филипс", "fotona" → "фотона"), so that a name
    written in the other alphabet still matches within one typo. None for words that are not Latin letters."""
    if not re.fullmatch(r"[a-z]{5,}", word):
        return None
    for latin, russian in _LATIN_PAIRS:
        word = word.replace(latin, russian)
    return word.translate(_LATIN)
