"""Concurrent bookings through HTTP (gunicorn, 2 uvicorn workers): N partner clients released together by a
barrier book the last unit of an item, or the same cabinet slot, again and again; every answer is counted as
a winner (201), a refusal (409) or an error (anything else). The same races run against a server with the
booking lock switched off (BENCH_DISABLE_LOCKING=1, read only by bench/settings.py): equipment must then be
oversold, which shows the race is real; cabinets still have the database's own overlap guard. Then 8
clients book one item on distinct days (every booking succeeds, all serialised by the item's row lock) for
bookings/s, next to pgbench running the same locked transaction (lock the item row, sum the day's units,
insert) on the same database in the same run. Prints one JSON line.

    .venv/bin/python bench/race.py                  # SQLite (no pgbench ceiling)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/race.py"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import time as wall
from datetime import timedelta

from common import Client, Server, bench_environment, cpu_figures, django_setup, emit, load, percentiles, vendor

PHONE = "+79990001122"


def build(args):
    from django.utils import timezone

    from accounts.services import partner_create
    from booking_site.channels import Actor, Channel
    from cabinets.models import Cabinet, WeeklySchedule
    from equipment.models import Item
    from equipment.services import equipment_booking_create_for_partner

    partner, key = partner_create(name="bench-race", scopes=("read:items", "read:availability", "write:bookings"),
                                  rate_limit_per_minute=1_000_000)
    item = Item.objects.create(name="Последний аппарат", quantity=args.quantity)
    hot = Item.objects.create(name="Горячий аппарат", quantity=1000)
    cabinet = Cabinet.objects.create(name="Кабинет гонок")
    WeeklySchedule.objects.bulk_create([WeeklySchedule(cabinet=cabinet, weekday=d, opens=wall(8), closes=wall(20))
                                        for d in range(7)])
    today, now = timezone.localdate(), timezone.now()
    runs = len(args.clients) * args.repeat * 2
    # Every equipment race has its own day on which all but one unit are already booked.
    for n in range(runs):
        for unit in range(args.quantity - 1):
            equipment_booking_create_for_partner(
                partner=partner, external_booking_id=f"pre-{n}-{unit}", item=item,
                start_date=today + timedelta(days=1 + n), client_name="Ольга", client_phone=PHONE, now=now)
    del Actor, Channel
    return {"key": key, "item": item.pk, "hot": hot.pk, "cabinet": cabinet.pk, "today": today}


def slots(today):
    """Distinct cabinet slots from tomorrow on (one per race), within the 30-day horizon."""
    day = 1
    while True:
        for hour in range(8, 20):
            yield (today + timedelta(days=day)).isoformat(), f"{hour:02d}:00"
        day += 1


def race(server, key, bodies, path) -> Counter:
    barrier = threading.Barrier(len(bodies))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(body):
        client = Client(server.url, {"X-API-Key": key})
        try:
            client.call("GET", "/healthz")  # connect before the barrier
            barrier.wait(timeout=30)
            status, _ = client.call("POST", path, body)
        except Exception:
            status = 0
        finally:
            client.close()
        with lock:
            outcomes["winners" if status == 201 else "refusals" if status == 409 else f"error_{status}"] += 1

    threads = [threading.Thread(target=run, args=(body,), daemon=True) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def races(server, data, args, tag, day_offset, slot_iter) -> dict:
    result = {}
    for n in args.clients:
        equipment = {"runs": 0, "one_winner_runs": 0, "winners": 0, "refusals": 0, "errors": 0, "max_winners": 0}
        cabinet = dict(equipment)
        for rep in range(args.repeat):
            day = (data["today"] + timedelta(days=1 + day_offset + len(result) * args.repeat + rep)).isoformat()
            bodies = [{"item_id": data["item"], "start_date": day, "end_date": day, "units": 1, "client_name": "Иван",
                       "client_phone": PHONE, "external_booking_id": f"{tag}-e-{n}-{rep}-{i}"} for i in range(n)]
            _tally(equipment, race(server, data["key"], bodies, "/api/v1/equipment-bookings"))
            slot_day, hour = next(slot_iter)
            bodies = [{"cabinet_id": data["cabinet"], "starts_at": f"{slot_day}T{hour}", "duration_minutes": 60,
                       "client_name": "Иван", "client_phone": PHONE, "external_booking_id": f"{tag}-c-{n}-{rep}-{i}"}
                      for i in range(n)]
            _tally(cabinet, race(server, data["key"], bodies, "/api/v1/cabinet-bookings"))
        result[f"n{n}"] = {"equipment_last_unit": equipment, "cabinet_slot": cabinet}
    return result


def _tally(row, outcomes: Counter) -> None:
    winners = outcomes.get("winners", 0)
    row["runs"] += 1
    row["one_winner_runs"] += winners == 1
    row["winners"] += winners
    row["refusals"] += outcomes.get("refusals", 0)
    row["errors"] += sum(v for k, v in outcomes.items() if k.startswith("error"))
    row["max_winners"] = max(row["max_winners"], winners)


def hot_item(server, data, args) -> dict:
    def make(index):
        day = data["today"] + timedelta(days=1 + index % 360)
        return "POST", "/api/v1/equipment-bookings", {
            "item_id": data["hot"], "start_date": day.isoformat(), "end_date": day.isoformat(), "units": 1,
            "client_name": "Иван", "client_phone": PHONE, "external_booking_id": f"hot-{index}"}

    run = load(server, make, clients=8, total=args.hot_bookings, seconds=args.hot_seconds,
               headers={"X-API-Key": data["key"]})
    ok = run["statuses"].get(201, 0)
    return {"bookings": ok, "statuses": run["statuses"], "bookings_per_s": round(ok / run["seconds"], 1),
            **percentiles(run["latencies"]), **cpu_figures(run)}


PGBENCH_SCRIPT = """\\set d random(1, 300)
BEGIN;
SELECT id FROM equipment_item WHERE id = {item} FOR UPDATE;
SELECT COALESCE(SUM(units), 0) FROM equipment_equipmentbooking WHERE item_id = {item} AND status IN ('pending', 'approved') AND start_date <= CURRENT_DATE + :d::integer AND end_date >= CURRENT_DATE + :d::integer;
INSERT INTO equipment_equipmentbooking ({columns}) SELECT {values} FROM equipment_equipmentbooking WHERE id = {template};
COMMIT;
"""  # noqa: E501


def pgbench_ceiling(env, item_id: int, seconds: int) -> dict | None:
    """The same locked transaction as a booking, on the same database, 8 clients, prepared statements."""
    if vendor() != "postgresql" or not shutil.which("pgbench"):
        return None
    from django.db import connection
    from django.utils import timezone

    from equipment.models import EquipmentBooking

    now = timezone.now()
    template = EquipmentBooking.objects.create(item_id=item_id, units=1, start_date=now.date(), end_date=now.date(),
                                               status="cancelled", client_name="pgbench", client_phone=PHONE,
                                               created_at=now, updated_at=now)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "equipment_equipmentbooking")
                   if c.name != "id"]
    day = "CURRENT_DATE + :d::integer"
    values = ", ".join("'approved'" if c == "status" else day if c in ("start_date", "end_date")
                       else "NULL" if c in ("external_booking_id", "partner_id", "idempotency_key") else c
                       for c in columns)
    script = PGBENCH_SCRIPT.format(item=item_id, columns=", ".join(columns), values=values, template=template.pk)
    folder = tempfile.mkdtemp(prefix="bench-pgbench-")
    path = os.path.join(folder, "booking.sql")
    with open(path, "w") as handle:
        handle.write(script)
    settings = connection.settings_dict
    pg_env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    argv = ["pgbench", "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", str(seconds), "-f", path,
            "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-U", settings["USER"],
            settings["NAME"]]
    out = subprocess.run(argv, env=pg_env, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"tps = ([\d.]+)", out.stdout)
    if not match:
        return {"error": (out.stdout + out.stderr)[-500:]}
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    return {"tps": float(match.group(1)), "latency_ms": float(latency.group(1)) if latency else None}


def invariants() -> dict:
    """By SQL at the end of the locked runs: units held <= quantity, and no overlapping cabinet bookings."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM (
              SELECT b.item_id, d::date, SUM(b.units) AS used, MIN(i.quantity) AS quantity
              FROM equipment_equipmentbooking b JOIN equipment_item i ON i.id = b.item_id,
                   generate_series(b.start_date, b.end_date, interval '1 day') d
              WHERE b.status IN ('pending', 'approved') AND b.starts_at IS NULL GROUP BY b.item_id, d::date) t
            WHERE used > quantity""")
        overbooked = cursor.fetchone()[0]
        cursor.execute("""
            SELECT count(*) FROM cabinets_cabinetbooking a JOIN cabinets_cabinetbooking b
              ON a.cabinet_id = b.cabinet_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            WHERE a.status IN ('pending', 'approved') AND b.status IN ('pending', 'approved')""")
        overlaps = cursor.fetchone()[0]
    return {"overbooked_item_days": overbooked, "overlapping_cabinet_pairs": overlaps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--quantity", type=int, default=2, help="units of the raced item (all but one pre-booked)")
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between check and write (wider race)")
    parser.add_argument("--hot-bookings", type=int, default=2000)
    parser.add_argument("--hot-seconds", type=float, default=10)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    with bench_environment("race") as env:
        django_setup()
        data = build(args)
        figures = {"database": vendor(), "pause_after_check_s": args.pause, "repeat": args.repeat}
        slot_iter = slots(data["today"])
        with Server(env, extra_env={"BENCH_PAUSE_AFTER_CHECK": str(args.pause)}) as server:
            figures["locked"] = races(server, data, args, "locked", 0, slot_iter)
            figures["invariants"] = invariants()
        with Server(env) as server:
            figures["hot_item"] = hot_item(server, data, args)
        unlocked = {"BENCH_PAUSE_AFTER_CHECK": str(args.pause), "BENCH_DISABLE_LOCKING": "1"}
        with Server(env, extra_env=unlocked) as server:
            figures["lock_disabled"] = races(server, data, args, "unlocked", len(args.clients) * args.repeat, slot_iter)
        ceiling = pgbench_ceiling(env, data["hot"], args.pgbench_seconds)
        figures["pgbench_ceiling"] = ceiling
        if ceiling and ceiling.get("tps"):
            figures["hot_item"]["ratio_to_pgbench"] = round(figures["hot_item"]["bookings_per_s"] / ceiling["tps"], 2)
        locked = [row for by_n in figures["locked"].values() for row in by_n.values()]
        unlocked_equipment = [by_n["equipment_last_unit"] for by_n in figures["lock_disabled"].values()]
        figures["targets"] = {
            "exactly_one_winner_every_run": all(row["one_winner_runs"] == row["runs"] for row in locked),
            "zero_errors": all(row["errors"] == 0 for row in locked),
            "negative_control_oversold": any(row["max_winners"] > 1 for row in unlocked_equipment),
        }
        if "ratio_to_pgbench" in figures["hot_item"]:
            figures["targets"]["hot_item_ge_0.4_pgbench"] = figures["hot_item"]["ratio_to_pgbench"] >= 0.4
        figures["seconds"] = round(time.monotonic() - started, 1)
        emit("race", figures)


if __name__ == "__main__":
    main()
