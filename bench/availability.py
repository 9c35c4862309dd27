"""Availability calculators at the sizes of perf-reliability.md §4(a), printing their figures.

    .venv/bin/python bench/availability.py            # a fresh SQLite database under a temp VAR_DIR
    DATABASE_URL=postgres://... .venv/bin/python bench/availability.py   # an EMPTY PostgreSQL database

S1: 50 cabinets x 30 days (09:00-21:00, lunch 13-14), about 60 % of slots booked.
S2: 200 items (quantity 1-6) x 90 days, about 50,000 bookings.
Prints queries per call and wall time (p50/p99 over repeated calls) for one item-day, the S2 grid, one
cabinet-day and the S1 grid."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking_site.scheduling import grid_points  # noqa: E402
from cabinets.availability import cabinets_days  # noqa: E402
from cabinets.models import Cabinet, CabinetBooking, CabinetOccupancy, WeeklySchedule  # noqa: E402
from equipment.availability import clinic_zone, equipment_grid  # noqa: E402
from equipment.models import EquipmentBooking, Item  # noqa: E402

RNG = random.Random(20261121)
ZONE = clinic_zone()
TODAY = date(2026, 12, 1)
NOW = datetime.combine(TODAY, time(8), tzinfo=ZONE)


def build() -> None:
    call_command("migrate", verbosity=0)
    if Item.objects.exists():
        sys.exit("bench/availability.py needs an empty database")
    stamp = timezone.now()
    items = Item.objects.bulk_create([Item(name=f"Аппарат {n:03d}", quantity=RNG.randint(1, 6)) for n in range(200)])
    bookings = []
    for item in items:
        for _ in range(250):
            start = TODAY + timedelta(days=RNG.randint(-30, 89))
            bookings.append(EquipmentBooking(
                item=item, units=1, start_date=start, end_date=start + timedelta(days=RNG.choice((0, 0, 0, 1, 2))),
                status=RNG.choice(("approved", "approved", "pending", "cancelled")), client_name="Иван Петров",
                client_phone="+79990000000", created_at=stamp, updated_at=stamp))
    EquipmentBooking.objects.bulk_create(bookings, batch_size=5000)
    cabinets = Cabinet.objects.bulk_create([Cabinet(name=f"Кабинет {n:02d}") for n in range(50)])
    WeeklySchedule.objects.bulk_create([
        WeeklySchedule(cabinet=c, weekday=d, opens=time(9), closes=time(21), lunch_start=time(13), lunch_end=time(14))
        for c in cabinets for d in range(7)])
    cabinet_bookings = []
    for cabinet in cabinets:
        for offset in range(30):
            day = TODAY + timedelta(days=offset)
            for hour in (9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20):
                if RNG.random() < 0.6:
                    start = datetime.combine(day, time(hour), tzinfo=ZONE)
                    cabinet_bookings.append(CabinetBooking(
                        cabinet=cabinet, starts_at=start, ends_at=start + timedelta(minutes=60), status="approved",
                        client_name="Ольга", client_phone="+79990000000", created_at=stamp, updated_at=stamp))
    CabinetBooking.objects.bulk_create(cabinet_bookings, batch_size=5000)
    CabinetOccupancy.objects.bulk_create([
        CabinetOccupancy(cabinet_id=b.cabinet_id, booking=b, starts_at=p)
        for b in cabinet_bookings for p in grid_points(b.starts_at, b.ends_at)], batch_size=10000)
    print(f"data: {len(items)} items, {len(bookings)} equipment bookings, {len(cabinets)} cabinets, "
          f"{len(cabinet_bookings)} cabinet bookings ({connection.vendor})")


def measure(label: str, call, repeat: int) -> None:
    with CaptureQueriesContext(connection) as queries:
        call()
    timings = []
    for _ in range(repeat):
        started = clock.perf_counter()
        call()
        timings.append((clock.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"{label:<34} queries={len(queries):<3} p50={statistics.median(timings):8.1f} ms  p99={p99:8.1f} ms")


def main() -> None:
    build()
    one_item = Item.objects.filter(pk=Item.objects.order_by("pk").values_list("pk", flat=True)[7])
    one_cabinet = Cabinet.objects.filter(pk=Cabinet.objects.order_by("pk").values_list("pk", flat=True)[3])
    last = TODAY + timedelta(days=89)
    measure("equipment 1 item x 1 day", lambda: equipment_grid(items=one_item, start_date=TODAY, end_date=TODAY),
            200)
    measure("equipment 200 items x 90 days (S2)",
            lambda: equipment_grid(items=Item.objects.all(), start_date=TODAY, end_date=last), 20)
    measure("cabinets 1 cabinet x 1 day",
            lambda: cabinets_days(cabinets=one_cabinet.prefetch_related("schedules"), start_date=TODAY,
                                  end_date=TODAY, now=NOW), 200)
    measure("cabinets 50 x 30 days (S1)",
            lambda: cabinets_days(cabinets=Cabinet.objects.prefetch_related("schedules"), start_date=TODAY,
                                  end_date=TODAY + timedelta(days=29), now=NOW), 20)


if __name__ == "__main__":
    main()
