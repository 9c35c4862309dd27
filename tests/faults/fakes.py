"""The fake Bot API of the bot tests, able to go down: answer 502 Bad Gateway, or hang and then give up
(a timeout from the caller's side). Only calls it answered with 200 count as delivered."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.integrations.telegram.fake_bot_api import FakeBotApi, start

UP, BAD_GATEWAY, HANGING = "up", "bad_gateway", "hanging"


@dataclass
class FaultyBotApi(FakeBotApi):
    mode: str = UP
    hang_seconds: float = 4.0
    refused: Counter = field(default_factory=Counter)  # mode -> calls refused in that mode
    url: str = ""
    before_answer: Callable[[str, dict], None] | None = None  # called with each call's method and fields

    def start(self) -> FaultyBotApi:
        self.server, self.url = start(self)
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, token: str, method: str, fields: dict) -> tuple[int, dict]:
        if self.before_answer is not None:
            self.before_answer(method, fields)
        mode = self.mode
        if mode == HANGING:
            time.sleep(self.hang_seconds)  # longer than the web's send timeout
        if mode in (BAD_GATEWAY, HANGING):
            with self.lock:
                self.refused[mode] += 1
            status = 502 if mode == BAD_GATEWAY else 504
            return status, {"ok": False, "error_code": status, "description": "Bad Gateway"}
        return super().answer(token, method, fields)

    def delivered(self) -> Counter:
        """(chat id, text) → how many times Telegram accepted that message."""
        with self.lock:
            return Counter((c.chat_id, c.text) for c in self.calls
                           if c.method == "sendMessage" and c.message_id is not None)
