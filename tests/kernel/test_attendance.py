"""No-shows are counted through the adapters: every registered resource counts its own, over the last 90 days,
by the client's account or phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernel.attendance import NO_SHOW_WINDOW_DAYS, needs_approval_for_no_shows, no_shows_count
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_every_registered_resource_counts_its_no_shows_since_ninety_days_ago(probe, alice):
    assert no_shows_count(account=alice, client_phone="+79991234567", now=NOW) == 2  # none in the real resources
    (who, since), = probe.asked_no_shows
    assert since == NOW - timedelta(days=NO_SHOW_WINDOW_DAYS)
    assert "requester" in str(who) and "+79991234567" in str(who)


def test_a_client_with_neither_account_nor_phone_has_no_no_shows_and_no_adapter_is_asked(probe):
    assert no_shows_count(account=None, client_phone="", now=NOW) == 0
    assert probe.asked_no_shows == []


def test_the_no_show_limit_adds_up_the_resources(probe, alice, settings):
    settings.NO_SHOW_LIMIT = 2
    assert needs_approval_for_no_shows(account=alice, client_phone="", now=NOW)
    settings.NO_SHOW_LIMIT = 3
    assert not needs_approval_for_no_shows(account=alice, client_phone="", now=NOW)
