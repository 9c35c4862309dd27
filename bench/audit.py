"""The monthly Excel audit at scale: time and peak memory for 10,000 and 100,000 generated bookings.

    .venv/bin/python bench/audit.py                      # 10k and 100k, each in a fresh SQLite database
    .venv/bin/python bench/audit.py --bookings 100000    # one size only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit.py

Each size gets its own temporary VAR_DIR and database (a new PostgreSQL database, dropped afterwards, when
DATABASE_URL points at PostgreSQL; else a SQLite file). Prints one JSON line. The bookings (70 % whole-day
equipment, 30 % cabinet slots, every one with a created and an approved/cancelled history row) are generated
in one process; the audit is then built in a fresh process, so its peak RSS is the audit's own. Targets
(perf-reliability.md §4(d)): at most 30 s and 100 MB for 100k bookings, and memory that does not grow with
the number of rows."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
MONTH = date(2026, 10, 1)


def _django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def generate(count: int) -> None:
    from django.core.management import call_command

    from accounts.models import TelegramAccount
    from cabinets.models import Cabinet, CabinetBooking, CabinetBookingStatusChange
    from equipment.availability import clinic_zone
    from equipment.models import EquipmentBooking, EquipmentBookingStatusChange, Item

    call_command("migrate", verbosity=0)
    rng, zone = random.Random(20261122), clinic_zone()
    items = Item.objects.bulk_create([Item(name=f"Аппарат {n:03d}", quantity=rng.randint(1, 6), sort_order=n)
                                      for n in range(200)])
    cabinets = Cabinet.objects.bulk_create([Cabinet(name=f"Кабинет {n}", number=str(n))
                                            for n in range(max(20, count * 3 // 10 // (31 * 22) + 1))])
    accounts = TelegramAccount.objects.bulk_create([
        TelegramAccount(telegram_id=700_000 + n, username=f"user{n}", first_name="Иван", last_name="Петров",
                        phone=f"+7999{n:07d}") for n in range(2000)])
    made = datetime(2026, 9, 20, 10, 0, tzinfo=zone)
    equipment_count = count * 7 // 10
    batch, history = [], []

    def flush_equipment():
        rows = EquipmentBooking.objects.bulk_create(batch)
        EquipmentBookingStatusChange.objects.bulk_create(
            [change for row in rows for change in _history(EquipmentBookingStatusChange, row, made)])
        batch.clear()

    for n in range(equipment_count):
        start = MONTH + timedelta(days=rng.randint(0, 30))
        batch.append(EquipmentBooking(
            item=rng.choice(items), units=rng.randint(1, 2), start_date=start,
            end_date=min(start + timedelta(days=rng.choice((0, 0, 1, 2))), date(2026, 10, 31)),
            status=rng.choice(("approved", "approved", "completed", "cancelled")), channel="bot",
            requester=rng.choice(accounts), client_name=f"Клиент {n} Петрович", client_phone=f"+7916{n:07d}",
            comment="=1+1" if n % 1000 == 0 else "", created_at=made, updated_at=made))
        if len(batch) == 5000:
            flush_equipment()
    if batch:
        flush_equipment()

    def flush_cabinet():
        rows = CabinetBooking.objects.bulk_create(batch)
        CabinetBookingStatusChange.objects.bulk_create(
            [change for row in rows for change in _history(CabinetBookingStatusChange, row, made)])
        batch.clear()

    # Distinct half-hour cells (PostgreSQL refuses overlapping active cabinet bookings), as many as needed.
    cabinet_count = count - equipment_count
    cells = [(c, d, minute) for c in range(len(cabinets)) for d in range(31) for minute in range(9 * 60, 20 * 60, 30)]
    rng.shuffle(cells)
    for n in range(cabinet_count):
        cabinet_index, offset, minute = cells[n % len(cells)]
        day = MONTH + timedelta(days=offset)
        starts = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
        batch.append(CabinetBooking(
            cabinet=cabinets[cabinet_index], starts_at=starts, ends_at=starts + timedelta(minutes=30),
            status=rng.choice(("approved", "completed", "cancelled")), channel="bot", requester=rng.choice(accounts),
            client_name=f"Клиент {n}", client_phone=f"+7926{n:07d}", created_at=made, updated_at=made))
        if len(batch) == 5000:
            flush_cabinet()
    if batch:
        flush_cabinet()
    del history


def _history(model, booking, made):
    yield model(booking=booking, from_status="", to_status="pending", channel="bot", actor="telegram:@user", at=made)
    yield model(booking=booking, from_status="pending", to_status=booking.status if booking.status != "completed"
                else "approved", channel="admin", actor="admin:manager", at=made + timedelta(hours=1))


def export() -> dict:
    from integrations.audit.workbook import AuditWriter

    target = Path(os.environ["VAR_DIR"]) / "audit.xlsx"
    started = time.perf_counter()
    counts = AuditWriter(month=MONTH, now=datetime.now().astimezone()).write(target)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1), "rows": counts,
            "file_mb": round(target.stat().st_size / 1e6, 2)}


def run_size(count: int) -> dict:
    from common import bench_environment

    with bench_environment(f"audit{count}") as env:
        var_dir = env["VAR_DIR"]
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(count), "--var-dir", var_dir], check=True,
                       env=env)
        generated = time.perf_counter() - started
        out = subprocess.run([sys.executable, __file__, "--export", "--var-dir", var_dir], check=True, env=env,
                             capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["generate_seconds"] = round(generated, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, action="append")
    parser.add_argument("--generate", type=int)
    parser.add_argument("--export", action="store_true")
    parser.add_argument("--var-dir")
    args = parser.parse_args()
    if args.generate:
        _django(args.var_dir)
        generate(args.generate)
        return
    if args.export:
        _django(args.var_dir)
        print(json.dumps(export()))
        return
    from common import emit, load_average

    before = load_average()
    results = {}
    for count in args.bookings or [10_000, 100_000]:
        results[count] = run_size(count)
    figures = {"load_average": before,
               "database": "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
               "sizes": {str(count): result for count, result in results.items()}}
    if 10_000 in results and 100_000 in results:
        small, big = results[10_000], results[100_000]
        figures["memory_growth_10k_to_100k_mb"] = round(big["peak_rss_mb"] - small["peak_rss_mb"], 1)
        figures["time_ratio_100k_to_10k"] = round(big["seconds"] / max(small["seconds"], 0.1), 1)
        figures["targets"] = {"le_15s_at_100k": big["seconds"] <= 15, "le_100mb_at_100k": big["peak_rss_mb"] <= 100}
    figures["load_average_after"] = load_average()
    emit("audit", figures)


if __name__ == "__main__":
    main()
