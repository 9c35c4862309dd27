"""Calendar feed links cannot be guessed: their tokens are long and random, only a digest of them is stored and
looked up (so no comparison ever runs over the secret itself), and any token that is not exactly a live one
of that kind of feed is a plain 404."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.calendar.models import CalendarToken
from integrations.calendar.services import calendar_token_issue, calendar_token_revoke
from tests.conftest import NOW
from tests.factories import CabinetFactory, TelegramAccountFactory, with_week

pytestmark = pytest.mark.django_db

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def room(db):
    return with_week(CabinetFactory(name="Кабинет 3"))


def near_misses(raw: str) -> list[str]:
    flipped = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    return [flipped, raw[:-1], raw + "A", raw.swapcase(), raw[1:], raw[: len(raw) // 2], raw.upper(), raw[::-1],
            f"{raw} ", "%20" + raw]


def test_tokens_are_long_url_safe_and_never_repeat(room):
    raws = []
    for n in range(120):
        account = TelegramAccountFactory()
        raws.append(calendar_token_issue(account=account, now=NOW)[1])
        raws.append(calendar_token_issue(cabinet=room, label=f"screen {n}", now=NOW)[1])
    assert all(URL_SAFE.match(raw) and len(raw) >= 32 for raw in raws)  # at least 192 random bits each
    assert len(set(raws)) == len(raws)
    assert len({raw[:8] for raw in raws}) == len(raws)


def test_token_characters_are_spread_as_random_ones_are(room):
    text = "".join(calendar_token_issue(cabinet=room, now=NOW)[1] for _ in range(150))
    counts = Counter(text)
    entropy = -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())
    assert len(counts) == 64 and entropy > 5.9  # of at most 6 bits per character of the URL-safe alphabet


def test_two_links_issued_at_the_same_instant_for_the_same_holder_differ(alice):
    first = calendar_token_issue(account=alice, now=NOW)[1]
    second = calendar_token_issue(account=alice, now=NOW)[1]
    assert first != second


def test_only_a_digest_is_stored_and_looked_up(client, alice, frozen):
    _token, raw = calendar_token_issue(account=alice, now=NOW)
    stored = str(list(CalendarToken.objects.values()))
    assert raw not in stored and raw[8:] not in stored

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/calendar/{raw}.ics").status_code == 200
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert raw not in sql  # the secret itself is never handed to a comparison
    assert hashlib.sha256(raw.encode()).hexdigest() in sql


def test_a_token_that_is_nearly_right_is_404(client, alice, room, frozen):
    _token, raw = calendar_token_issue(account=alice, now=NOW)
    _token, cabinet_raw = calendar_token_issue(cabinet=room, now=NOW)
    assert client.get(f"/calendar/{raw}.ics").status_code == 200
    assert client.get(f"/calendar/cabinets/{room.pk}/{cabinet_raw}.ics").status_code == 200
    for wrong in near_misses(raw):
        assert client.get(f"/calendar/{wrong}.ics").status_code == 404, wrong
    for wrong in near_misses(cabinet_raw):
        assert client.get(f"/calendar/cabinets/{room.pk}/{wrong}.ics").status_code == 404, wrong


def test_an_unknown_or_revoked_token_is_a_plain_404(client, alice, room, frozen):
    token, raw = calendar_token_issue(account=alice, now=NOW)
    cabinet_token, cabinet_raw = calendar_token_issue(cabinet=room, now=NOW)
    calendar_token_revoke(token=token, now=NOW)
    calendar_token_revoke(token=cabinet_token, now=NOW)
    for path in (f"/calendar/{raw}.ics", f"/calendar/cabinets/{room.pk}/{cabinet_raw}.ics",
                 "/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",
                 f"/calendar/cabinets/{room.pk}/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"BEGIN:VCALENDAR" not in response.content and "text/calendar" not in response["Content-Type"]
