"""Telegram webhook throughput: updates POSTed to /telegram/equipment/ on gunicorn with 2 gthread workers,
the bot's replies going to the fake Bot API on loopback (a child process). Every update is a new user's
/start or a known user's menu button press, each with its own update_id, plus a share of repeated update_ids
(Telegram's retries, which must be ignored). A reply is counted at the fake, or, when the webhook answered with
it (the response body names the Bot API method, which Telegram then calls), by the load generator, which plays
Telegram. Prints one JSON line: updates/s, p50/p99, replies counted at the
fake, the server's CPU per update and the load generator's CPU share; p99 needs at least 100 updates.

    .venv/bin/python bench/webhook.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/webhook.py"""

from __future__ import annotations

import argparse
import json
import time

import common
from common import (
    Server,
    bench_environment,
    cpu_figures,
    django_setup,
    emit,
    load,
    load_average,
    percentiles,
    process_cpu,
    vendor,
)
from fake_telegram import FakeTelegram

SECRET = "bench-webhook-secret"


def update(n: int, users: int, repeat_every: int) -> dict:
    """Update n: users cycle; a user's first update is /start, later ones are plain text the bot answers."""
    if repeat_every and n % repeat_every == repeat_every - 1:
        n -= 1  # Telegram retrying the previous update
    user = 900_000 + n % users
    text = "/start" if n < users else "/help"
    return {"update_id": 1_000_000 + n, "message": {
        "message_id": n + 1, "date": int(time.time()), "text": text,
        "chat": {"id": user, "type": "private", "first_name": "Иван"},
        "from": {"id": user, "is_bot": False, "first_name": "Иван", "language_code": "ru"},
        **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]} if text.startswith("/") else {})}}


_answered_in_response: list[str] = []


def _count_webhook_answers() -> None:
    """The load generator plays Telegram: a response body naming a Bot API method is a call Telegram makes."""
    real_call = common.Client.call

    def call(self, method, path, body=None, headers=None):
        status, data = real_call(self, method, path, body, headers)
        if status == 200 and data.startswith(b'{"method"'):
            _answered_in_response.append(json.loads(data)["method"])  # list.append: safe across threads
        return status, data

    common.Client.call = call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections, like Telegram's")
    parser.add_argument("--repeat-every", type=int, default=20, help="every n-th update repeats the previous id")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    before_load = load_average()
    _count_webhook_answers()
    with FakeTelegram() as fake, bench_environment("webhook") as env:
        django_setup()
        bots = {"TELEGRAM_API_URL": fake.url, "EQUIPMENT_BOT_TOKEN": "111:equipment",
                "CABINET_BOT_TOKEN": "222:cabinet", "TELEGRAM_WEBHOOK_SECRET": SECRET}
        with Server(env, extra_env=bots) as server:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

            def make(n):
                return "POST", "/telegram/equipment/", update(n, args.users, args.repeat_every)

            # Warm up until each worker has served updates (it builds its bot application on the first one).
            warm = server.warm(lambda n: make(10**6 + n), headers=headers)
            before = fake.stats()
            _answered_in_response.clear()
            fake_cpu = process_cpu(fake.pid)
            run = load(server, make, clients=args.clients, total=args.updates, seconds=args.seconds,
                       headers=headers)
            fake_cpu = process_cpu(fake.pid) - fake_cpu
            after, in_webhook = fake.stats(), _answered_in_response.count("sendMessage")
        replies = after["by_method"].get("sendMessage", 0) - before["by_method"].get("sendMessage", 0) + in_webhook
        handled = len(run["latencies"])
        repeats = sum(1 for n in range(handled) if args.repeat_every and n % args.repeat_every == args.repeat_every - 1)
        figures = {
            "load_average": before_load, "warm_up": warm, "database": vendor(), "updates": handled,
            "statuses": run["statuses"],
            "updates_per_s": round(handled / run["seconds"], 1), **percentiles(run["latencies"]),
            "replies": replies, "replies_in_webhook_response": in_webhook, "repeated_updates": repeats,
            "fake_bot_api_cpu_s": round(fake_cpu, 1),
            **cpu_figures(run),
        }
        figures["targets"] = {"ge_200_updates_per_s": figures["updates_per_s"] >= 200,
                              "p99_le_100ms": (figures["p99_ms"] or 1e9) <= 100,
                              "server_cpu_le_5ms_per_update": figures["server_cpu_ms_per_request"] <= 5,
                              "every_new_update_answered": replies >= handled - repeats,
                              "only_200": set(run["statuses"]) == {200}}
        figures["load_average_after"] = load_average()
        emit("webhook", figures)


if __name__ == "__main__":
    main()
