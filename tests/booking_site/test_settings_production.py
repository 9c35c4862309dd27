"""Production start-up: clear refusals for missing secrets, and a clean `check --deploy`."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
                                                           "DATABASE_URL", "TESTING", "REDIS_URL"}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_production_without_secret_key_stops_naming_it(tmp_path):
    result = run({"DEBUG": "0", "ALLOWED_HOSTS": "clinic.example", "VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_stops_naming_it(tmp_path):
    result = run({"DEBUG": "0", "SECRET_KEY": "x" * 60, "VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_bot_token_in_production_needs_the_webhook_secret(tmp_path):
    result = run({"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "clinic.example",
                  "VAR_DIR": str(tmp_path), "BOT_TOKEN": "123:abc"}, "check")
    assert result.returncode != 0
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr


def test_check_deploy_is_clean_with_just_the_required_variables(tmp_path):
    secret = "k9$" + "Zq7!mW2#pL5@vN8^" * 4
    result = run({"DEBUG": "0", "SECRET_KEY": secret, "ALLOWED_HOSTS": "clinic.example",
                  "VAR_DIR": str(tmp_path)}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_logs_json_lines_and_development_readable_ones(tmp_path):
    import json

    say = ("-v", "0", "-c", "import logging; logging.getLogger('clinic').warning('call %s', '+79991234567')")
    production = run({"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "clinic.example",
                      "VAR_DIR": str(tmp_path)}, "shell", *say)
    development = run({"DEBUG": "1", "VAR_DIR": str(tmp_path)}, "shell", *say)

    entries = [json.loads(line) for line in production.stderr.splitlines() if line.startswith("{")]
    said = [e for e in entries if e["logger"] == "clinic"]
    assert said and said[0]["message"] == "call +7******4567" and said[0]["request_id"] == "-", production.stderr
    assert {"time", "level", "logger", "message", "request_id"} <= set(said[0])
    line = next(line for line in development.stderr.splitlines() if " clinic " in line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ WARNING clinic \[-\] call \+7\*{6}4567", line), line
