"""A process that loads the apps to write the audit does not import the Telegram, API and HTTP libraries it
never uses (nor the calendar library): they are most of its memory before the first row."""

import json
import subprocess
import sys

from django.conf import settings

UNUSED_BY_THE_AUDIT = ["telegram", "rest_framework.serializers", "drf_spectacular.plumbing", "httpx", "icalendar"]
PROBE = f"""
import json, sys
import django
django.setup()
import integrations.audit.services, integrations.management.commands.export_audit
print(json.dumps([name for name in {UNUSED_BY_THE_AUDIT!r} if name in sys.modules]))
"""


def test_loading_the_apps_for_the_audit_leaves_telegram_drf_and_httpx_unimported():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR, check=True)

    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
