"""What the benchmarks share: a database of their own, Django set up on it, the web server under test
(gunicorn with 2 gthread workers on a free loopback port), a small HTTP load generator, CPU accounting and
the one JSON line each benchmark prints.

With DATABASE_URL pointing at PostgreSQL a benchmark creates its own database on that server (named
bench_<name>_<pid>) and drops it at the end; it never drops a database it did not create. Without it, a
SQLite file in a temporary VAR_DIR is used."""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def emit(name: str, figures: dict) -> None:
    print(json.dumps({"bench": name, **figures}, ensure_ascii=False), flush=True)


def nearest_rank(ordered: list[float], quantile: float) -> float:
    """The nearest-rank quantile of sorted samples: the smallest sample with at least `quantile` of all
    samples at or below it."""
    return ordered[max(1, math.ceil(quantile * len(ordered))) - 1]


def percentiles(timings_ms: list[float]) -> dict:
    """p50 and p99 by nearest rank, the maximum and the sample count. A p99 needs at least 100 samples (with
    fewer it is the maximum): below that p99_ms is None and only max_ms says how slow the slowest call was."""
    if not timings_ms:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "samples": 0}
    ordered = sorted(timings_ms)
    p99 = nearest_rank(ordered, 0.99) if len(ordered) >= 100 else None
    return {"p50_ms": round(nearest_rank(ordered, 0.5), 1), "p99_ms": None if p99 is None else round(p99, 1),
            "max_ms": round(ordered[-1], 1), "samples": len(ordered)}


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (it is shared: other work competes for the cores)."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def bench_environment(name: str):
    """Point DATABASE_URL at a new database of this benchmark (created here, dropped here) and VAR_DIR at a
    new temporary folder; yield the environment for child processes."""
    var_dir = tempfile.mkdtemp(prefix=f"bench-{name}-")
    base = _postgres_url()
    env = {**os.environ, "VAR_DIR": var_dir, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
           "DJANGO_SETTINGS_MODULE": "booking_site.settings", "PYTHONUNBUFFERED": "1"}
    env.pop("TESTING", None)
    created = None
    if base:
        import psycopg

        created = f"bench_{name}_{os.getpid()}"
        parts = urlsplit(base)
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + created))
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    names = ("VAR_DIR", "DATABASE_URL", "LOG_LEVEL", "DJANGO_SETTINGS_MODULE")
    previous = {k: os.environ.get(k) for k in names}
    os.environ.update({k: env[k] for k in names})
    try:
        yield env
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if created:
            import psycopg

            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def django_setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def process_group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by one process and its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def server_app(root: Path) -> tuple[str, ...]:
    """The application and worker arguments of gunicorn in the `web` line of `root`'s Procfile (what the
    Procfile, docker-compose.yml and the Dockerfile run: tests/deployment/test_deployment_files.py), up to its
    --bind: so a benchmark run from an older checkout serves that checkout the way it was deployed."""
    for line in (root / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            words = line.split()[1:]
            return tuple(words[1:words.index("--bind")])
    raise LookupError(f"no web line in {root / 'Procfile'}")


SERVER_APP = server_app(ROOT)


class Server:
    """gunicorn with `workers` threaded (gthread) workers serving the product on a free loopback port."""

    def __init__(self, env: dict, *, workers: int = 2, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "DEBUG": "0", "SECRET_KEY": "bench-only-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
                    "SECURE_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "bench.settings", **(extra_env or {})}
        self.log = Path(env["VAR_DIR"]) / f"gunicorn-{self.port}.log"
        self.argv = [str(BIN / "gunicorn"), *SERVER_APP,
                     "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "60",
                     "--no-control-socket", "--log-level", "warning"]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        handle = self.log.open("w")
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                status, _ = request(self.url, "GET", "/healthz")
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def cpu(self) -> float:
        return process_group_cpu(self.process.pid)

    def workers(self) -> list[int]:
        """The pids of the live worker processes (children of the gunicorn master)."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry))
        return sorted(pids)

    def warm(self, make_request, *, headers: dict | None = None, client_headers: list[dict] | None = None,
             cpu_s: float = 0.05, min_requests: int = 16, rounds: int = 30) -> dict:
        """Send requests until every worker has served some: each round opens `2 x workers` new connections
        at once (gunicorn hands each to whichever worker accepts it first), and warming stops once every
        worker has used at least `cpu_s` of CPU since the server came up (an idle worker uses next to none;
        its first requests import and build what the endpoint needs) and `min_requests` were sent. Returns how
        many workers were warmed."""
        workers = self.workers()
        start = {pid: process_cpu(pid) for pid in workers}
        sent = 0
        for _round in range(rounds):
            warmed = [pid for pid in workers if process_cpu(pid) - start[pid] >= cpu_s]
            if len(warmed) == len(workers) and sent >= min_requests:
                break
            batch = 2 * max(len(workers), 1)
            threads = [threading.Thread(target=_one_request, daemon=True, args=(
                self.url, make_request(sent + i), (client_headers[(sent + i) % len(client_headers)]
                                                   if client_headers else headers)))
                       for i in range(batch)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            sent += batch
        warmed = [pid for pid in workers if process_cpu(pid) - start[pid] >= cpu_s]
        return {"workers": len(workers), "warmed": len(warmed), "requests": sent}


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, base_url: str, headers: dict | None = None, timeout: float = 30):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.headers = headers or {}

    def call(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        all_headers = {**self.headers, **(headers or {})}
        if payload is not None:
            all_headers.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=payload, headers=all_headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def _one_request(base_url: str, call: tuple, headers: dict | None) -> None:
    method, path, body = call
    try:
        request(base_url, method, path, body, headers)
    except OSError:
        pass


def request(base_url: str, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, bytes]:
    client = Client(base_url, headers, timeout=10)
    try:
        return client.call(method, path, body)
    finally:
        client.close()


def load(server: Server, make_request, *, clients: int, total: int, seconds: float, headers: dict | None = None,
         client_headers: list[dict] | None = None):
    """Send `total` requests from `clients` threads (each with its own connection) or stop after `seconds`.
    make_request(n) -> (method, path, body); client i sends `client_headers[i]` when given (each its own
    partner's key, say), else `headers`. Returns latencies (ms), statuses, wall seconds, and the CPU shares
    of the load generator and of the server."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + seconds

    def run(index):
        client = Client(server.url, client_headers[index % len(client_headers)] if client_headers else headers)
        try:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                method, path, body = make_request(n)
                started = time.perf_counter()
                try:
                    status, _ = client.call(method, path, body)
                except OSError:
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    server_cpu, own_cpu, started = server.cpu(), time.process_time(), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.monotonic() - started
    own_cpu, server_cpu = time.process_time() - own_cpu, server.cpu() - server_cpu
    return {"latencies": latencies, "statuses": statuses, "seconds": wall, "loadgen_cpu_s": own_cpu,
            "server_cpu_s": server_cpu}


def cpu_figures(run: dict) -> dict:
    """The load generator's share of the CPU used by generator + server, and of the machine's cores."""
    used = run["loadgen_cpu_s"] + run["server_cpu_s"]
    count = max(len(run["latencies"]), 1)
    return {"loadgen_cpu_share": round(run["loadgen_cpu_s"] / used, 2) if used else None,
            "loadgen_cores": round(run["loadgen_cpu_s"] / run["seconds"], 2) if run["seconds"] else None,
            "server_cpu_ms_per_request": round(run["server_cpu_s"] * 1000 / count, 1),
            "server_cores": round(run["server_cpu_s"] / run["seconds"], 2) if run["seconds"] else None}
