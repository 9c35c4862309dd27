"""EMAIL_URL chooses Django's SMTP backend with its host, port, account and TLS mode; without it every message is
written as a file under VAR_DIR/mail, so development needs no mail server."""

from __future__ import annotations

import environ
import pytest

from booking_site.settings_parts.mail import mail_settings


@pytest.fixture
def read(monkeypatch, tmp_path):
    for name in ("EMAIL_URL", "DEFAULT_FROM_EMAIL", "MAIL_MAX_ATTEMPTS", "MAIL_BACKOFF_SECONDS"):
        monkeypatch.delenv(name, raising=False)

    def read_(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return mail_settings(environ.Env(), var_dir=tmp_path)

    return read_


def test_without_an_email_url_messages_are_files_under_var_mail(read, tmp_path):
    names = read()
    assert names["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert names["EMAIL_FILE_PATH"] == str(tmp_path / "mail") and (tmp_path / "mail").is_dir()
    assert (names["DEFAULT_FROM_EMAIL"], names["MAIL_MAX_ATTEMPTS"], names["MAIL_BACKOFF_SECONDS"]) == (
        "noreply@localhost", 10, 60.0)


def test_smtp_with_starttls_and_an_account_whose_name_holds_an_at_sign(read):
    names = read(EMAIL_URL="smtp+tls://booking%40clinic.example:p%40ss@mail.clinic.example:587",
                 DEFAULT_FROM_EMAIL="Клиника <booking@clinic.example>")
    assert names["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (names["EMAIL_HOST"], names["EMAIL_PORT"]) == ("mail.clinic.example", 587)
    assert (names["EMAIL_HOST_USER"], names["EMAIL_HOST_PASSWORD"]) == ("booking@clinic.example", "p@ss")
    assert (names["EMAIL_USE_TLS"], names["EMAIL_USE_SSL"]) == (True, False)
    assert names["DEFAULT_FROM_EMAIL"] == names["SERVER_EMAIL"] == "Клиника <booking@clinic.example>"
    assert names["EMAIL_TIMEOUT"] == 10


def test_plain_smtp_on_port_25_and_tls_from_the_first_byte(read):
    plain = read(EMAIL_URL="smtp://relay.local:25")
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_HOST_USER"], plain["EMAIL_USE_TLS"]) == (
        "relay.local", 25, "", False)
    ssl = read(EMAIL_URL="smtp+ssl://u:p@mail.clinic.example")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
