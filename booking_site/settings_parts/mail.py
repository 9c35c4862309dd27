"""E-mail: how messages to clients leave (EMAIL_URL), whom they come from (DEFAULT_FROM_EMAIL) and how failed
ones are retried (MAIL_MAX_ATTEMPTS, MAIL_BACKOFF_SECONDS).

EMAIL_URL is read with django-environ's `email_url`: `smtp://user:password@host:25`, `smtp+tls://…:587`
(STARTTLS) or `smtp+ssl://…:465` (TLS from the first byte); a user name or password with `@`, `:` or `/` is
written percent-encoded (`%40`). Without EMAIL_URL every message is written as a file under VAR_DIR/mail, so
development needs no mail server and nothing leaves the machine."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import environ

SMTP_TIMEOUT_SECONDS = 10  # a mail server that stops answering holds a worker this long, not forever
DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 587, "smtp+ssl": 465}


def mail_settings(env: environ.Env, *, var_dir: Path) -> dict[str, Any]:
    """Django's EMAIL_* settings and the retry settings of the mail channel, as module-level names."""
    url = env.str("EMAIL_URL", default="").strip()
    names: dict[str, Any] = {
        "DEFAULT_FROM_EMAIL": env.str("DEFAULT_FROM_EMAIL", default="").strip() or "noreply@localhost",
        "EMAIL_TIMEOUT": SMTP_TIMEOUT_SECONDS,
        # Retried 1 min, 2 min, 4 min … (at most an hour apart), then a dead letter an operator can retry.
        "MAIL_MAX_ATTEMPTS": env.int("MAIL_MAX_ATTEMPTS", default=10),
        "MAIL_BACKOFF_SECONDS": env.float("MAIL_BACKOFF_SECONDS", default=60.0),
    }
    names["SERVER_EMAIL"] = names["DEFAULT_FROM_EMAIL"]
    if not url:
        mail_dir = var_dir / "mail"  # the messages hold clients' names and addresses: the app's user only
        mail_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a folder another user owns stays as it is
            mail_dir.chmod(0o700)
        return {**names, "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(mail_dir)}
    config = environ.Env.email_url_config(url)
    scheme = url.split("://", 1)[0].lower()
    return {
        **names,
        "EMAIL_BACKEND": config["EMAIL_BACKEND"],
        "EMAIL_HOST": config["EMAIL_HOST"] or "localhost",
        "EMAIL_PORT": config["EMAIL_PORT"] or DEFAULT_PORTS.get(scheme, 25),
        "EMAIL_HOST_USER": config["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": config["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_TLS": bool(config.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": bool(config.get("EMAIL_USE_SSL")),
    }
