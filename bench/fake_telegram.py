"""The tests' fake Telegram Bot API (tests/integrations/telegram/fake_bot_api.py) run on its own, in a child
process so that its CPU is not counted as the load generator's. `limits=True` makes it enforce Telegram's
flood limits on sendMessage the way the Bot FAQ describes them: more than 30 messages in any second for one
bot, or a second message to one chat within a second (less 50 ms for network jitter), is answered 429 with
`retry_after`."""

from __future__ import annotations

import multiprocessing
import time
from collections import deque

from common import ROOT  # noqa: F401  (puts the project on sys.path)

from tests.integrations.telegram import fake_bot_api

BOT_PER_SECOND = 30
CHAT_INTERVAL = 1.0
JITTER = 0.05


class LimitedBotApi(fake_bot_api.FakeBotApi):
    def __init__(self):
        super().__init__()
        self.recent: dict[str, deque] = {}
        self.last_in_chat: dict[tuple[str, int], float] = {}
        self.sent: list[float] = []  # wall-clock times of accepted sendMessage calls
        self.limited: list[float] = []  # ... and of the 429s

    def answer(self, token: str, method: str, fields: dict) -> tuple[int, dict]:
        if method == "sendMessage":
            now = time.time()
            with self.lock:
                window = self.recent.setdefault(token, deque())
                while window and window[0] <= now - 1.0:
                    window.popleft()
                chat = (token, int(fields.get("chat_id", 0)))
                last = self.last_in_chat.get(chat)
                if len(window) >= BOT_PER_SECOND or (last is not None and now - last < CHAT_INTERVAL - JITTER):
                    self.limited.append(now)
                    return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}
                window.append(now)
                self.last_in_chat[chat] = now
                self.sent.append(now)
        return super().answer(token, method, fields)


def _serve(connection, limits: bool) -> None:
    api = LimitedBotApi() if limits else fake_bot_api.FakeBotApi()
    server, url = fake_bot_api.start(api)
    connection.send(url)
    while True:
        command = connection.recv()
        if command == "stop":
            server.shutdown()
            connection.send("stopped")
            return
        with api.lock:
            by_method: dict[str, int] = {}
            for call in api.calls:
                by_method[call.method] = by_method.get(call.method, 0) + 1
            stats = {"calls": len(api.calls), "by_method": by_method}
            if limits:
                stats.update({"sent": list(api.sent), "limited": list(api.limited)})
        connection.send(stats)


class FakeTelegram:
    """with FakeTelegram(limits=...) as fake: fake.url, fake.stats(), fake.pid"""

    def __init__(self, *, limits: bool = False):
        self.limits = limits

    def __enter__(self) -> FakeTelegram:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.limits), daemon=True)
        self.process.start()
        if not self.connection.poll(30):
            raise RuntimeError("the fake Bot API did not start")
        self.url = self.connection.recv()
        self.pid = self.process.pid
        return self

    def stats(self) -> dict:
        self.connection.send("stats")
        return self.connection.recv()

    def __exit__(self, *exc) -> None:
        try:
            self.connection.send("stop")
            self.connection.poll(10)
        finally:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
