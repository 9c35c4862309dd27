"""Server CPU per partner booking: 8 partners (one key and one keep-alive connection each) book one hot item
on distinct days through POST /api/v1/equipment-bookings on gunicorn with 2 gthread workers, and the CPU
the server's processes used (from /proc, before and after) is divided by the answers. Prints one JSON line.

With --profile it instead makes the same bookings in this process through Django's test client, counts the
SQL statements per booking and prints pyinstrument's profile of them (CPU time) before the JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/booking_cpu.py
    DATABASE_URL=... .venv/bin/python bench/booking_cpu.py --profile"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import timedelta

import common
from common import Server, bench_environment, django_setup, emit, load, load_average, vendor

PHONE = "+79990001122"


def build(args) -> dict:
    from django.utils import timezone

    from accounts.services import partner_create
    from equipment.models import Item

    keys = [partner_create(name=f"bench-cpu-{n}", scopes=("write:bookings",), rate_limit_per_minute=1_000_000)[1]
            for n in range(args.clients)]
    hot = Item.objects.create(name="Горячий аппарат", quantity=100_000)
    return {"keys": keys, "hot": hot.pk, "today": timezone.localdate()}


def maker(data, tag):
    def make(index):
        day = data["today"] + timedelta(days=1 + index % 360)
        return "POST", "/api/v1/equipment-bookings", {
            "item_id": data["hot"], "start_date": day.isoformat(), "end_date": day.isoformat(), "units": 1,
            "client_name": "Иван", "client_phone": PHONE, "external_booking_id": f"{tag}-{index}"}
    return make


def served(data, args) -> dict:
    headers = [{"X-API-Key": key} for key in data["keys"]]
    with Server(os.environ.copy()) as server:
        warm = server.warm(maker(data, "warm"), client_headers=headers)
        run = load(server, maker(data, "hot"), clients=args.clients, total=args.bookings, seconds=args.seconds,
                   client_headers=headers)
    ok = run["statuses"].get(201, 0)
    return {"bookings": ok, "statuses": run["statuses"], "bookings_per_s": round(ok / run["seconds"], 1),
            "warm_up": warm, **common.percentiles(run["latencies"]), **common.cpu_figures(run)}


def profiled(data, args) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler
    from pyinstrument.stack_sampler import get_stack_sampler

    clients = [Client(headers={"X-API-Key": key}) for key in data["keys"]]
    make = maker(data, "profile")

    def book(n):
        _method, path, body = make(n)
        response = clients[n % len(clients)].post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content

    cache.clear()
    for n in range(args.clients * 2):  # every partner's first request, then steady state
        book(n)
    queries = []

    def capture(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):  # the query log is reset when each request starts
        book(args.clients * 2)
    get_stack_sampler().timer_func = time.thread_time  # samples of CPU time, not of waits on the database
    profiler = Profiler(interval=0.0005)
    started = time.process_time()
    profiler.start()
    for n in range(args.clients * 2 + 1, args.clients * 2 + 1 + args.bookings):
        book(n)
    profiler.stop()
    cpu = time.process_time() - started
    print(profiler.output_text(unicode=True, color=False, time="percent_of_total"))
    print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="total")[:args.flat_chars])
    return {"bookings": args.bookings, "queries_per_booking": len(queries),
            "queries": [sql[:160] for sql in queries],
            "in_process_cpu_ms_per_booking": round(cpu * 1000 / args.bookings, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="partners, one connection each")
    parser.add_argument("--bookings", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flat-chars", type=int, default=6000, help="how much of the flat profile to print")
    parser.add_argument("--profile", action="store_true", help="in process, with pyinstrument and SQL counts")
    args = parser.parse_args()
    figures = {"load_average": load_average()}
    with bench_environment("booking_cpu"):
        if args.profile:
            os.environ.setdefault("DEBUG", "1")
        django_setup()
        data = build(args)
        figures["database"] = vendor()
        figures["profile" if args.profile else "hot_item"] = (profiled if args.profile else served)(data, args)
    figures["load_average_after"] = load_average()
    emit("booking_cpu", figures)


if __name__ == "__main__":
    main()
