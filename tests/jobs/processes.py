"""Running the product's real processes (manage.py, a Celery worker, beat, redis-server) from tests, each in
its own temporary VAR_DIR and SQLite file, and stopping exactly the processes a test started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

SETUP_DUE_REMINDER = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks
from accounts.models import TelegramAccount
from kernel.channels import Actor, Channel
from equipment.models import Item
from equipment.services import equipment_booking_approve, equipment_booking_create

now = timezone.now()
made = now - timedelta(days=3)  # made well before its reminder time
tomorrow = timezone.localdate(now) + timedelta(days=1)
item = Item.objects.create(name="Аппарат ЭКГ", quantity=2)
account = TelegramAccount.objects.create(telegram_id=4242, username="specialist", language_code="ru")
staff = get_user_model().objects.create(username="manager", is_staff=True)
booking = equipment_booking_create(item=item, start_date=tomorrow, client_name="Иван Петров",
                                   client_phone="+79991234567", actor=Actor.telegram(account),
                                   channel=Channel.BOT, now=made)
equipment_booking_approve(booking=booking, actor=Actor.staff(staff), now=made)
# Beat runs the reminders sweep every few minutes; make its next run due now.
PeriodicTask.objects.filter(name="reminders: queue due reminders").update(last_run_at=now - timedelta(hours=1))
PeriodicTasks.update_changed()
print("booking", booking.pk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(var_dir: Path, *, bot_api_url: str, broker: str | None = None, redis_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TESTING", "VAR_DIR"}}
    env.update({
        "VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        "TELEGRAM_API_URL": bot_api_url, "EQUIPMENT_BOT_TOKEN": "111:equipment", "CABINET_BOT_TOKEN": "222:cabinet",
        "TELEGRAM_WEBHOOK_SECRET": "test-webhook-secret",
        "REMINDER_HOURS_BEFORE": "48", "PYTHONUNBUFFERED": "1",
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


class Started:
    """Processes started by a test; `stop()` ends each of them (and only them) by its own process group."""

    def __init__(self):
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str], env: dict, log_dir: Path) -> subprocess.Popen:
        log = log_dir / f"{name}.log"
        handle = log.open("w")
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append((process, log))
        return process

    def worker_and_beat(self, env: dict, log_dir: Path) -> None:
        self.start("worker", [CELERY, "-A", "booking_site", "worker", "--loglevel", "INFO", "--concurrency", "2",
                              "--pool", "threads", "--without-gossip", "--without-mingle"], env, log_dir)
        self.start("beat", [CELERY, "-A", "booking_site", "beat", "--loglevel", "INFO", "--scheduler",
                            "django_celery_beat.schedulers:DatabaseScheduler",
                            "--schedule", str(log_dir / "beat-schedule")], env, log_dir)

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _p, log in self.processes)

    def stop_one(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def stop(self) -> None:
        for process, _log in reversed(self.processes):
            self.stop_one(process)


def redis_server(started: Started, port: int, log_dir: Path) -> subprocess.Popen:
    process = started.start(f"redis-{port}-{time.monotonic_ns()}", [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        os.environ.copy(), log_dir)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")
