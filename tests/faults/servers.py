"""Private servers for the fault tests, on free loopback ports, each torn down by the test that made it:
a PostgreSQL cluster made with initdb and run with pg_ctl as the postgres user, a redis-server, and the
product's own processes (uvicorn web, Celery worker and beat) pointed at them."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.jobs.processes import CELERY, ROOT, Started, free_port

UVICORN = str(Path(sys.executable).with_name("uvicorn"))


def postgres_bin() -> Path | None:
    """The directory of initdb and pg_ctl (Debian keeps them under /usr/lib/postgresql/<version>/bin)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for directory in [*reversed(candidates), *(str(Path(w).parent) for w in [shutil.which("pg_ctl")] if w)]:
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    return None


def missing_tools() -> str | None:
    """Why the private servers cannot be started here, or None."""
    if postgres_bin() is None:
        return "needs PostgreSQL's initdb and pg_ctl to start a private cluster"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root needs runuser to run initdb as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root needs a postgres user to run initdb"
    if shutil.which("redis-server") is None:
        return "needs redis-server to start a private Redis"
    return None


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Processes(Started):
    """Started processes, stopped without waiting long: SIGTERM to each, then SIGKILL to what is left after
    a couple of seconds (a worker in the middle of a long sweep would otherwise finish it first)."""

    def stop_one(self, process: subprocess.Popen) -> None:
        self._stop([process])

    def stop(self) -> None:
        self._stop([process for process, _log in reversed(self.processes)])

    @staticmethod
    def _stop(processes: list[subprocess.Popen], grace: float = 2.0) -> None:
        alive = [p for p in processes if p.poll() is None]
        for process in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in alive:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


class PrivatePostgres:
    """A throw-away cluster in a temporary directory: TCP on 127.0.0.1:<free port>, its socket in the same
    directory, trust authentication, durability off (nothing here needs to survive a power cut)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *argv], capture_output=True, text=True, timeout=timeout,
                              cwd=self.root)

    def _pg_ctl(self, action: str, *extra: str) -> subprocess.CompletedProcess:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        return self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                         "-o", options, action, *extra)

    def init(self) -> PrivatePostgres:
        done = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        assert done.returncode == 0, done.stdout + done.stderr
        return self.start()

    def start(self) -> PrivatePostgres:
        done = self._pg_ctl("start")
        assert done.returncode == 0, done.stdout + done.stderr + self.log_tail()
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self) -> None:
        """Stop (disconnecting every client) and start again on the same port."""
        self.stop("fast")
        self.start()

    def running(self) -> bool:
        return self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "status").returncode == 0

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database,
                               autocommit=True, connect_timeout=5)

    def execute(self, statement: str, database: str = "postgres") -> None:
        with self.connect(database) as conn:
            conn.execute(statement)


class PrivateRedis:
    """redis-server on a free port, stopped and started again on the same port by the test."""

    def __init__(self, started: Started, log_dir: Path):
        self.started, self.log_dir = started, log_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = self.started.start(f"redis-{time.monotonic_ns()}", [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            os.environ.copy(), self.log_dir)
        wait_until(lambda: port_open(self.port), timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.started.stop_one(self.process)
            self.process = None


class Product:
    """The product's processes for one test: web, worker and beat on one database, one broker."""

    def __init__(self, started: Started, tmp: Path, *, database_url: str, bot_api_url: str,
                 redis_url: str | None = None, **settings: str):
        self.started, self.tmp = started, tmp
        env = {k: v for k, v in os.environ.items()
               if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TESTING", "VAR_DIR", "CI"}}
        env.update({
            "VAR_DIR": str(tmp / "var"), "DATABASE_URL": database_url, "TELEGRAM_API_URL": bot_api_url,
            "EQUIPMENT_BOT_TOKEN": "1111:equipment-token", "CABINET_BOT_TOKEN": "2222:cabinet-token",
            "TELEGRAM_WEBHOOK_SECRET": "test-webhook-secret", "MANAGERS": "9001,9002,9003",
            "AXES_ENABLED": "0", "PYTHONUNBUFFERED": "1", "DELIVERY_BACKOFF_SECONDS": "1",
            "CELERY_BROKER_URL": redis_url or "filesystem://",
        })
        if redis_url:
            env["REDIS_URL"] = redis_url
        env.update(settings)
        self.env = env
        self.web_url = ""
        self.worker: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start(self) -> str:
        """Web, worker and beat, started together; returns the web's base URL once all are up."""
        port = free_port()
        self.started.start("web", [UVICORN, "booking_site.asgi:application", "--host", "127.0.0.1", "--port",
                                   str(port), "--lifespan", "off", "--no-access-log"], self.env, self.tmp)
        self.web_url = f"http://127.0.0.1:{port}"
        self.worker = self._launch_worker("worker")
        self.start_beat()

        def healthy():
            try:
                return httpx.get(f"{self.web_url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=40, interval=0.2, what="the web process")
        self._wait_ready("worker")
        return self.web_url

    def _launch_worker(self, name: str) -> subprocess.Popen:
        return self.started.start(name, [
            CELERY, "-A", "booking_site", "worker", "--loglevel", "INFO", "--concurrency", "2", "--pool", "threads",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"{name}@faults"],
            self.env, self.tmp)

    def _wait_ready(self, name: str) -> None:
        log = self.tmp / f"{name}.log"
        wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=40, interval=0.2,
                   what=f"the Celery {name} ({log})")

    def start_worker(self, name: str) -> subprocess.Popen:
        """Another worker (after the first one died)."""
        self.worker = self._launch_worker(name)
        self._wait_ready(name)
        return self.worker

    def start_beat(self) -> subprocess.Popen:
        return self.started.start("beat", [
            CELERY, "-A", "booking_site", "beat", "--loglevel", "INFO", "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler", "--schedule", str(self.tmp / "beat-schedule")],
            self.env, self.tmp)

    def kill_worker(self) -> None:
        """SIGKILL, no goodbye: what the kernel's OOM killer or a lost machine does."""
        assert self.worker is not None and self.worker.poll() is None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)


SEED = """
import json
from datetime import time
from django.core.management import call_command
call_command("migrate", "--noinput", verbosity=0)
from accounts.services import managers_bootstrap
from tests import factories
managers_bootstrap()
ultrasound = factories.ItemFactory(name="Аппарат УЗИ", quantity=3)
ecg = factories.ItemFactory(name="ЭКГ аппарат", quantity=2)
cabinet = factories.with_week(factories.CabinetFactory(name="Кабинет 3"), opens=time(9), closes=time(21))
_partner, key = factories.partner_with_key(name="ClinicCRM", rate_limit=1000)
print(json.dumps({"ultrasound": ultrasound.pk, "ecg": ecg.pk, "cabinet": cabinet.pk, "key": key}))
"""


def seed_template(cluster: PrivatePostgres, tmp: Path, database: str) -> dict:
    """Migrate and seed `database` once; tests copy it (CREATE DATABASE … TEMPLATE) in a fraction of a second."""
    cluster.execute(f'CREATE DATABASE "{database}"')
    product = Product(Processes(), tmp, database_url=cluster.url(database), bot_api_url="http://127.0.0.1:9")
    out = product.manage("shell", "-c", SEED).stdout
    return json.loads(out.strip().splitlines()[-1])
