"""Concurrent bookings through every channel at once, on gunicorn with 2 gthread workers: N racers released
together by a barrier book the last unit of an item (or the same cabinet slot), again and again. Racer i is
one of three kinds in turn, each with an identity of its own, so that nothing but the resource's lock
serialises them:
  - a partner of its own, through the partner API (POST /api/v1/equipment-bookings with its own key);
  - a Telegram client of its own pressing Confirm in the equipment bot (a callback update POSTed to the
    webhook; its dialog is set up at the confirm step before the race; its request is pending, which holds
    the unit like an approved booking);
  - an admin (staff) booking through the service, in this process, on its own database connection.
Cabinet races use the partner and admin kinds (the cabinet bot books from a slot hold, a lock of its own).
Winners are counted in the database afterwards (bookings on the raced day or slot), refusals and errors from
the answers (a Telegram racer's refusal is the bot's reply, so its webhook answer is 200 either way and it
is not counted among the refusals). No Telegram account is a manager, so no booking notifies anyone.
The same races run against a server with the booking lock switched off (BENCH_DISABLE_LOCKING=1, read only
by bench/settings.py, and the same switch in this process): equipment must then be oversold, which shows
the race is real; cabinets still have the database's own overlap guard.

Then 8 partners (one connection each) book one hot item on distinct days, and the same load is spread over
many items: bookings/s of both, their ratio, and the server's CPU per booking; next to pgbench running the
same locked transaction (lock the item row, sum the day's units, insert) on the same database. Every server
is warmed (each worker has served requests) before it is measured. Prints one JSON line.

    .venv/bin/python bench/race.py                  # SQLite (no pgbench ceiling)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/race.py"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as wall

import common
from ceiling import invariants, pgbench_ceiling
from common import Client, Server, bench_environment, django_setup, emit, load, load_average, vendor
from fake_telegram import FakeTelegram

PHONE = "+79990001122"
SECRET = "bench-race-secret"
KINDS = ("api", "telegram", "admin")
TELEGRAM_BASE = 700_000


def build(args):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import TelegramAccount
    from accounts.services import partner_create
    from cabinets.models import Cabinet, WeeklySchedule
    from equipment.models import Item
    from equipment.services import equipment_booking_create
    from kernel.channels import Actor, Channel

    racers = max(max(args.clients), args.hot_clients)
    keys = []
    for n in range(racers):
        _partner, key = partner_create(name=f"bench-race-{n}", scopes=("read:items", "read:availability",
                                                                         "write:bookings"),
                                       rate_limit_per_minute=1_000_000)
        keys.append(key)
    now = timezone.now()
    TelegramAccount.objects.bulk_create([
        TelegramAccount(telegram_id=TELEGRAM_BASE + n, first_name=f"Клиент {n}", language_code="ru",
                        last_seen_at=now) for n in range(racers)])
    users = [get_user_model().objects.create_user(username=f"bench-admin-{n}", password=None, is_staff=True,
                                                  is_superuser=True) for n in range(racers)]
    item = Item.objects.create(name="Последний аппарат", quantity=args.quantity)
    hot = Item.objects.create(name="Горячий аппарат", quantity=1000)
    spread = Item.objects.bulk_create([Item(name=f"Аппарат {n:02d}", quantity=1000, sort_order=n)
                                       for n in range(args.spread_items)])
    cabinet = Cabinet.objects.create(name="Кабинет гонок")
    WeeklySchedule.objects.bulk_create([WeeklySchedule(cabinet=cabinet, weekday=d, opens=wall(8), closes=wall(20))
                                        for d in range(7)])
    today = timezone.localdate()
    runs = len(args.clients) * args.repeat * 2
    # Every equipment race has its own day on which all but one unit are already booked.
    for n in range(runs):
        for _unit in range(args.quantity - 1):
            equipment_booking_create(item=item, start_date=today + timedelta(days=1 + n), client_name="Ольга",
                                     client_phone=PHONE, actor=Actor.system(), channel=Channel.SYSTEM, now=now)
    return {"keys": keys, "users": [u.pk for u in users], "item": item.pk, "hot": hot.pk,
            "spread": [i.pk for i in spread], "cabinet": cabinet.pk, "today": today}


def slots(today):
    """Distinct cabinet slots from tomorrow on (one per race), within the 30-day horizon."""
    day = 1
    while True:
        for hour in range(8, 20):
            yield (today + timedelta(days=day)).isoformat(), f"{hour:02d}:00"
        day += 1


def prepare_dialogs(data, day: str, chats: list[int]) -> None:
    """Each Telegram racer's equipment-bot dialog at the confirm step for the raced day, its buttons on
    message 5000 + i."""
    from django.utils import timezone

    from integrations.models import Dialog
    from integrations.telegram.state import DIALOG_TTL

    now = timezone.now()
    for index in chats:
        values = {"state": "confirm", "message_id": 5000 + index, "updated_at": now, "expires_at": now + DIALOG_TTL,
                  "data": {"item": data["item"], "start": day, "end": day, "units": 1, "free": 1,
                           "name": "Иван Телеграмов", "phone": PHONE, "trail": ["item", "start", "end", "confirm"]}}
        Dialog.objects.update_or_create(bot="equipment", chat_id=TELEGRAM_BASE + index, user_id=TELEGRAM_BASE + index,
                                        defaults=values)


def confirm_update(index: int, update_id: int) -> dict:
    user = TELEGRAM_BASE + index
    person = {"id": user, "is_bot": False, "first_name": f"Клиент {index}", "language_code": "ru"}
    return {"update_id": update_id, "callback_query": {
        "id": f"cb-{update_id}", "from": person, "chat_instance": str(user), "data": "w:confirm",
        "message": {"message_id": 5000 + index, "date": int(time.time()), "text": "…",
                    "chat": {"id": user, "type": "private", "first_name": person["first_name"]},
                    "from": {"id": 111, "is_bot": True, "first_name": "bot"}}}}


_update_ids = iter(range(10**8, 2 * 10**8))
PARTNERS_RACED: set[int] = set()  # indices of the partner keys that raced


def race(server, data, racers: list[tuple[str, int, dict]], *, path: str, service) -> Counter:
    """Release every racer at once. racers: (kind, index, request body); `service(index, body)` books one
    admin racer in this process. Counts refusals and errors; winners are counted in the database."""
    from django.db import connections

    from kernel.errors import BookingError

    barrier = threading.Barrier(len(racers))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(kind, index, body):
        outcome = "error"
        client = None
        try:
            if kind == "api":
                PARTNERS_RACED.add(index)
                client = Client(server.url, {"X-API-Key": data["keys"][index]})
                client.call("GET", "/healthz")  # connect before the barrier
                barrier.wait(timeout=30)
                status, _ = client.call("POST", path, body)
                outcome = "sent" if status == 201 else "refusals" if status == 409 else f"error_{status}"
            elif kind == "telegram":
                client = Client(server.url, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
                client.call("GET", "/healthz")
                update = confirm_update(index, next(_update_ids))
                barrier.wait(timeout=30)
                status, _ = client.call("POST", "/telegram/equipment/", update)
                outcome = "sent" if status == 200 else f"error_{status}"
            else:
                connections["default"].ensure_connection()  # connect before the barrier
                barrier.wait(timeout=30)
                try:
                    service(index, body)
                    outcome = "sent"
                except BookingError:
                    outcome = "refusals"
        except Exception as exc:
            outcome = f"error_{type(exc).__name__}"
        finally:
            if client:
                client.close()
            if kind == "admin":
                connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=racer, daemon=True) for racer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def races(server, data, args, tag, day_offset, slot_iter) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cabinets.models import Cabinet, CabinetBooking
    from cabinets.services import cabinet_booking_create
    from equipment.models import EquipmentBooking, Item
    from equipment.services import equipment_booking_create
    from kernel.bookings import HOLDING_STATUSES
    from kernel.channels import Actor, Channel
    from kernel.clock import clinic_zone

    users = {pk: user for pk, user in get_user_model().objects.in_bulk(data["users"]).items()}
    item, cabinet = Item.objects.get(pk=data["item"]), Cabinet.objects.get(pk=data["cabinet"])

    def book_item(index, body):
        day = datetime.fromisoformat(body["start_date"]).date()
        equipment_booking_create(item=item, start_date=day, end_date=day, units=1, client_name="Анна Админова",
                                 client_phone=PHONE, actor=Actor.staff(users[data["users"][index]]),
                                 channel=Channel.ADMIN, now=timezone.now())

    def book_cabinet(index, body):
        starts_at = datetime.fromisoformat(body["starts_at"]).replace(tzinfo=clinic_zone())
        cabinet_booking_create(cabinet=cabinet, starts_at=starts_at, duration_minutes=60, client_name="Анна Админова",
                               client_phone=PHONE, actor=Actor.staff(users[data["users"][index]]),
                               channel=Channel.ADMIN, now=timezone.now(), notify=False)

    result = {}
    for n in args.clients:
        equipment = {"runs": 0, "one_winner_runs": 0, "winners": 0, "refusals": 0, "errors": 0, "max_winners": 0,
                     "winners_by_kind": Counter()}
        cabinet_row = {key: (Counter() if key == "winners_by_kind" else 0) for key in equipment}
        for rep in range(args.repeat):
            day = (data["today"] + timedelta(days=1 + day_offset + len(result) * args.repeat + rep)).isoformat()
            kinds = [KINDS[i % len(KINDS)] for i in range(n)]
            prepare_dialogs(data, day, [i for i, kind in enumerate(kinds) if kind == "telegram"])
            racers = [(kind, i, {"item_id": data["item"], "start_date": day, "end_date": day, "units": 1,
                                 "client_name": "Иван", "client_phone": PHONE,
                                 "external_booking_id": f"{tag}-e-{n}-{rep}-{i}"}) for i, kind in enumerate(kinds)]
            outcomes = race(server, data, racers, path="/api/v1/equipment-bookings", service=book_item)
            held = EquipmentBooking.objects.filter(item_id=data["item"], start_date=day, status__in=HOLDING_STATUSES)
            won = Counter(held.exclude(channel=Channel.SYSTEM).values_list("channel", flat=True))
            _tally(equipment, outcomes, won)
            slot_day, hour = next(slot_iter)
            cabinet_kinds = [("api", "admin")[i % 2] for i in range(n)]
            racers = [(kind, i, {"cabinet_id": data["cabinet"], "starts_at": f"{slot_day}T{hour}",
                                 "duration_minutes": 60, "client_name": "Иван", "client_phone": PHONE,
                                 "external_booking_id": f"{tag}-c-{n}-{rep}-{i}"})
                      for i, kind in enumerate(cabinet_kinds)]
            outcomes = race(server, data, racers, path="/api/v1/cabinet-bookings", service=book_cabinet)
            starts_at = datetime.fromisoformat(f"{slot_day}T{hour}").replace(tzinfo=clinic_zone())
            held = CabinetBooking.objects.filter(cabinet_id=data["cabinet"], starts_at=starts_at,
                                                 status__in=HOLDING_STATUSES)
            _tally(cabinet_row, outcomes, Counter(held.values_list("channel", flat=True)))
        result[f"n{n}"] = {"equipment_last_unit": equipment, "cabinet_slot": cabinet_row}
    return result


def _tally(row, outcomes: Counter, won: Counter) -> None:
    winners = sum(won.values())
    row["runs"] += 1
    row["one_winner_runs"] += winners == 1
    row["winners"] += winners
    row["refusals"] += outcomes.get("refusals", 0)
    row["errors"] += sum(v for k, v in outcomes.items() if k.startswith("error"))
    row["max_winners"] = max(row["max_winners"], winners)
    row["winners_by_kind"].update(won)


def hot_item(server, data, args) -> dict:
    """8 partners book one item on distinct days, then the same load is spread over many items."""
    headers = [{"X-API-Key": key} for key in data["keys"][:args.hot_clients]]

    def maker(tag, item_for):
        def make(index):
            day = data["today"] + timedelta(days=1 + index % 360)
            return "POST", "/api/v1/equipment-bookings", {
                "item_id": item_for(index), "start_date": day.isoformat(), "end_date": day.isoformat(), "units": 1,
                "client_name": "Иван", "client_phone": PHONE, "external_booking_id": f"{tag}-{index}"}
        return make

    spread = data["spread"]
    warm = server.warm(maker("warm", lambda i: spread[i % len(spread)]), client_headers=headers)
    figures = {}
    for name, item_for in (("hot", lambda i: data["hot"]), ("spread", lambda i: spread[i % len(spread)])):
        run = load(server, maker(name, item_for), clients=args.hot_clients, total=args.hot_bookings,
                   seconds=args.hot_seconds, client_headers=headers)
        ok = run["statuses"].get(201, 0)
        figures[name] = {"bookings": ok, "statuses": run["statuses"], "bookings_per_s": round(ok / run["seconds"], 1),
                         **common.percentiles(run["latencies"]),
                         **common.cpu_figures(run)}
    hot, spread_row = figures["hot"], figures["spread"]
    return {**hot, "partners": len(headers), "warm_up": warm, "spread_items": len(spread),
            "spread": {k: spread_row[k] for k in ("bookings", "statuses", "bookings_per_s", "p50_ms", "p99_ms",
                                                  "max_ms", "server_cpu_ms_per_request")},
            "hot_to_spread_ratio": round(hot["bookings_per_s"] / spread_row["bookings_per_s"], 2)
            if spread_row["bookings_per_s"] else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--quantity", type=int, default=2, help="units of the raced item (all but one pre-booked)")
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between check and write (wider race)")
    parser.add_argument("--hot-clients", type=int, default=8, help="partners booking the hot item at once")
    parser.add_argument("--hot-bookings", type=int, default=2000)
    parser.add_argument("--hot-seconds", type=float, default=10)
    parser.add_argument("--spread-items", type=int, default=50)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    figures = {"load_average": load_average()}
    with FakeTelegram() as fake, bench_environment("race") as env:
        django_setup()
        from kernel import locking

        data = build(args)
        figures.update({"database": vendor(), "pause_after_check_s": args.pause, "repeat": args.repeat,
                        "racer_kinds": list(KINDS)})
        slot_iter = slots(data["today"])
        bots = {"TELEGRAM_API_URL": fake.url, "EQUIPMENT_BOT_TOKEN": "111:equipment",
                "CABINET_BOT_TOKEN": "222:cabinet", "TELEGRAM_WEBHOOK_SECRET": SECRET}
        locking.pause_after_check = args.pause
        with Server(env, extra_env={**bots, "BENCH_PAUSE_AFTER_CHECK": str(args.pause)}) as server:
            figures["locked"] = races(server, data, args, "locked", 0, slot_iter)
            figures["invariants"] = invariants()
        locking.enabled = False
        unlocked = {**bots, "BENCH_PAUSE_AFTER_CHECK": str(args.pause), "BENCH_DISABLE_LOCKING": "1"}
        with Server(env, extra_env=unlocked) as server:
            figures["lock_disabled"] = races(server, data, args, "unlocked", len(args.clients) * args.repeat, slot_iter)
        locking.enabled, locking.pause_after_check = True, 0.0
        with Server(env, extra_env=bots) as server:
            figures["hot_item"] = hot_item(server, data, args)
        ceiling = pgbench_ceiling(env, data["hot"], args.pgbench_seconds)
        figures["pgbench_ceiling"] = ceiling
        if ceiling and ceiling.get("tps"):
            figures["hot_item"]["ratio_to_pgbench"] = round(figures["hot_item"]["bookings_per_s"] / ceiling["tps"], 2)
        locked = [row for by_n in figures["locked"].values() for row in by_n.values()]
        unlocked_equipment = [by_n["equipment_last_unit"] for by_n in figures["lock_disabled"].values()]
        hot = figures["hot_item"]
        figures["partners"] = len(PARTNERS_RACED)
        figures["targets"] = {
            "exactly_one_winner_every_run": all(row["one_winner_runs"] == row["runs"] for row in locked),
            "zero_errors": all(row["errors"] == 0 for row in locked),
            "negative_control_oversold": any(row["max_winners"] > 1 for row in unlocked_equipment),
            "partner_booking_server_cpu_le_8ms": hot["server_cpu_ms_per_request"] <= 8,
            "hot_to_spread_ge_0.5": (hot["hot_to_spread_ratio"] or 0) >= 0.5,
        }
        figures["load_average_after"] = load_average()
        figures["seconds"] = round(time.monotonic() - started, 1)
        emit("race", figures)


if __name__ == "__main__":
    main()
