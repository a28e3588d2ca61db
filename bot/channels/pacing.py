"""At most one post per second to one Slack channel, thread replies included.

Slack documents about one chat.postMessage per second per channel; sending faster earns 429s
and a burst in the channel. The pacer makes the caller wait its turn (per process), with a
little margin so that network jitter never brings two posts closer than a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    def __init__(self, interval: float = 1.05, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval, self._clock, self._sleep = interval, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, key: str) -> None:
        """Return when a post to `key` may go; the next one waits `interval` after it."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(key, now))
            self._next[key] = at + self.interval
        if at > now:
            self._sleep(at - now)
        with self._lock:  # counted from when the post really goes, should the sleep run late
            self._next[key] = max(self._next[key], self._clock() + self.interval)
