"""The golden corpus as a test: at least 95 % of its phrases read exactly, and not one read wrongly (a resource,
day, time, length or count other than the phrase's: worse than leaving it for the bot to ask)."""

from __future__ import annotations

from datetime import date, time

from tests.freetext import corpus

ISSUE_EXAMPLES = ("завтра в 15:00 кабинет 2 на час", "УЗИ в пятницу после обеда",
                  "2 аппарата Philips с 10 по 12 декабря", "cabinet 3 tomorrow 10:30 for 90 minutes")
DATEPARSER_TRAPS = ("завтра в три часа дня", "в 9 утра", "в 15")


def test_the_corpus_holds_at_least_150_phrases_in_both_languages_with_the_issue_examples_and_the_traps():
    phrases = [p["text"] for p in corpus.load()["phrases"]]
    assert len(phrases) >= 150
    assert len(set(phrases)) == len(phrases)
    assert sum(any("а" <= c <= "я" for c in p.lower()) for p in phrases) >= 75
    assert sum(not any("а" <= c <= "я" for c in p.lower()) for p in phrases) >= 40
    assert set(ISSUE_EXAMPLES + DATEPARSER_TRAPS) <= set(phrases)


def test_the_corpus_is_read_at_least_95_percent_exactly_and_never_wrongly():
    verdicts = corpus.run()
    wrong = [v for v in verdicts if v.wrong_fields]
    exact = sum(v.exact for v in verdicts) / len(verdicts)
    assert not wrong, corpus.report(verdicts)
    assert exact >= 0.95, corpus.report(verdicts)


def test_the_dateparser_traps_come_out_right():
    data = corpus.load()
    got = {v.text: v.got for v in corpus.run({**data, "phrases": [p for p in data["phrases"]
                                                                  if p["text"] in DATEPARSER_TRAPS]})}
    assert got["завтра в три часа дня"]["start"] == time(15, 0)
    assert got["завтра в три часа дня"]["dates"] == (date(2026, 11, 24), date(2026, 11, 24))
    assert got["в 9 утра"]["start"] == time(9, 0)
    assert got["в 15"]["start"] == time(15, 0)
    assert got["в 15"]["dates"] == (None, None)


def test_a_wrong_resource_date_or_time_counts_as_wrong_and_a_missing_one_does_not():
    want = corpus.expected({"kind": "cabinet", "ids": [2], "date": date(2026, 11, 24), "start": "15:00",
                            "duration": 60})
    other_cabinet = {**want, "ids": (3,)}
    other_day = {**want, "dates": (date(2026, 11, 25), date(2026, 11, 25))}
    left_to_ask = {**want, "ids": (1, 2, 3), "start": None, "missing": ("resource", "time")}
    assert corpus.Verdict("x", want, other_cabinet).wrong_fields == ["ids"]
    assert corpus.Verdict("x", want, other_day).wrong_fields == ["dates"]
    assert corpus.Verdict("x", want, left_to_ask).wrong_fields == []
    assert not corpus.Verdict("x", want, left_to_ask).exact
    assert corpus.Verdict("x", want, dict(want)).exact
