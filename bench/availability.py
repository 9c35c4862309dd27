"""Availability at the sizes of perf-reliability.md §4(a): the calculators in process, the same grids by a
naive one-query-per-item-per-day loop (how the original system answered), and the HTTP endpoints through
gunicorn with 2 gthread workers. Prints one JSON line.

    .venv/bin/python bench/availability.py                      # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/availability.py

S1: 50 cabinets x 30 days (09:00-21:00, lunch 13-14), about 60 % of the hours booked.
S2: 200 items (quantity 1-6) x 90 days, about 50,000 bookings; the HTTP bulk call asks for 100 of them.
S3: the services grid: one service with an item, performed by 20 specialists (09-13 and 14-18, Monday to
Saturday) in 5 of the S1 cabinets, about 40 % of their hours booked, over 30 days (its own read included).
Figures: queries per call, p50/p99 in ms (p99 only from 100 samples on; max_ms always), the calculator
against a naive loop and a set-based query that build the same answer ({(resource, day): free}) and must
return it equal, HTTP p50/p99 after every server worker was warmed, and the load generator's CPU share."""

from __future__ import annotations

import argparse
import random
import time as clock
from datetime import datetime, time, timedelta
from urllib.parse import quote

from common import Server, bench_environment, cpu_figures, django_setup, emit, load, load_average, percentiles, vendor


def build(args) -> dict:
    from django.utils import timezone

    from cabinets.models import Cabinet, CabinetBooking, CabinetOccupancy, WeeklySchedule
    from equipment.models import EquipmentBooking, Item
    from kernel.clock import clinic_zone
    from kernel.scheduling import grid_points

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
    specialists = getattr(args, "specialists", 0)  # the gRPC bench asks for items only
    appointments = build_services(args, rng, cabinets, cabinet_bookings, items[0], stamp) if specialists else 0
    return {"items": len(items), "equipment_bookings": len(bookings), "cabinets": len(cabinets),
            "cabinet_bookings": len(cabinet_bookings), "specialists": specialists, "appointments": appointments}


def build_services(args, rng, cabinets, cabinet_bookings, item, stamp) -> int:
    """S3: a service for 20 specialists in 5 cabinets, its appointments in hours the cabinets have free."""
    from django.utils import timezone

    from cabinets.models import CabinetBooking, CabinetOccupancy
    from kernel.clock import clinic_zone
    from kernel.scheduling import grid_points
    from specialists.models import Service, ServiceEquipment, Specialist, WorkingHours

    zone, today = clinic_zone(), timezone.localdate()
    rooms = cabinets[:5]
    taken = {(b.cabinet_id, b.starts_at) for b in cabinet_bookings}
    people = Specialist.objects.bulk_create([Specialist(name=f"Врач {n:02d}", sort_order=n)
                                             for n in range(args.specialists)])
    WorkingHours.objects.bulk_create([
        WorkingHours(specialist=p, weekday=d, start=start, end=end)
        for p in people for d in range(6) for start, end in ((time(9), time(13)), (time(14), time(18)))])
    service = Service.objects.create(name="УЗИ брюшной полости", duration_minutes=60)
    service.specialists.set(people)
    service.cabinets.set(rooms)
    ServiceEquipment.objects.create(service=service, item=item, units=1)
    appointments = []
    for person in people:
        for offset in range(args.cabinet_days):
            day = today + timedelta(days=offset)
            if day.weekday() == 6:
                continue
            for hour in (9, 10, 11, 12, 14, 15, 16, 17):
                start = datetime.combine(day, time(hour), tzinfo=zone)
                room = next((r for r in rooms if (r.pk, start) not in taken), None)
                if room is None or rng.random() >= 0.4:
                    continue
                taken.add((room.pk, start))
                appointments.append(CabinetBooking(
                    cabinet=room, service=service, specialist=person, starts_at=start,
                    ends_at=start + timedelta(minutes=60), status="approved", client_name="Ольга",
                    client_phone="+79990000000", created_at=stamp, updated_at=stamp))
    CabinetBooking.objects.bulk_create(appointments, batch_size=5000)
    CabinetOccupancy.objects.bulk_create([
        CabinetOccupancy(cabinet_id=b.cabinet_id, booking=b, starts_at=p)
        for b in appointments for p in grid_points(b.starts_at, b.ends_at)], batch_size=10000)
    return len(appointments)


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


def calculator_equipment(items, days) -> dict:
    """The calculator's bulk answer in the baselines' shape: {(item id, day): units free}."""
    from equipment.availability import equipment_grid

    grid = equipment_grid(items=items, start_date=days[0], end_date=days[-1])
    return {(item.pk, day): grid.free(item.pk, day) for item in items for day in days}


def naive_equipment(items, days) -> dict:
    """The original system's bulk answer: for every item and every day, one query for the units in use."""
    from django.db.models import Sum

    from equipment.models import EquipmentBooking
    from kernel.bookings import HOLDING_STATUSES

    answer = {}
    for item in items:
        for day in days:
            used = EquipmentBooking.objects.filter(item=item, status__in=HOLDING_STATUSES, start_date__lte=day,
                                                   end_date__gte=day).aggregate(n=Sum("units"))["n"] or 0
            answer[(item.pk, day)] = max(0, item.quantity - used)
    return answer


def set_based_equipment(items, days) -> dict:
    """What a plain set-based query gives: one query for every holding booking that meets the range, summed
    per item and day in Python."""
    from collections import Counter

    from equipment.models import EquipmentBooking
    from kernel.bookings import HOLDING_STATUSES

    first, last = days[0], days[-1]
    used: Counter = Counter()
    rows = EquipmentBooking.objects.filter(item__in=items, status__in=HOLDING_STATUSES, start_date__lte=last,
                                           end_date__gte=first).values_list("item_id", "start_date", "end_date",
                                                                            "units")
    for item_id, start, end, units in rows:
        day = max(start, first)
        while day <= min(end, last):
            used[(item_id, day)] += units
            day += timedelta(days=1)
    return {(item.pk, day): max(0, item.quantity - used[(item.pk, day)]) for item in items for day in days}


def calculator_cabinets(cabinets, days, now) -> dict:
    """The calculator's grid in the baselines' shape: {(cabinet id, day): ["HH:MM" of each free slot]}."""
    from cabinets.availability import cabinets_days

    grid = cabinets_days(cabinets=cabinets, start_date=days[0], end_date=days[-1], now=now)
    return {(cabinet.pk, day): grid[cabinet.pk][day].free_times() for cabinet in cabinets for day in days}


def _free_times(cabinet, day, taken, now, schedules) -> list[str]:
    """A day's free slot starts: in the schedule, not past, not sooner than the minimum notice nor beyond the
    horizon, and not overlapping any booking in `taken`."""
    from cabinets import rules
    from cabinets.availability import clinic_zone, day_window
    from kernel.scheduling import day_slots

    tz = clinic_zone()
    earliest, latest = rules.earliest_start(now), rules.latest_start(now)
    window = day_window(schedules.get(day.weekday()))
    slots = day_slots(day, window, tz) if window else []
    return [s.start.astimezone(tz).strftime("%H:%M") for s in slots
            if earliest <= s.start <= latest and not any(s.start < e and b < s.end for b, e in taken)]


def naive_cabinets(cabinets, days, now) -> dict:
    """One query per cabinet per day for its bookings, then every slot against every booking."""
    from cabinets.models import CabinetBooking
    from kernel.bookings import HOLDING_STATUSES
    from kernel.clock import clinic_zone
    from kernel.scheduling import day_bounds

    tz, answer = clinic_zone(), {}
    for cabinet in cabinets:
        schedules = {s.weekday: s for s in cabinet.schedules.all()}
        for day in days:
            start, end = day_bounds(day, tz)
            taken = list(CabinetBooking.objects.filter(cabinet=cabinet, status__in=HOLDING_STATUSES,
                                                       starts_at__lt=end, ends_at__gt=start)
                         .values_list("starts_at", "ends_at"))
            answer[(cabinet.pk, day)] = _free_times(cabinet, day, taken, now, schedules)
    return answer


def set_based_cabinets(cabinets, days, now) -> dict:
    """One query for every holding booking in the range, grouped per cabinet and day in Python, then every
    slot against that day's bookings."""
    from collections import defaultdict

    from cabinets.models import CabinetBooking
    from kernel.bookings import HOLDING_STATUSES
    from kernel.clock import clinic_zone
    from kernel.scheduling import day_bounds

    tz = clinic_zone()
    first, _ = day_bounds(days[0], tz)
    _, last = day_bounds(days[-1], tz)
    by_day = defaultdict(list)
    for cabinet_id, starts_at, ends_at in CabinetBooking.objects.filter(
            cabinet__in=cabinets, status__in=HOLDING_STATUSES, starts_at__lt=last, ends_at__gt=first
    ).values_list("cabinet_id", "starts_at", "ends_at"):
        day = starts_at.astimezone(tz).date()
        while day <= ends_at.astimezone(tz).date():
            by_day[(cabinet_id, day)].append((starts_at, ends_at))
            day += timedelta(days=1)
    answer = {}
    for cabinet in cabinets:
        schedules = {s.weekday: s for s in cabinet.schedules.all()}
        for day in days:
            answer[(cabinet.pk, day)] = _free_times(cabinet, day, by_day[(cabinet.pk, day)], now, schedules)
    return answer


def timed_with_queries(call) -> tuple[dict, object]:
    """One call timed, with its queries counted; returns the figures and the call's answer."""
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = clock.perf_counter()
        answer = call()
        seconds = clock.perf_counter() - started
    return {"queries": count, "ms": round(seconds * 1000, 1)}, answer


def baselines(name: str, calculator, naive, set_based, repeat: int) -> dict:
    """The calculator, the naive loop and the set-based query, each building the same answer; the answers
    must be equal (else the comparison means nothing and the benchmark fails)."""
    rows, answers = {}, {}
    for label, call in (("calculator", calculator), ("naive_loop", naive), ("set_based", set_based)):
        figures, answers[label] = timed_with_queries(call)
        timings = [figures["ms"]] + [timed_with_queries(call)[0]["ms"] for _ in range(repeat - 1)]
        rows[label] = {"queries": figures["queries"], **percentiles(timings)}
    for label in ("naive_loop", "set_based"):
        if answers[label] != answers["calculator"]:
            differ = [key for key in answers["calculator"] if answers["calculator"][key] != answers[label].get(key)]
            raise AssertionError(f"{name}: the {label} answer differs from the calculator's at {differ[:5]}")
        rows[label]["query_ratio"] = round(rows[label]["queries"] / max(rows["calculator"]["queries"], 1), 1)
        rows[label]["time_ratio"] = round(rows[label]["p50_ms"] / max(rows["calculator"]["p50_ms"], 0.1), 1)
    return {"answers_equal": True, "cells": len(answers["calculator"]), **rows}


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
            warm = server.warm(make, headers=headers)
            run = load(server, make, clients=4 if single else 1, total=args.http_single if single else args.http_grid,
                       seconds=args.http_seconds, headers=headers)
            figures[name] = {**percentiles(run["latencies"]), "requests": len(run["latencies"]),
                             "rps": round(len(run["latencies"]) / run["seconds"], 1), "statuses": run["statuses"],
                             "warm_up": warm, **cpu_figures(run)}
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
    parser.add_argument("--baseline-repeat", type=int, default=3, help="timed runs of each baseline")
    parser.add_argument("--specialists", type=int, default=20)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    with bench_environment("availability") as env:
        django_setup()
        from django.utils import timezone

        from cabinets.availability import cabinets_days
        from cabinets.models import Cabinet
        from equipment.availability import equipment_grid
        from equipment.models import Item
        from kernel.scheduling import date_range

        figures = {"load_average": load_average(), "database": vendor(), "data": build(args)}
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
        from specialists.availability import service_days, service_with_lines
        from specialists.models import Service

        service_id = Service.objects.values_list("pk", flat=True).get()
        figures["services"] = {"service_grid": measure(
            lambda: service_days(service=service_with_lines(service_id), start_date=cabinet_days[0],
                                 end_date=cabinet_days[-1], now=now), args.repeat)}
        items = list(Item.objects.all())
        cabinets = list(Cabinet.objects.prefetch_related("schedules"))
        figures["baselines"] = {
            "equipment_grid": baselines("equipment_grid", lambda: calculator_equipment(items, item_days),
                                        lambda: naive_equipment(items, item_days),
                                        lambda: set_based_equipment(items, item_days), args.baseline_repeat),
            "cabinet_grid": baselines("cabinet_grid", lambda: calculator_cabinets(cabinets, cabinet_days, now),
                                      lambda: naive_cabinets(cabinets, cabinet_days, now),
                                      lambda: set_based_cabinets(cabinets, cabinet_days, now), args.baseline_repeat),
        }
        figures["naive_loop"] = {name: row["naive_loop"] for name, row in figures["baselines"].items()}
        if not args.no_http:
            figures["http"] = http_figures(env, args, today)
        figures["targets"] = {
            "cabinet_grid_p50_le_100ms": calc["cabinet_grid"]["p50_ms"] <= 100,
            "queries_le_5": all(row["queries"] <= 5 for row in calc.values()),
            "service_grid_p50_le_100ms": figures["services"]["service_grid"]["p50_ms"] <= 100,
            "service_grid_queries_le_5": figures["services"]["service_grid"]["queries"] <= 5,
        }
        if "http" in figures:
            figures["targets"]["http_grid_p50_le_150ms"] = figures["http"]["grid"]["p50_ms"] <= 150
            figures["targets"]["http_bulk_p50_le_150ms"] = figures["http"]["bulk"]["p50_ms"] <= 150
        figures["load_average_after"] = load_average()
        emit("availability", figures)


if __name__ == "__main__":
    main()
