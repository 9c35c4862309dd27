"""The shared cast and clock of the test suite.

Personas: `alice` and `bob` book through Telegram, `manager_account` decides in Telegram, `staff` is a
manager in the admin, `blocked` is a blocked Telegram user, `partner` calls the API. The clock is frozen at
`NOW` (Monday 2026-11-23 10:00 in Moscow) unless a test moves it."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from django.conf import settings

from tests import factories
from tests.clock import MSK, NOW, at  # noqa: F401  (re-exported: tests import them from here)

_REQUIREMENTS = {
    "postgres": (lambda: settings.IS_POSTGRES, "needs PostgreSQL: set DATABASE_URL=postgres://..."),
    "redis": (lambda: bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://..."),
    "browser": (lambda: os.path.exists("/usr/bin/chromium"), "needs Debian's chromium at /usr/bin/chromium"),
}


def ci_strict() -> bool:
    """CI is set to anything but empty, 0, false or no (CI=true, CI=1, CI=yes): then a missing requirement or
    tool fails the test instead of skipping it, since CI must run everything."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


# Tools some tests skip without, when not in CI; .ci/run installs them, so in CI their absence is a failure.
CI_TOOLS = ("docker-compose", "docker compose", "redis-server", ".venv/bin")


def pytest_runtest_setup(item):
    """Tests that need PostgreSQL, Redis or Chromium are skipped without them, except in CI, where a
    missing requirement fails the test: CI must run everything."""
    for marker, (present, reason) in _REQUIREMENTS.items():
        if item.get_closest_marker(marker) and not present():
            if ci_strict():
                pytest.fail(f"CI={os.environ['CI']} but this test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test skipped for want of a tool (a skipif naming one of CI_TOOLS) fails instead."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and call.when == "setup" and ci_strict()):
        return
    reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if any(tool in reason for tool in CI_TOOLS):
        report.outcome = "failed"
        report.longrepr = f"CI={os.environ['CI']} but this test was skipped: {reason}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.keywords and shutil.which("chromium") is None and not os.path.exists(
            "/usr/bin/chromium"
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def cabinet(db):
    """"Кабинет 1" with its week: open 09:00–21:00 every day, lunch 13:00–14:00, 30-minute slots."""
    return factories.with_week(factories.CabinetFactory(name="Кабинет 1"))


@pytest.fixture
def frozen(time_machine):
    """Freeze the process clock at NOW, for code paths that read the clock themselves."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def alice(db):
    return factories.TelegramAccountFactory(username="alice", first_name="Алиса", telegram_id=1001)


@pytest.fixture
def bob(db):
    return factories.TelegramAccountFactory(username="bob", first_name="Боб", telegram_id=1002)


@pytest.fixture
def manager_account(db):
    return factories.TelegramAccountFactory(username="boss", first_name="Мария", telegram_id=9001,
                                            is_manager=True)


@pytest.fixture
def blocked(db):
    return factories.TelegramAccountFactory(username="spammer", telegram_id=6666, is_blocked=True,
                                            blocked_reason="spam")


@pytest.fixture
def staff(db):
    return factories.StaffUserFactory(username="manager")


@pytest.fixture
def partner(db):
    partner, _key = factories.partner_with_key(name="ClinicCRM")
    return partner


@pytest.fixture
def open_umask():
    """The loosest umask a host could have: a file is then as open as its creator asks."""
    old = os.umask(0)
    yield
    os.umask(old)


def file_mode(path) -> int:
    """A file's permission bits (0o600, 0o700…)."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def clinic_language():
    """Every test starts in the clinic's language, whatever language the test before it left active on this
    thread (a request's Accept-Language, a bot user's language)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _managers_group_once_per_flush():
    """After each transactional test Django flushes the database and sends post_migrate once per app, to put
    back content types, permissions and the product's rows; `managers_group_ensure` listens to every app's
    signal (so a migrate of any app reaches the group), which made it run some twenty times per flush, about
    half of the flush's time. Here it runs once, after the last app's signal, when every permission exists."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from accounts.permissions import managers_group_ensure

    last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]

    def after_the_last_app(sender, **kwargs):
        if sender is last_app:
            managers_group_ensure(sender=sender, **kwargs)

    post_migrate.disconnect(dispatch_uid="accounts.managers_group_ensure")
    post_migrate.connect(after_the_last_app, dispatch_uid="tests.managers_group_once_per_flush", weak=False)
    yield
    post_migrate.disconnect(dispatch_uid="tests.managers_group_once_per_flush")
    post_migrate.connect(managers_group_ensure, dispatch_uid="accounts.managers_group_ensure")
