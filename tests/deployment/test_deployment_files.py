"""The compose file and .env.example agree with the settings: every variable the settings read reaches the
containers and is explained in .env.example; the compose file is valid as written (when Debian's
docker-compose is installed, as in CI)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# Set by docker-compose.yml itself (or only meaningful in development and tests).
SET_BY_COMPOSE = {"DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VAR_DIR", "WORKER_METRICS_PORT",
                  "GRPC_METRICS_PORT", "TESTING"}


def settings_variables() -> set[str]:
    """The variables read by the settings module and the parts it is built from (booking_site/settings_parts/)."""
    source = "\n".join(path.read_text() for path in [ROOT / "booking_site" / "settings.py",
                                                     *sorted((ROOT / "booking_site" / "settings_parts").glob("*.py"))])
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


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments left out."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_the_image_runs_as_an_unprivileged_user_that_owns_only_var():
    instructions = dockerfile_instructions()
    users = [(number, arguments) for number, (name, arguments) in enumerate(instructions) if name == "USER"]
    assert users, "the Dockerfile has no USER: the processes would run as root"
    number, user = users[-1]
    assert user.split(":")[0] not in {"root", "0"}
    assert all(name != "RUN" for name, _arguments in instructions[number:])  # nothing after USER runs as root
    runs = " ".join(arguments for name, arguments in instructions if name == "RUN")
    uid = re.search(rf"useradd [^&]*--uid (\d+) [^&]*\b{user}\b", runs)
    assert uid and int(uid.group(1)) >= 1000, "the user is created with a fixed, unprivileged uid"
    assert re.search(rf"chown -R {user}:{user} /app/var\b", runs)  # var/ (and the static files in it)
    assert not re.search(r"chown[^&]* /app(\s|$)", runs)  # the code stays read-only to the app

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name].get("user") in (None, user), name
        assert {"var:/app/var", "static:/app/var/static"} <= set(services[name]["volumes"]), name
    # Volumes written while the image ran as root are handed to the user before anything else starts.
    owner = services["var-owner"]
    assert owner["user"] == "root" and owner["command"] == ["chown", "-R", f"{user}:{user}", "/app/var"]
    assert set(owner["volumes"]) == set(services["web"]["volumes"])
    assert services["migrate"]["depends_on"]["var-owner"]["condition"] == "service_completed_successfully"
    root_services = {name for name, service in services.items() if str(service.get("user", "")) in {"root", "0"}}
    assert root_services == {"var-owner"}


def test_the_procfile_compose_dockerfile_and_benchmarks_serve_the_same_application_the_same_way():
    import ast

    from bench.common import SERVER_APP

    served = " ".join(SERVER_APP)
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    compose = " ".join(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"].split())
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    dockerfile = " ".join(ast.literal_eval(cmd))
    assert served == "booking_site.wsgi:application -k gthread --threads 4"
    for command in (procfile["web"], compose, dockerfile):
        assert command.startswith(f"gunicorn {served} --bind 0.0.0.0:"), command
