"""Reminders at scale: 1,000 due reminders sent by a real Celery worker to a fake Bot API that enforces
Telegram's flood limits (429 with retry_after over 30 messages/s per bot or 1 message/s per chat; see
bench/fake_telegram.py). The benchmark empties the broker of tasks earlier runs left, queues the reminders
sweep once and waits until every reminder has been delivered. Prints one JSON line: seconds to deliver, send
rate, 429s in total and after the first seconds (once the pacing has settled), and delivery outcomes.

    .venv/bin/python bench/reminders.py              # SQLite, filesystem broker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/reminders.py"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from common import BIN, ROOT, bench_environment, django_setup, emit, load_average, vendor
from fake_telegram import FakeTelegram

SETTLE_SECONDS = 3.0


def build(count: int, chats: int) -> None:
    from django.utils import timezone

    from accounts.models import TelegramAccount
    from equipment.models import EquipmentBooking, Item

    now = timezone.now()
    made = now - timedelta(days=3)
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    item = Item.objects.create(name="Аппарат ЭКГ", quantity=count)
    accounts = TelegramAccount.objects.bulk_create([
        TelegramAccount(telegram_id=5_000_000 + n, username=f"user{n}", first_name="Иван", language_code="ru")
        for n in range(chats)])
    EquipmentBooking.objects.bulk_create([
        EquipmentBooking(item=item, units=1, start_date=tomorrow, end_date=tomorrow, status="approved", channel="bot",
                         requester=accounts[n % chats], client_name="Иван Петров", client_phone="+79990000000",
                         decided_at=made, created_at=made, updated_at=made) for n in range(count)], batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=1000, help="distinct users (several reminders each if fewer)")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    with FakeTelegram(limits=True) as fake, bench_environment("reminders") as env:
        bots = {"TELEGRAM_API_URL": fake.url, "EQUIPMENT_BOT_TOKEN": "111:equipment", "CABINET_BOT_TOKEN": "",
                "REMINDER_HOURS_BEFORE": "48"}
        os.environ.update(bots)
        os.chdir(env["VAR_DIR"])  # kombu's filesystem transport keeps its control files in the working folder
        django_setup()
        build(args.reminders, args.chats)
        from django.conf import settings
        from django.db.models import Count

        from booking_site.celery import app
        from integrations.models import Delivery

        # Tasks another run left in this broker (a server's hand-offs with no worker to take them) would be
        # taken first and delay the reminders: they are for databases that are gone.
        stale = app.control.purge()
        worker_env = {**env, **bots, "PYTHONPATH": str(ROOT)}
        log = Path(env["VAR_DIR"]) / "worker.log"
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "booking_site", "worker", "--loglevel", "WARNING", "--concurrency", "2",
             "--pool", "threads", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=env["VAR_DIR"], env=worker_env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        try:
            time.sleep(3)  # let the worker connect before the clock starts
            started_wall = time.time()
            started = time.monotonic()
            app.send_task("integrations.reminders.send_due")
            sent = 0
            while time.monotonic() - started < args.timeout:
                sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
                if sent >= args.reminders or worker.poll() is not None:
                    break
                time.sleep(0.5)
            seconds = time.monotonic() - started
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
        stats = fake.stats()
        accepted, limited = stats["sent"], stats["limited"]
        first = min(accepted) if accepted else started_wall
        outcomes = {row["status"]: row["n"] for row in Delivery.objects.values("status").annotate(n=Count("id"))}
        span = (max(accepted) - first) if len(accepted) > 1 else 0
        figures = {
            "load_average": load_average(), "database": vendor(), "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
            "reminders": args.reminders, "chats": args.chats, "delivered": sent, "seconds": round(seconds, 1),
            "stale_tasks_purged": stale,
            "first_send_after_s": round(first - started_wall, 1) if accepted else None,
            "send_rate_per_s": round(len(accepted) / span, 1) if span else None,
            "ratio_to_30_per_s": round(len(accepted) / span / 30, 2) if span else None,
            "pacer_per_s": settings.TELEGRAM_MAX_PER_SECOND,
            "http_429": len(limited), "http_429_after_settling": sum(1 for t in limited if t > first + SETTLE_SECONDS),
            "deliveries": outcomes,
        }
        figures["targets"] = {"all_delivered": sent >= args.reminders,
                              "le_45s": seconds <= 45 and sent >= args.reminders,
                              "no_429_after_settling": figures["http_429_after_settling"] == 0}
        emit("reminders", figures)


if __name__ == "__main__":
    main()
