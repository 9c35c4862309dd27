"""What the README and docs/*.md name exists: every admin action (by the description the admin shows), every
`manage.py` command and every setting written in backticks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import get_commands
from django.test import RequestFactory
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# `action "…"`, action `…` or action *…*: how the docs name an admin action.
ACTION = re.compile(r"\bactions?\s+(?:\"([^\"]+)\"|`([^`]+)`|\*([^*]+)\*)", re.IGNORECASE)
COMMAND = re.compile(r"\bmanage\.py\s+([a-z][a-z0-9_]*)")
# A setting is an upper-case name with an underscore (`TIME_ZONE`, `DATABASE_URL=postgres://…`); one-word
# capitals in backticks are as often HTTP methods or iCalendar properties (`POST`, `VTIMEZONE`).
SETTING = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`")


def docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOCS)


def named(pattern: re.Pattern) -> set[str]:
    return {next(group for group in match.groups() if group) if match.groups() else match.group(0)
            for match in pattern.finditer(docs_text())}


class Superuser:
    is_active = is_staff = is_superuser = True

    def has_perm(self, *_args, **_kwargs):
        return True

    def has_perms(self, *_args, **_kwargs):
        return True

    def has_module_perms(self, *_args):
        return True


def admin_action_descriptions() -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = Superuser()
    with translation.override("en"):
        return {str(description) for model_admin in admin.site._registry.values()
                for _func, _name, description in model_admin.get_actions(request).values()}


def known_variables() -> set[str]:
    """Django settings, the variables .env.example documents (compose's too), and every variable the settings
    files and their parts read (the benchmarks' own included)."""
    variables = {name for name in dir(settings) if name.isupper()}
    variables |= set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    parts = sorted((ROOT / "booking_site" / "settings_parts").glob("*.py"))
    for source in (ROOT / "booking_site" / "settings.py", *parts, ROOT / "bench" / "settings.py"):
        variables |= set(re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']", source.read_text(encoding="utf-8")))
    return variables


def test_the_docs_name_admin_actions_commands_and_settings():
    """Guards the collectors: the checks below would pass vacuously if they found nothing."""
    assert {"Issue a new key (shown once)", "Retry the selected dead deliveries"} <= named(ACTION)
    assert {"backup", "create_api_key", "load_catalog"} <= named(COMMAND)
    assert {"TIME_ZONE", "DATABASE_URL", "WEBHOOK_ALLOW_PRIVATE"} <= named(SETTING)


@pytest.mark.django_db
def test_every_admin_action_the_docs_name_exists():
    assert sorted(named(ACTION) - admin_action_descriptions()) == []


def test_every_management_command_the_docs_name_exists():
    assert sorted(named(COMMAND) - set(get_commands())) == []


def test_every_setting_the_docs_name_exists():
    assert sorted(named(SETTING) - known_variables()) == []
