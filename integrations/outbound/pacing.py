"""Spacing calls out in time, per process: at most `per_second` calls per lane (a bot) and one call per
`chat_interval` seconds per recipient (a chat) in that lane; a lane told "retry after" pauses whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class Pacer:
    """Kept per process; a sweep holds a job lock, so only one process sends retries through it at a time."""

    def __init__(self, *, per_second: float, chat_interval: float,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.chat_interval = chat_interval
        self.clock, self.sleep = clock, sleep
        self._next_lane: dict[Hashable, float] = {}
        self._next_recipient: dict[tuple[Hashable, Hashable], float] = {}
        self._paused: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def wait(self, lane: Hashable, recipient: Hashable) -> None:
        """Sleep until this lane and this recipient may be called, and book the next turn of both."""
        with self._lock:
            now = self.clock()
            at = max(now, self._next_lane.get(lane, 0.0), self._paused.get(lane, 0.0),
                     self._next_recipient.get((lane, recipient), 0.0))
            self._next_lane[lane] = at + self.gap
            self._next_recipient[(lane, recipient)] = at + self.chat_interval
            if len(self._next_recipient) > 10_000:  # forget recipients whose turn has long passed
                self._next_recipient = {k: v for k, v in self._next_recipient.items() if v > now}
        if at > now:
            self.sleep(at - now)

    def pause(self, lane: Hashable, seconds: float) -> None:
        """The receiver said "retry after": nothing more goes out through this lane until then."""
        with self._lock:
            self._paused[lane] = max(self._paused.get(lane, 0.0), self.clock() + seconds)

    def hold(self, lane: Hashable, recipient: Hashable) -> float:
        """Seconds this call would have to wait for a paused lane or a recipient called a moment ago (the
        sweep sends other rows meanwhile); the lane's own rate is not counted, `wait` spaces that."""
        now = self.clock()
        return max(0.0, self._paused.get(lane, 0.0) - now, self._next_recipient.get((lane, recipient), 0.0) - now)
