"""The compose file and .env.example agree with the settings: every variable the settings read reaches the
containers and is explained in .env.example; the compose file is valid as written (when Debian's
docker-compose is installed, as in CI)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Set by docker-compose.yml itself (or only meaningful in development and tests).
SET_BY_COMPOSE = {"DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VAR_DIR", "WORKER_METRICS_PORT",
                  "TESTING"}


def settings_variables() -> set[str]:
    source = (ROOT / "booking_site" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\("([A-Z][A-Z0-9_]*)"', source))
    names |= {first for first in re.findall(r'_first_of\("([A-Z][A-Z0-9_]*)"', source)}
    return names - SET_BY_COMPOSE


def env_example() -> dict[str, bool]:
    """Variable -> whether a comment explains it (the line above is a comment)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    found = {}
    for number, line in enumerate(lines):
        match = re.match(r"([A-Z][A-Z0-9_]*)=", line)
        if match:
            above = lines[number - 1] if number else ""
            found[match.group(1)] = above.startswith("#") or re.match(r"[A-Z][A-Z0-9_]*=", above) is not None
    return found


def test_every_setting_is_in_env_example_with_a_comment_and_reaches_the_containers():
    example = env_example()
    compose = (ROOT / "docker-compose.yml").read_text()
    app_environment = yaml.safe_load(compose)["x-app"]["environment"]
    missing = settings_variables() - set(example)
    uncommented = {name for name, explained in example.items() if not explained}
    not_passed = settings_variables() - set(app_environment)
    assert not missing and not uncommented and not not_passed, (missing, uncommented, not_passed)
    assert set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose)) <= set(example)


def test_the_services_wait_for_healthy_databases_and_migrate_once():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"healthcheck"} <= set(services["postgres"]) and {"healthcheck"} <= set(services["redis"])
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in str(services[name]["command"])
    assert "migrate" in str(services["migrate"]["command"])


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="needs Debian's docker-compose")
def test_the_compose_file_is_valid_with_env_example():
    for profile in ([], ["--profile", "monitoring"]):
        result = subprocess.run(["docker-compose", "--env-file", ".env.example", *profile, "config", "-q"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
