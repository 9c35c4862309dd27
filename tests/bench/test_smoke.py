"""Each benchmark in bench/ still runs: tiny sizes, SQLite and the filesystem broker, and one JSON line with
the figures the README and bench/RESULTS.md quote. The race benchmark also runs small on PostgreSQL, where
its negative control (the lock switched off) must oversell and the normal run must not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


def run_bench(name: str, *args: str, timeout: float = 180, database_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                                                             "TESTING", "VAR_DIR", "DJANGO_SETTINGS_MODULE"}}
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py"), *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    figures = json.loads(lines[0])
    assert figures["bench"] == name
    return figures


def maintenance_database(url: str) -> str:
    """The server's `postgres` database: the benchmark creates (and drops) its own next to it, and the
    database named in DATABASE_URL need not exist (pytest-django only creates test_<name>)."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def test_the_availability_bench_measures_calculators_the_naive_loop_and_http():
    figures = run_bench("availability", "--cabinets", "2", "--cabinet-days", "2", "--items", "3", "--item-days", "3",
                        "--bookings-per-item", "3", "--bulk-items", "2", "--repeat", "2", "--http-grid", "3",
                        "--http-single", "6")
    assert all(row["queries"] <= 5 for row in figures["calculator"].values())
    assert figures["naive_loop"]["equipment_grid"]["queries"] == 3 * 3
    assert all(row["answers_equal"] for row in figures["baselines"].values())
    assert {"grid", "bulk", "cabinet_day", "item_day"} <= set(figures["http"])
    assert all(set(row["statuses"]) == {"200"} for row in figures["http"].values())


def test_the_race_bench_finds_one_winner_with_the_lock_and_more_without():
    figures = run_bench("race", "--clients", "3", "--repeat", "1", "--hot-bookings", "8", "--hot-seconds", "5",
                        "--pause", "0.05", "--spread-items", "4")
    locked = figures["locked"]["n3"]
    assert locked["equipment_last_unit"]["one_winner_runs"] == 1
    assert locked["cabinet_slot"]["one_winner_runs"] == 1
    assert figures["hot_item"]["bookings"] == 8
    assert "lock_disabled" in figures


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_on_postgres_the_race_bench_oversells_without_the_lock_and_never_with_it():
    """Six racers of three kinds (each its own partner, Telegram manager or admin) on PostgreSQL: with the lock
    every race has one winner; with it switched off the last unit is sold more than once."""
    figures = run_bench("race", "--clients", "6", "--repeat", "2", "--pause", "0.05", "--hot-clients", "4",
                        "--hot-bookings", "8", "--hot-seconds", "2", "--spread-items", "4", "--pgbench-seconds", "1",
                        timeout=110, database_url=maintenance_database(os.environ["DATABASE_URL"]))
    assert figures["database"] == "postgresql"
    locked = figures["locked"]["n6"]["equipment_last_unit"]
    assert (locked["runs"], locked["one_winner_runs"], locked["errors"]) == (2, 2, 0)
    assert set(locked["winners_by_kind"]) <= {"api", "bot", "admin"}
    assert figures["invariants"] == {"overbooked_item_days": 0, "overlapping_cabinet_pairs": 0}
    unlocked = figures["lock_disabled"]["n6"]["equipment_last_unit"]
    assert unlocked["max_winners"] > 1, unlocked
    assert figures["targets"]["negative_control_oversold"] is True
    assert figures["partners"] == 4  # racers 0, 2, 3 and 4 book through the partner API with keys of their own
    assert figures["hot_item"]["partners"] == 4
    assert figures["hot_item"]["warm_up"]["warmed"] == figures["hot_item"]["warm_up"]["workers"] == 2
    assert figures["hot_item"]["hot_to_spread_ratio"] > 0


def test_the_webhook_bench_answers_every_update():
    figures = run_bench("webhook", "--updates", "20", "--users", "10", "--clients", "2")
    assert figures["statuses"] == {"200": 20}
    assert figures["replies"] >= 20 - figures["repeated_updates"]
    assert figures["p99_ms"] is None and figures["max_ms"] >= figures["p50_ms"]  # 20 samples give no p99
    assert figures["server_cpu_ms_per_request"] > 0


def test_the_reminders_bench_delivers_every_reminder_through_a_worker():
    figures = run_bench("reminders", "--reminders", "10", "--chats", "10", "--timeout", "60")
    assert figures["delivered"] == 10
    assert figures["http_429_after_settling"] == 0


def test_the_audit_bench_builds_a_workbook():
    figures = run_bench("audit", "--bookings", "200")
    assert figures["sizes"]["200"]["rows"]["equipment_bookings"] == 140


def test_the_grpc_bench_asks_both_doors_the_same_bulk_question_and_gets_the_same_answer():
    figures = run_bench("grpc", "--items", "3", "--days", "3", "--bookings-per-item", "3", "--calls", "5",
                        "--warm-up", "1")
    assert figures["answers_equal"] is True and figures["cells"] == 3 * 3
    assert figures["rest"]["samples"] == figures["grpc"]["samples"] == 5
    assert figures["grpc"]["answer_bytes"] < figures["rest"]["answer_bytes"]


def test_percentiles_are_by_nearest_rank_and_p99_needs_a_hundred_samples():
    from bench.common import percentiles

    assert percentiles([float(n) for n in range(1, 31)]) == {"p50_ms": 15.0, "p99_ms": None, "max_ms": 30.0,
                                                             "samples": 30}
    hundred_and_one = percentiles([float(n) for n in range(1, 202)])
    assert (hundred_and_one["p50_ms"], hundred_and_one["p99_ms"], hundred_and_one["max_ms"]) == (101.0, 199.0, 201.0)


def test_an_older_commit_is_unpacked_with_this_bench_and_served_the_way_its_procfile_ran_it(tmp_path):
    from bench.common import server_app
    from bench.compare import unpack

    found = subprocess.run(["git", "-C", str(ROOT), "log", "--format=%h", "--reverse", "-S", "web: gunicorn",
                            "--", "Procfile"], capture_output=True, text=True)
    if found.returncode or not found.stdout.split():
        pytest.skip("this checkout has no history of its Procfile")
    old = unpack(found.stdout.split()[0], tmp_path)
    assert (old / "bench" / "compare.py").read_text() == (ROOT / "bench" / "compare.py").read_text()
    assert (old / ".venv").resolve() == (ROOT / ".venv").resolve()
    procfile_web = next(line for line in (old / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert procfile_web.startswith("web: gunicorn " + " ".join(server_app(old)) + " --bind")
