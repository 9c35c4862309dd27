"""A client flooding a bot: 20 updates a minute are served, the 21st is told to slow down once, later ones in
that minute are dropped, and the next minute is served again. Managers are never limited. Counted in the
shared cache (Redis in CI), one round trip per update."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.telegram.conversation import RATE_LIMIT_PER_MINUTE
from tests.integrations.telegram.conftest import said

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_DOWN = "too fast"


def test_a_client_over_the_limit_is_told_once_then_ignored_until_the_next_minute(ann, clock):
    answers = [said(ann.send("/help")) for _ in range(RATE_LIMIT_PER_MINUTE)]
    assert all(answer and SLOW_DOWN not in answer for answer in answers)

    assert SLOW_DOWN in said(ann.send("/help"))
    assert said(ann.send("/help")) == ""

    clock.shift(timedelta(minutes=1))
    later = said(ann.send("/help"))
    assert later and SLOW_DOWN not in later


def test_managers_are_never_limited(boss, clock):
    answers = [said(boss.send("/help")) for _ in range(RATE_LIMIT_PER_MINUTE + 3)]
    assert all(answer and SLOW_DOWN not in answer for answer in answers)
