"""CI is strict whatever truthy value it is set to: a missing requirement or tool fails the test there."""

from __future__ import annotations

import pytest

from tests.conftest import ci_strict


@pytest.mark.parametrize("value", ["true", "1", "yes", "True", "on"])
def test_ci_set_to_a_truthy_value_is_strict(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert ci_strict()


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_ci_unset_or_false_is_not_strict(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert not ci_strict()


def test_ci_absent_is_not_strict(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert not ci_strict()
