"""Admin login lockouts behind a reverse proxy: failed logins lock the user name for the address they came
from (X-Forwarded-For, read only from the proxies in TRUSTED_PROXIES), so an attacker elsewhere cannot lock a
manager out, and nobody can choose the address their attempts count against."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from booking_site import middleware

PROXY = "10.0.0.1"
ATTACKER, MANAGER = "198.51.100.7", "203.0.113.9"
PASSWORD = "correct horse battery staple"  # tests.factories.StaffUserFactory's


@pytest.fixture
def lockouts(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def behind_the_proxy(lockouts):
    lockouts.TRUSTED_PROXIES = [PROXY]
    return lockouts


def log_in(client, password, *, remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("admin:login"), {"username": "maria", "password": password}, **extra)


def fail_until_locked(client, settings, **where):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong", **where)


@pytest.mark.django_db
def test_failures_from_one_address_lock_it_out_while_the_manager_elsewhere_still_logs_in(
        client, behind_the_proxy, manager_user):
    fail_until_locked(client, behind_the_proxy, remote_addr=PROXY, forwarded_for=ATTACKER)

    assert log_in(client, PASSWORD, remote_addr=PROXY, forwarded_for=ATTACKER).status_code == 429
    assert log_in(client, PASSWORD, remote_addr=PROXY, forwarded_for=MANAGER).status_code == 302
    assert client.session["_auth_user_id"] == str(manager_user.pk)


@pytest.mark.django_db
def test_an_address_the_attacker_writes_into_x_forwarded_for_is_not_the_one_locked(
        client, behind_the_proxy, manager_user):
    # The proxy appends the address it was called from: what the attacker wrote stays on the left.
    fail_until_locked(client, behind_the_proxy, remote_addr=PROXY, forwarded_for=f"{MANAGER}, {ATTACKER}")

    assert log_in(client, PASSWORD, remote_addr=PROXY, forwarded_for=MANAGER).status_code == 302
    assert log_in(client, PASSWORD, remote_addr=PROXY, forwarded_for=ATTACKER).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [[], [PROXY]])
def test_a_client_that_does_not_come_through_a_trusted_proxy_cannot_set_its_address(
        client, lockouts, manager_user, trusted):
    lockouts.TRUSTED_PROXIES = trusted
    fail_until_locked(client, lockouts, remote_addr=ATTACKER, forwarded_for=MANAGER)

    assert log_in(client, PASSWORD, remote_addr=ATTACKER, forwarded_for="192.0.2.1").status_code == 429
    assert log_in(client, PASSWORD, remote_addr=MANAGER).status_code == 302


def address_of(settings, remote_addr, forwarded_for=None, trusted=(PROXY,)):
    settings.TRUSTED_PROXIES = list(trusted)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return middleware.client_ip(RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra))


def test_the_client_is_the_first_address_from_the_right_that_is_not_a_trusted_proxy(settings):
    networks = ["10.0.0.0/8", "fd00::/8"]
    assert address_of(settings, "10.0.0.1", f"1.2.3.4, {ATTACKER}, 10.0.0.2", networks) == ATTACKER
    assert address_of(settings, "fd00::1", f"{ATTACKER},fd00::2", networks) == ATTACKER
    assert address_of(settings, "10.0.0.1", "2001:db8::7", networks) == "2001:db8::7"
    assert address_of(settings, "10.0.0.1", "10.0.0.3", networks) == "10.0.0.3"  # all proxies: the leftmost


def test_a_missing_or_unreadable_header_leaves_the_proxy_as_the_client(settings):
    assert address_of(settings, PROXY) == PROXY
    assert address_of(settings, PROXY, "") == PROXY
    assert address_of(settings, PROXY, "unknown") == PROXY
    assert address_of(settings, PROXY, f"{ATTACKER}, not-an-address") == PROXY


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert address_of(settings, ATTACKER, MANAGER, trusted=()) == ATTACKER
    assert address_of(settings, "::ffff:198.51.100.7", MANAGER, trusted=()) == "::ffff:198.51.100.7"


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start_naming_the_setting(tmp_path):
    import subprocess
    import sys

    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'booking_site.settings'; django.setup()"
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "VAR_DIR": str(tmp_path),
           "TRUSTED_PROXIES": "10.0.0.1, proxy.internal"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured: TRUSTED_PROXIES" in result.stderr and "proxy.internal" in result.stderr
