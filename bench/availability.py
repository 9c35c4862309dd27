"""Availability at the sizes of perf-reliability.md §4(a): the calculators in process, the same grids by a
naive one-query-per-item-per-day loop (how the original system answered), and the HTTP endpoints through
gunicorn with 2 uvicorn workers. Prints one JSON line.

    .venv/bin/python bench/availability.py                      # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/availability.py

S1: 50 cabinets x 30 days (09:00-21:00, lunch 13-14), about 60 % of the hours booked.
S2: 200 items (quantity 1-6) x 90 days, about 50,000 bookings; the HTTP bulk call asks for 100 of them.
Figures: queries per call, p50/p99 in ms, naive-loop queries and time with the ratios, HTTP p50/p99 and the
load generator's CPU share."""

from __future__ import annotations

import argparse
import random
import time as clock
from datetime import datetime, time, timedelta
from urllib.parse import quote

from common import Server, bench_environment, cpu_figures, django_setup, emit, load, percentiles, vendor


def build(args) -> dict:
    from django.utils import timezone

    from booking_site.scheduling import grid_points
    from cabinets.models import Cabinet, CabinetBooking, CabinetOccupancy, WeeklySchedule
    from equipment.availability import clinic_zone
    from equipment.models import EquipmentBooking, Item

    rng, zone, today = random.Random(20261121), clinic_zone(), timezone.localdate()
    stamp = timezone.now()
    items = Item.objects.bulk_create([Item(name=f"Аппарат {n:03d}", quantity=rng.randint(1, 6), sort_order=n)
                                      for n in range(args.items)])
    bookings = []
    for item in items:
        for _ in range(args.bookings_per_item):
            start = today + timedelta(days=rng.randint(-30, args.item_days - 1))
            bookings.append(EquipmentBooking(
                item=item, units=1, start_date=start, end_date=start + timedelta(days=rng.choice((0, 0, 0, 1, 2))),
                status=rng.choice(("approved", "approved", "pending", "cancelled")), client_name="Иван Петров",
                client_phone="+79990000000", created_at=stamp, updated_at=stamp))
    EquipmentBooking.objects.bulk_create(bookings, batch_size=5000)
    cabinets = Cabinet.objects.bulk_create([Cabinet(name=f"Кабинет {n:02d}", sort_order=n)
                                            for n in range(args.cabinets)])
    WeeklySchedule.objects.bulk_create([
        WeeklySchedule(cabinet=c, weekday=d, opens=time(9), closes=time(21), lunch_start=time(13), lunch_end=time(14))
        for c in cabinets for d in range(7)])
    cabinet_bookings = []
    for cabinet in cabinets:
        for offset in range(args.cabinet_days):
            day = today + timedelta(days=offset)
            for hour in (9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20):
                if rng.random() < 0.6:
                    start = datetime.combine(day, time(hour), tzinfo=zone)
                    cabinet_bookings.append(CabinetBooking(
                        cabinet=cabinet, starts_at=start, ends_at=start + timedelta(minutes=60), status="approved",
                        client_name="Ольга", client_phone="+79990000000", created_at=stamp, updated_at=stamp))
    CabinetBooking.objects.bulk_create(cabinet_bookings, batch_size=5000)
    CabinetOccupancy.objects.bulk_create([
        CabinetOccupancy(cabinet_id=b.cabinet_id, booking=b, starts_at=p)
        for b in cabinet_bookings for p in grid_points(b.starts_at, b.ends_at)], batch_size=10000)
    return {"items": len(items), "equipment_bookings": len(bookings), "cabinets": len(cabinets),
            "cabinet_bookings": len(cabinet_bookings)}


def measure(call, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    timings = []
    for _ in range(repeat):
        started = clock.perf_counter()
        call()
        timings.append((clock.perf_counter() - started) * 1000)
    return {"queries": len(queries), **percentiles(timings)}


def naive_equipment(items, days) -> dict:
    """The original system's bulk answer: for every item and every day, one query for the units in use."""
    from django.db.models import Sum

    from booking_site.bookings import HOLDING_STATUSES
    from equipment.models import EquipmentBooking

    answer = {}
    for item in items:
        for day in days:
            used = EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES, start_date__lte=day,
                                                   end_date__gte=day).aggregate(n=Sum("units"))["n"] or 0
            answer[(item.pk, day)] = max(0, item.quantity - used)
    return answer


def naive_cabinets(cabinets, days, now) -> dict:
    """One query per cabinet per day for its bookings, then every slot against every booking."""
    from booking_site.bookings import HOLDING_STATUSES
    from booking_site.scheduling import day_bounds, day_slots
    from cabinets.availability import _window_for, clinic_zone
    from cabinets.models import CabinetBooking

    tz, answer = clinic_zone(), {}
    for cabinet in cabinets:
        schedules = {s.weekday: s for s in cabinet.schedules.all()}
        for day in days:
            start, end = day_bounds(day, tz)
            taken = list(CabinetBooking.objects.filter(cabinet=cabinet, status__in=HOLDING_STATUSES,
                                                       starts_at__lt=end, ends_at__gt=start)
                         .values_list("starts_at", "ends_at"))
            window = _window_for(schedules.get(day.weekday()))
            slots = day_slots(day, window, tz) if window else []
            answer[(cabinet.pk, day)] = [s.start for s in slots if s.start >= now
                                         and not any(s.start < e and b < s.end for b, e in taken)]
    return answer


def timed_with_queries(call) -> dict:
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = clock.perf_counter()
        call()
        seconds = clock.perf_counter() - started
    return {"queries": count, "ms": round(seconds * 1000, 1)}


def http_figures(env, args, today) -> dict:
    from accounts.services import partner_create
    from equipment.models import Item

    _partner, key = partner_create(name="bench", scopes=("read:items", "read:availability"),
                                   rate_limit_per_minute=1_000_000)
    names = list(Item.objects.order_by("sort_order").values_list("name", flat=True)[:args.bulk_items])
    last_grid = (today + timedelta(days=args.cabinet_days - 1)).isoformat()
    bulk = {"items": names, "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=args.item_days - 1)).isoformat()}
    from cabinets.models import Cabinet

    cabinet_id = Cabinet.objects.order_by("pk").values_list("pk", flat=True)[min(3, args.cabinets - 1)]
    one_item = quote(names[min(7, len(names) - 1)])
    headers = {"X-API-Key": key}
    endpoints = {
        "grid": lambda n: ("GET", f"/api/v1/cabinets/availability?start_date={today}&end_date={last_grid}", None),
        "bulk": lambda n: ("POST", "/api/v1/availability/bulk", bulk),
        "cabinet_day": lambda n: ("GET", f"/api/v1/cabinets/{cabinet_id}/slots?date={today + timedelta(days=n % 7)}",
                                  None),
        "item_day": lambda n: ("GET", f"/api/v1/availability/{one_item}?date={today + timedelta(days=n % 7)}", None),
    }
    figures = {}
    with Server(env) as server:
        for name, make in endpoints.items():
            single = name in ("cabinet_day", "item_day")
            load(server, make, clients=1, total=3, seconds=30, headers=headers)  # warm both workers' imports
            run = load(server, make, clients=4 if single else 1, total=args.http_single if single else args.http_grid,
                       seconds=args.http_seconds, headers=headers)
            figures[name] = {**percentiles(run["latencies"]), "requests": len(run["latencies"]),
                             "rps": round(len(run["latencies"]) / run["seconds"], 1), "statuses": run["statuses"],
                             **cpu_figures(run)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cabinets", type=int, default=50)
    parser.add_argument("--cabinet-days", type=int, default=30)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--item-days", type=int, default=90)
    parser.add_argument("--bookings-per-item", type=int, default=250)
    parser.add_argument("--bulk-items", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--http-grid", type=int, default=30, help="requests for the grid and bulk endpoints")
    parser.add_argument("--http-single", type=int, default=400, help="requests for the single-day endpoints")
    parser.add_argument("--http-seconds", type=float, default=60)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    with bench_environment("availability") as env:
        django_setup()
        from django.utils import timezone

        from booking_site.scheduling import date_range
        from cabinets.availability import cabinets_days
        from cabinets.models import Cabinet
        from equipment.availability import equipment_grid
        from equipment.models import Item

        figures = {"database": vendor(), "data": build(args)}
        today, now = timezone.localdate(), timezone.now()
        item_days = list(date_range(today, today + timedelta(days=args.item_days - 1)))
        cabinet_days = list(date_range(today, today + timedelta(days=args.cabinet_days - 1)))
        one_item = Item.objects.filter(pk=Item.objects.order_by("pk").values_list("pk", flat=True)[0])
        one_cabinet = Cabinet.objects.filter(pk=Cabinet.objects.order_by("pk").values_list("pk", flat=True)[0])
        calc = {
            "item_day": measure(lambda: equipment_grid(items=one_item, start_date=today, end_date=today),
                                args.repeat * 10),
            "equipment_grid": measure(lambda: equipment_grid(items=Item.objects.all(), start_date=item_days[0],
                                                             end_date=item_days[-1]), args.repeat),
            "cabinet_day": measure(lambda: cabinets_days(cabinets=one_cabinet.prefetch_related("schedules"),
                                                         start_date=today, end_date=today, now=now),
                                   args.repeat * 10),
            "cabinet_grid": measure(lambda: cabinets_days(cabinets=Cabinet.objects.prefetch_related("schedules"),
                                                          start_date=cabinet_days[0], end_date=cabinet_days[-1],
                                                          now=now), args.repeat),
        }
        figures["calculator"] = calc
        items = list(Item.objects.all())
        cabinets = list(Cabinet.objects.prefetch_related("schedules"))
        naive = {"equipment_grid": timed_with_queries(lambda: naive_equipment(items, item_days)),
                 "cabinet_grid": timed_with_queries(lambda: naive_cabinets(cabinets, cabinet_days, now))}
        for name, row in naive.items():
            row["query_ratio"] = round(row["queries"] / max(calc[name]["queries"], 1), 1)
            row["time_ratio"] = round(row["ms"] / max(calc[name]["p50_ms"], 0.1), 1)
        figures["naive_loop"] = naive
        if not args.no_http:
            figures["http"] = http_figures(env, args, today)
        figures["targets"] = {
            "cabinet_grid_p50_le_100ms": calc["cabinet_grid"]["p50_ms"] <= 100,
            "queries_le_5": all(row["queries"] <= 5 for row in calc.values()),
        }
        if "http" in figures:
            figures["targets"]["http_grid_p50_le_150ms"] = figures["http"]["grid"]["p50_ms"] <= 150
            figures["targets"]["http_bulk_p50_le_150ms"] = figures["http"]["bulk"]["p50_ms"] <= 150
        emit("availability", figures)


if __name__ == "__main__":
    main()
