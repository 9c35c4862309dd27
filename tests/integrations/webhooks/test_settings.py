"""WEBHOOK_ALLOW_PRIVATE follows DEBUG unless set: private receivers are allowed in development only."""

import subprocess
import sys


def value_of(env: dict) -> str:
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'booking_site.settings'); "
            "django.setup(); from django.conf import settings; print(settings.WEBHOOK_ALLOW_PRIVATE)")
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "clinic.example.com"}
    result = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout.strip().splitlines()[-1]


def test_private_receivers_are_refused_in_production_unless_allowed():
    assert value_of({"DEBUG": "0"}) == "False"
    assert value_of({"DEBUG": "0", "WEBHOOK_ALLOW_PRIVATE": "1"}) == "True"
    assert value_of({"DEBUG": "1"}) == "True"
