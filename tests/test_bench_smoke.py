"""Each benchmark in bench/ still runs: tiny sizes, SQLite and the filesystem broker, and one JSON line with
the figures the README and bench/RESULTS.md quote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(240)


def run_bench(name: str, *args: str, timeout: float = 180) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                                                             "TESTING", "VAR_DIR", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0])
    assert figures["bench"] == name
    return figures


def test_the_availability_bench_measures_calculators_the_naive_loop_and_http():
    figures = run_bench("availability", "--cabinets", "2", "--cabinet-days", "2", "--items", "3", "--item-days", "3",
                        "--bookings-per-item", "3", "--bulk-items", "2", "--repeat", "2", "--http-grid", "3",
                        "--http-single", "6")
    assert all(row["queries"] <= 5 for row in figures["calculator"].values())
    assert figures["naive_loop"]["equipment_grid"]["queries"] == 3 * 3
    assert {"grid", "bulk", "cabinet_day", "item_day"} <= set(figures["http"])
    assert all(set(row["statuses"]) == {"200"} for row in figures["http"].values())


def test_the_race_bench_finds_one_winner_with_the_lock_and_more_without():
    figures = run_bench("race", "--clients", "3", "--repeat", "1", "--hot-bookings", "8", "--hot-seconds", "5",
                        "--pause", "0.05")
    locked = figures["locked"]["n3"]
    assert locked["equipment_last_unit"]["one_winner_runs"] == 1
    assert locked["cabinet_slot"]["one_winner_runs"] == 1
    assert figures["hot_item"]["bookings"] == 8
    assert "lock_disabled" in figures


def test_the_webhook_bench_answers_every_update():
    figures = run_bench("webhook", "--updates", "20", "--users", "10", "--clients", "2")
    assert figures["statuses"] == {"200": 20}
    assert figures["replies"] >= 20 - figures["repeated_updates"]


def test_the_reminders_bench_delivers_every_reminder_through_a_worker():
    figures = run_bench("reminders", "--reminders", "10", "--chats", "10", "--timeout", "60")
    assert figures["delivered"] == 10
    assert figures["http_429_after_settling"] == 0


def test_the_audit_bench_builds_a_workbook():
    figures = run_bench("audit", "--bookings", "200")
    assert figures["sizes"]["200"]["rows"]["equipment_bookings"] == 140
