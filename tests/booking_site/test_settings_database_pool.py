"""PostgreSQL connections: a web process keeps a pool of them (opening one per request cost about 2 ms of CPU
per booking) and so does the gRPC server, a Celery worker or a command opens one as it goes, and
DATABASE_POOL_MAX_SIZE decides for both."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = ("import json, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'booking_site.settings'); "
        "{entry}from django.conf import settings; db = settings.DATABASES['default']; "
        "print(json.dumps({{'pool': db['OPTIONS'].get('pool'), 'max_age': db['CONN_MAX_AGE'], "
        "'checks': db['CONN_HEALTH_CHECKS']}}))")


def database_settings(tmp_path, *, web: bool, argv: tuple[str, ...] = (), **overrides) -> dict:
    """The default database's settings as a process started like the web server (importing the ASGI
    application) or like a worker (not importing it) sees them; `argv`, its command line's arguments."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_POOL_MAX_SIZE", "SERVES_HTTP", "TESTING"}}
    env.update({"DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic", "VAR_DIR": str(tmp_path), **overrides})
    code = SHOW.format(entry="import booking_site.asgi; " if web else "")
    result = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_pools_its_connections_and_checks_each_before_use(tmp_path):
    db = database_settings(tmp_path, web=True)
    assert db["pool"]["max_size"] == 8 and db["max_age"] == 0 and db["checks"] is True
    assert db["pool"]["timeout"] == 2.0  # then the API answers 503 with Retry-After (tests/faults)


def test_the_grpc_server_pools_its_connections_like_a_web_process(tmp_path):
    assert database_settings(tmp_path, web=False, argv=("grpcserver",))["pool"]["max_size"] == 8
    assert database_settings(tmp_path, web=False, argv=("migrate",))["pool"] is None


def test_a_worker_opens_its_connection_without_a_pool(tmp_path):
    assert database_settings(tmp_path, web=False, DATABASE_CONN_MAX_AGE="60") == {
        "pool": None, "max_age": 60, "checks": True}


def test_the_pool_size_set_for_the_deployment_wins_in_both(tmp_path):
    assert database_settings(tmp_path, web=True, DATABASE_POOL_MAX_SIZE="0")["pool"] is None
    assert database_settings(tmp_path, web=False, DATABASE_POOL_MAX_SIZE="3")["pool"]["max_size"] == 3
    assert database_settings(tmp_path, web=True, DATABASE_POOL_MAX_SIZE="")["pool"]["max_size"] == 8
